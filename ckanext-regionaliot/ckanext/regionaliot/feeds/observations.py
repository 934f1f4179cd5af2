"""Observations of a sensor feed: parsing, validation and threshold states, without CKAN.

One observation is (sensor_id, observed_at with time zone, value, quality). It arrives as
JSON (one object or a list) from MQTT or HTTP, or as CSV rows (HTTP). Every observation is
checked against the feed's sensors; a bad one becomes a ``Rejection`` with a reason code
and a message (English msgid, translated where it is shown), never an exception, so one
bad message never stops the stream. The Table Schema of an observation is
schemas/feeds/observation.json (its field names are FIELDS here).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FIELDS = ("sensor_id", "observed_at", "value", "quality")
PROVISIONAL = "provisional"  # 速報値
CONFIRMED = "confirmed"  # 確定値
QUALITIES = (PROVISIONAL, CONFIRMED)
# Spellings accepted for the quality flag (the Japanese ones are what people write).
QUALITY_ALIASES = {"provisional": PROVISIONAL, "速報値": PROVISIONAL, "速報": PROVISIONAL,
                   "p": PROVISIONAL, "confirmed": CONFIRMED, "確定値": CONFIRMED,
                   "確定": CONFIRMED, "c": CONFIRMED}

# A clock a few minutes fast on a device is normal; more than this is a timestamp from the future.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
OLDEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
MAX_PAYLOAD_BYTES = 1_000_000
MAX_BATCH = 10_000
MAX_SENSOR_ID = 100

# Reason codes of the dead-letter table, each with its message (msgid; `{}` fields filled).
REASONS = {
    "unknown_feed": "No feed named '{detail}'.",
    "bad_topic": "The topic '{detail}' is not regionaliot/feeds/<feed>/<sensor>.",
    "payload": "The message is not valid JSON or CSV: {detail}",
    "too_large": "The message is larger than {detail} bytes.",
    "too_many": "A batch may hold at most {detail} observations.",
    "shape": "An observation must be an object with sensor_id, observed_at, value and quality: {detail}",
    "unknown_sensor": "Unknown sensor '{detail}' (not in the feed's list of sensors).",
    "sensor_mismatch": "The topic's sensor '{detail}' differs from the observation's sensor_id.",
    "bad_timestamp": "observed_at '{detail}' is not an ISO 8601 date and time with a time zone (e.g. 2026-07-01T09:10:00+09:00).",
    "future": "observed_at {detail} is in the future.",
    "too_old": "observed_at {detail} is before 2000.",
    "bad_value": "value '{detail}' is not a finite number.",
    "out_of_range": "value {detail} is outside the sensor's range.",
    "bad_quality": "quality '{detail}' must be provisional (速報値) or confirmed (確定値).",
}


@dataclass(frozen=True)
class Sensor:
    id: str
    name: str = ""
    measures: str = ""
    unit: str = ""
    latitude: float | None = None
    longitude: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    warning: float | None = None  # 氾濫注意水位 / 冠水注意
    danger: float | None = None  # 氾濫危険水位 / 冠水


@dataclass(frozen=True)
class Observation:
    sensor_id: str
    observed_at: dt.datetime  # aware, UTC
    value: float
    quality: str


@dataclass(frozen=True)
class Rejection:
    reason: str
    detail: str
    raw: str

    @property
    def message(self) -> str:
        """The English message (a msgid of the catalogue with its detail filled in)."""
        return REASONS[self.reason].format(detail=self.detail)


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def sensor_from_dict(data: Mapping[str, Any]) -> Sensor:
    """A sensor of the feed's dataset (its scheming subfields, all strings from a form)."""
    return Sensor(
        id=str(data.get("sensor_id") or "").strip(), name=str(data.get("name") or ""),
        measures=str(data.get("measures") or ""), unit=str(data.get("unit") or ""),
        latitude=_number(data.get("latitude")), longitude=_number(data.get("longitude")),
        minimum=_number(data.get("minimum")), maximum=_number(data.get("maximum")),
        warning=_number(data.get("warning_level")), danger=_number(data.get("danger_level")))


def sensors_from_list(items: Iterable[Mapping[str, Any]] | None) -> dict[str, Sensor]:
    sensors = (sensor_from_dict(item) for item in (items or []) if isinstance(item, Mapping))
    return {sensor.id: sensor for sensor in sensors if sensor.id}


def parse_timestamp(text: Any) -> dt.datetime | None:
    """An ISO 8601 date-time WITH a time zone, as UTC; None for anything else."""
    if not isinstance(text, str) or not 10 <= len(text) <= 40:
        return None
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if " " in value and "T" not in value:
        value = value.replace(" ", "T", 1)
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        return None
    return stamp.astimezone(dt.timezone.utc)


