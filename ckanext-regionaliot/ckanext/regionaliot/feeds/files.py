"""The feeds' published files, without CKAN: the GeoJSON of a feed's sensors with their
latest values (RFC 7946), and the daily CSV of observations (a day in JST, as people in
the basin count days)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

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


def daily_csv(records: Iterable[Mapping[str, Any]]) -> bytes:
    """The day's observations as UTF-8 CSV with a BOM (so Excel in Japan opens it), the
    columns of the observation Table Schema, observed_at in JST with its offset."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for r in records:
        stamp = r["observed_at"]
        if isinstance(stamp, str):
            stamp = dt.datetime.fromisoformat(stamp)
        writer.writerow([r["sensor_id"], stamp.astimezone(JST).isoformat(), repr(float(r["value"])),
                         r["quality"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def daily_name(day: dt.date) -> str:
    """The resource's name, also how the file of a day is found again (idempotent runs)."""
    return f"observations-{day.isoformat()}.csv"
