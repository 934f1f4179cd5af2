"""Actions of the sensor feeds: push observations (a device's token or an editor), the
latest value of each sensor with its age and threshold state, time-range queries with
paging and downsampling, push tokens and the dead letters.

The same for the web pages, the HTTP ingest endpoint (views.py) and the Action API.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from .. import model, observations, service
from . import schema as schemas

__all__ = ["regionaliot_feed_latest", "regionaliot_feed_query", "regionaliot_feed_push",
           "regionaliot_feed_token_create", "regionaliot_feed_deadletter_list"]

_ = tk._

# A query without start covers the last day; one may span at most this many days.
DEFAULT_SPAN = dt.timedelta(days=1)
MAX_SPAN = dt.timedelta(days=366)


def _validate(data_dict: dict[str, Any], schema: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _feed(context: dict[str, Any], name_or_id: str) -> service.Feed:
    try:
        return service.load(name_or_id, {"ignore_auth": True})
    except tk.ObjectNotFound:
        raise tk.ObjectNotFound(_("No feed named %s") % name_or_id) from None


def _rejection(rejection: observations.Rejection) -> dict[str, Any]:
    return {"reason": rejection.reason,
            "message": _(observations.REASONS[rejection.reason]).format(detail=rejection.detail),
            "observation": rejection.raw}


def regionaliot_feed_push(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Store observations: ``observations`` (a list of objects, or a JSON string) or ``csv``
    (text with a header sensor_id,observed_at,value,quality). Duplicates of stored
    (sensor_id, observed_at) change nothing. Refused observations are listed with their
    reason and kept as dead letters; the others are stored.
    """
    data = _validate(data_dict, schemas.push(), context)
    feed = _feed(context, data["id"])
    tk.check_access("regionaliot_feed_push", context, dict(data, id=feed.id, feed_id=feed.id))
    if "csv" in data:
        items = observations.decode_csv(data["csv"])
    elif isinstance(data.get("observations"), str):
        items = observations.decode_json(data["observations"])
    elif isinstance(data.get("observations"), list | dict):
        raw = data["observations"]
        items = raw if isinstance(raw, list) else [raw]
        if len(items) > observations.MAX_BATCH:
            items = observations.Rejection("too_many", str(observations.MAX_BATCH), "")
    else:
        raise tk.ValidationError({"observations": [_("Send observations (JSON) or csv")]})
    stored, rejected = service.ingest(feed, "http", items)
    received = len(items) if isinstance(items, list) else 0
    return {"feed": feed.name, "received": received, "stored": stored,
            "duplicates": received - stored - len(rejected) if received else 0,
            "rejected": [_rejection(r) for r in rejected[:100]], "rejected_count": len(rejected)}


@tk.side_effect_free
def regionaliot_feed_latest(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The newest observation of every sensor of the feed, its age in seconds, whether it
    is stale (older than three observation intervals) and its threshold state (normal,
    warning, danger, no_data); the feed's worst state."""
    data = _validate(data_dict, schemas.feed_id(), context)
    feed = _feed(context, data["id"])
    tk.check_access("regionaliot_feed_latest", context, {"id": feed.id})
    return service.latest_values(feed, model.latest(feed.id, list(feed.sensors)),
                                 dt.datetime.now(dt.timezone.utc))


def _when(value: str | None, field: str) -> dt.datetime | None:
    if not value:
        return None
    stamp = observations.parse_timestamp(value)
    if stamp is None:
        message = _("Not an ISO 8601 date and time with a time zone (e.g. 2026-07-01T09:10:00+09:00)")
        raise tk.ValidationError({field: [message]})
    return stamp


@tk.side_effect_free
def regionaliot_feed_query(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Observations in [start, end) (ISO 8601 with a time zone; default: the last day),
    for one sensor_id (or several, comma-separated) or all; resolution raw, 10min, hour
    or day (mean, min, max and count per interval); paged by limit and offset."""
    data = _validate(data_dict, schemas.query(), context)
    feed = _feed(context, data["id"])
    tk.check_access("regionaliot_feed_query", context, {"id": feed.id})
    end = _when(data.get("end"), "end") or dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
    start = _when(data.get("start"), "start") or end - DEFAULT_SPAN
    if start >= end:
        raise tk.ValidationError({"start": [_("start must be before end")]})
    if end - start > MAX_SPAN:
        raise tk.ValidationError({"end": [_("A query may span at most 366 days")]})
    sensor_ids = [s.strip() for s in (data.get("sensor_id") or "").split(",") if s.strip()] or None
    unknown = [s for s in sensor_ids or [] if s not in feed.sensors]
    if unknown:
        raise tk.ValidationError({"sensor_id": [_("Unknown sensor: %s") % ", ".join(unknown)]})
    rows = model.query(feed.id, sensor_ids, start, end, observations.RESOLUTIONS[data["resolution"]],
                       data["limit"], data["offset"])
    return {"feed": feed.name, "start": start.isoformat(), "end": end.isoformat(),
            "resolution": data["resolution"], "limit": data["limit"], "offset": data["offset"],
            "count": len(rows), "more": len(rows) == data["limit"], "records": rows}


def regionaliot_feed_token_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """A new push token for the feed (shown once; only its hash is kept)."""
    data = _validate(data_dict, schemas.token_create(), context)
    feed = _feed(context, data["id"])
    tk.check_access("regionaliot_feed_token_create", context, {"id": feed.id})
    row, token = model.create_token(feed.id, data["label"])
    return {"id": row.id, "feed": feed.name, "label": row.label, "token": token}


def regionaliot_feed_deadletter_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The newest refused messages of the feed, with their reason."""
    data = _validate(data_dict, schemas.deadletters(), context)
    feed = _feed(context, data["id"])
    tk.check_access("regionaliot_feed_deadletter_list", context, {"id": feed.id})
    rows = model.deadletters(feed.id, min(data["limit"], 1000))
    for row in rows:
        row["message"] = _(observations.REASONS.get(row["reason"], "{detail}")).format(
            detail=row["detail"])
    return rows