def _storable(text: str) -> str:
    """Text a PostgreSQL text column and a UTF-8 response can hold: a NUL (which PostgreSQL
    refuses) and lone surrogates (a JSON escape such as \\ud800, which UTF-8 cannot encode)
    are written as escapes. Unchecked, either made the dead letter's INSERT raise: an HTTP
    500, and an ingestor that died on the message and got it again after each restart."""
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _short(value: Any, limit: int = 80) -> str:
    """What a refusal shows of a payload or a field: at most ``limit`` characters, storable."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return _storable(text if len(text) <= limit else text[:limit] + "…")


def _refuse(reason: str, detail: str, item: Any) -> Rejection:
    # The item is serialised for refusals only: json.dumps of every good item was a third
    # of the time spent per message.
    return Rejection(reason, detail, _short(item, 500))


def check(item: Any, sensors: Mapping[str, Sensor], now: dt.datetime,
          topic_sensor: str | None = None) -> Observation | Rejection:
    """One observation (a dict) checked against the feed's sensors at time ``now`` (aware)."""
    if not isinstance(item, Mapping):
        return _refuse("shape", _short(item), item)
    sensor_id = item.get("sensor_id", topic_sensor)
    if not isinstance(sensor_id, str) or not sensor_id or len(sensor_id) > MAX_SENSOR_ID:
        return _refuse("shape", "sensor_id", item)
    if topic_sensor is not None and sensor_id != topic_sensor:
        return _refuse("sensor_mismatch", _short(topic_sensor), item)
    sensor = sensors.get(sensor_id)
    if sensor is None:
        return _refuse("unknown_sensor", _short(sensor_id), item)
    stamp = parse_timestamp(item.get("observed_at"))
    if stamp is None:
        return _refuse("bad_timestamp", _short(item.get("observed_at")), item)
    if stamp > now + FUTURE_TOLERANCE:
        return _refuse("future", stamp.isoformat(), item)
    if stamp < OLDEST:
        return _refuse("too_old", stamp.isoformat(), item)
    value = item.get("value")
    number = None if isinstance(value, bool) else _number(value)
    if number is None:
        return _refuse("bad_value", _short(value), item)
    if (sensor.minimum is not None and number < sensor.minimum) or (
            sensor.maximum is not None and number > sensor.maximum):
        return _refuse("out_of_range", f"{number:g}", item)
    quality = QUALITY_ALIASES.get(str(item.get("quality") or PROVISIONAL).strip().lower())
    if quality is None:
        return _refuse("bad_quality", _short(item.get("quality")), item)
    return Observation(sensor_id, stamp, number, quality)


def decode_json(body: bytes | str) -> list[Any] | Rejection:
    """A JSON payload: one observation or a list (or {"observations": [...]})."""
    text = body if isinstance(body, str) else None
    if len(body) > MAX_PAYLOAD_BYTES:
        return Rejection("too_large", str(MAX_PAYLOAD_BYTES), "")
    try:
        if text is None:
            text = body.decode("utf-8")  # type: ignore[union-attr]
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return Rejection("payload", _short(str(error)), _short(body if text is None else text, 500))
    if isinstance(data, Mapping) and isinstance(data.get("observations"), list):
        data = data["observations"]
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_BATCH:
        return Rejection("too_many", str(MAX_BATCH), "")
    return items


def decode_csv(body: bytes | str) -> list[Any] | Rejection:
    """CSV with a header row naming FIELDS (UTF-8, a BOM allowed)."""
    if len(body) > MAX_PAYLOAD_BYTES:
        return Rejection("too_large", str(MAX_PAYLOAD_BYTES), "")
    try:
        text = body if isinstance(body, str) else body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Rejection("payload", _short(str(error)), "")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"sensor_id", "observed_at", "value"} <= set(reader.fieldnames):
        return Rejection("payload", "header: sensor_id,observed_at,value,quality", _short(text, 200))
    try:
        items = [dict(row) for row in reader]
    except csv.Error as error:
        return Rejection("payload", _short(str(error)), _short(text, 200))
    if len(items) > MAX_BATCH:
        return Rejection("too_many", str(MAX_BATCH), "")
    return items


def validate(items: Iterable[Any], sensors: Mapping[str, Sensor], now: dt.datetime,
             topic_sensor: str | None = None) -> tuple[list[Observation], list[Rejection]]:
    """Split items into good observations (deduplicated on (sensor, observed_at): the
    first one wins, as the database keeps the first stored) and rejections."""
    good: dict[tuple[str, dt.datetime], Observation] = {}
    bad: list[Rejection] = []
    for item in items:
        result = check(item, sensors, now, topic_sensor)
        if isinstance(result, Rejection):
            bad.append(result)
        else:
            good.setdefault((result.sensor_id, result.observed_at), result)
    return list(good.values()), bad


# ------------------------------------------------------------------ threshold states
NORMAL, WARNING, DANGER, NO_DATA = "normal", "warning", "danger", "no_data"
STATE_ORDER = (NO_DATA, NORMAL, WARNING, DANGER)


def state(sensor: Sensor, value: float | None) -> str:
    if value is None:
        return NO_DATA
    if sensor.danger is not None and value >= sensor.danger:
        return DANGER
    if sensor.warning is not None and value >= sensor.warning:
        return WARNING
    return NORMAL


def worst(states: Iterable[str]) -> str:
    return max(states, key=STATE_ORDER.index, default=NO_DATA)


# ------------------------------------------------------------------ read side
RESOLUTIONS = {"raw": None, "10min": 600, "hour": 3600, "day": 86400}


def month_start(stamp: dt.datetime) -> dt.datetime:
    return stamp.astimezone(dt.timezone.utc).replace(day=1, hour=0, minute=0, second=0,
                                                     microsecond=0)


def next_month(stamp: dt.datetime) -> dt.datetime:
    first = month_start(stamp)
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else \
        first.replace(month=first.month + 1)


def partition_name(stamp: dt.datetime) -> str:
    first = month_start(stamp)
    return f"regionaliot_feed_obs_{first.year:04d}{first.month:02d}"


def parse_topic(topic: str, prefix: str) -> tuple[str, str] | None:
    """``<prefix>/<feed name>/<sensor id>`` → (feed, sensor); None for any other topic."""
    head = prefix.rstrip("/") + "/"
    if not topic.startswith(head):
        return None
    parts = topic[len(head):].split("/")
    if len(parts) != 2 or not all(parts) or any(len(p) > MAX_SENSOR_ID for p in parts):
        return None
    return parts[0], parts[1]
