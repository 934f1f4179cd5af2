"""The feeds' published files, without CKAN: the GeoJSON of a feed's sensors with their
latest values (RFC 7946), and the daily CSV of observations (a day in JST, as people in
the basin count days)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from .observations import FIELDS

JST = dt.timezone(dt.timedelta(hours=9), "JST")
# What a GeoJSON feature carries of regionaliot_feed_latest's sensor (coordinates aside).
PROPERTIES = ("sensor_id", "name", "name_en", "kind", "measures", "unit", "value", "observed_at",
              "quality", "age_seconds", "stale", "state", "warning_level", "danger_level")


def sensors_geojson(latest: Mapping[str, Any]) -> dict[str, Any]:
    """A FeatureCollection of the feed's sensors (regionaliot_feed_latest's result): a
    Point at [longitude, latitude] each, or no geometry when the sensor has no place (RFC
    7946 allows unlocated features: the sensor and its value are still published)."""
    features = []
    for sensor in latest.get("sensors") or []:
        lat, lon = sensor.get("latitude"), sensor.get("longitude")
        located = isinstance(lat, int | float) and isinstance(lon, int | float) \
            and -90 <= lat <= 90 and -180 <= lon <= 180
        features.append({
            "type": "Feature", "id": sensor.get("sensor_id"),
            "geometry": {"type": "Point", "coordinates": [lon, lat]} if located else None,
            "properties": dict({k: sensor.get(k) for k in PROPERTIES}, feed=latest.get("feed"))})
    return {"type": "FeatureCollection", "feed": latest.get("feed"), "state": latest.get("state"),
            "generated_at": latest.get("now"), "features": features}


def jst_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar day in JST, as aware datetimes."""
    start = dt.datetime.combine(day, dt.time(), JST)
    return start, start + dt.timedelta(days=1)


def yesterday_jst(now: dt.datetime) -> dt.date:
    return (now.astimezone(JST) - dt.timedelta(days=1)).date()


def write_daily_csv(records: Iterable[Any], out: BinaryIO) -> int:
    """Write the day's observations to ``out`` as UTF-8 CSV with a BOM (so Excel in Japan
    opens it), the columns of the observation Table Schema, observed_at in JST with its
    offset. Rows are written as they come (a mapping, or a tuple in FIELDS' order), so a
    day of any size passes through in constant memory. Returns the rows written."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(FIELDS)
        count = 0
        for r in records:
            sensor_id, stamp, value, quality = (r if isinstance(r, tuple) else
                                                (r["sensor_id"], r["observed_at"], r["value"],
                                                 r["quality"]))
            if isinstance(stamp, str):
                stamp = dt.datetime.fromisoformat(stamp)
            writer.writerow([sensor_id, stamp.astimezone(JST).isoformat(), repr(float(value)),
                             quality])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count


def daily_csv(records: Iterable[Any]) -> bytes:
    """write_daily_csv into bytes (small days, tests)."""
    out = io.BytesIO()
    write_daily_csv(records, out)
    return out.getvalue()


def daily_name(day: dt.date) -> str:
    """The resource's name, also how the file of a day is found again (idempotent runs)."""
    return f"observations-{day.isoformat()}.csv"


def daily_day(name: str) -> dt.date | None:
    """The day of a daily file from its resource name (daily_name's inverse), else None."""
    if not (name.startswith("observations-") and name.endswith(".csv")):
        return None
    try:
        return dt.date.fromisoformat(name[len("observations-"):-len(".csv")])
    except ValueError:
        return None


# ---------------------------------------------------------------------- DCAT (feeds/dcat.py)
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
# The EU frequency authority's codes for an update every N seconds; anything else (10 s,
# 20 s, 2 min, ...) is UPDATE_CONT, "continuously updated".
FREQUENCY_CODES = {60: "1MIN", 300: "5MIN", 600: "10MIN", 900: "15MIN", 1800: "30MIN",
                   3600: "HOURLY", 7200: "BIHOURLY", 10800: "TRIHOURLY", 43200: "12HRS",
                   86400: "DAILY"}


def accrual_periodicity(interval: int) -> str:
    """dct:accrualPeriodicity of a feed observed every ``interval`` seconds: the EU
    frequency of that interval where it has one, else continuously updated."""
    return FREQUENCY + FREQUENCY_CODES.get(interval, "UPDATE_CONT")


def duration(seconds: int) -> str:
    """An xsd:duration for dcat:temporalResolution (600 → PT10M, 90 → PT1M30S, 86400 → P1D)."""
    if seconds <= 0:
        return "PT0S"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
