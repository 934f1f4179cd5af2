"""Pages and HTTP endpoints of the sensor feeds.

- ``POST /api/feeds/<feed>/observations``: a device pushes JSON or CSV with its feed token
  in the ``X-Feed-Token`` header (action regionaliot_feed_push); answers JSON, 4xx for bad
  input, never a traceback.
- ``/feeds``: every feed the user may see with its sensors' latest values and states, all
  sensors on the basin map.
- ``/feeds/<feed>``: the live page (map of sensors coloured by state, latest values,
  chart), updated by polling ``regionaliot_feed_latest`` and the chart's SVG.
- ``/feeds/<feed>/chart.svg``, ``/feeds/<feed>/observations.csv``,
  ``/feeds/<feed>/sensors.geojson`` (the sensors with their latest values).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.config.middleware.flask_app import csrf
from flask import Blueprint, Response, make_response

from ckanext.regionaliot.lib import config

from . import chart, files, helpers, observations, overview, service

__all__ = ["feeds"]

_ = tk._

feeds = Blueprint("regionaliot_feeds", __name__)

JST = dt.timezone(dt.timedelta(hours=9), "JST")
CHART_HOURS = (1, 6, 24, 72, 168)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _json(data: Any, status: int = 200) -> Response:
    response = make_response(json.dumps(data, ensure_ascii=False), status)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def _errors(error: tk.ValidationError) -> dict[str, Any]:
    return error.error_dict if isinstance(error.error_dict, dict) else {"message": str(error)}


# Devices authenticate by their feed token alone, never by a browser's cookie (editors use
# the Action API with their API token), so the form token (CSRF) does not apply here.
@csrf.exempt
def push(id: str):
    token = tk.request.headers.get("X-Feed-Token", "").strip()
    if not token:
        return _json({"success": False, "error": _("Send the feed's token in the X-Feed-Token header.")}, 401)
    content_type = (tk.request.content_type or "").split(";")[0].strip().lower()
    body = tk.request.get_data(cache=False)
    if len(body) > observations.MAX_PAYLOAD_BYTES:
        return _json({"success": False, "error": _("The message is larger than {detail} bytes.")
                      .format(detail=observations.MAX_PAYLOAD_BYTES)}, 413)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _json({"success": False, "error": _("The body must be UTF-8.")}, 400)
    data: dict[str, Any] = {"id": id, "token": token}
    if content_type in ("text/csv", "application/csv"):
        data["csv"] = text
    else:
        data["observations"] = text
    try:
        result = tk.get_action("regionaliot_feed_push")({"user": ""}, data)
    except tk.ObjectNotFound:
        return _json({"success": False, "error": _("No feed named %s") % id}, 404)
    except tk.NotAuthorized:
        return _json({"success": False, "error": _("The feed token is not valid for this feed")}, 403)
    except tk.ValidationError as error:
        return _json({"success": False, "error": _errors(error)}, 400)
    status = 200 if result["stored"] or not result["rejected_count"] else 422
    return _json({"success": status == 200, "result": result}, status)


def _latest(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("regionaliot_feed_latest")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, _("No feed named %s") % id)
    except tk.NotAuthorized:
        return tk.abort(403, _("Not authorized to use this feed"))


def index():
    feeds, unavailable = service.every_feed(_context())
    titles = {f["package"]["name"]: tk.h.get_translated(f["package"], "title") for f in feeds}
    sensors = overview.sensors(f["latest"] for f in feeds)
    for sensor in sensors:  # the map's tooltips in the reader's language
        sensor["name"] = helpers.regionaliot_feed_sensor_name(sensor)
        sensor["feed_title"] = titles.get(sensor["feed"], "")
    return tk.render("regionaliot/feeds/index.html",
                     {"feeds": feeds, "unavailable": unavailable,
                      "sensors_json": json.dumps(sensors, ensure_ascii=False)})


def read(id: str):
    latest = _latest(id)
    package = tk.get_action("package_show")(_context(), {"id": id})
    hours = tk.request.args.get("hours", "24")
    hours = int(hours) if hours.isdigit() and int(hours) in CHART_HOURS else 24
    return tk.render("regionaliot/feeds/read.html",
                     {"pkg_dict": package, "latest": latest, "hours": hours,
                      "chart_hours": CHART_HOURS,
                      "poll_seconds": config.get_int("ckanext.regionaliot.feeds.poll_seconds"),
                      "sensors_json": json.dumps(latest["sensors"], ensure_ascii=False)})


def chart_svg(id: str):
    latest = _latest(id)
    hours = tk.request.args.get("hours", "24")
    hours = int(hours) if hours.isdigit() and int(hours) in CHART_HOURS else 24
    end = dt.datetime.now(dt.timezone.utc)
    start = end - dt.timedelta(hours=hours)
    resolution = "raw" if hours <= 6 else ("10min" if hours <= 72 else "hour")
    series: dict[str, list[tuple[dt.datetime, float]]] = {s["sensor_id"]: [] for s in latest["sensors"]}
    offset = 0
    while True:  # a page of 10,000 at a time; a week of 10-min data is well within a few pages
        page = tk.get_action("regionaliot_feed_query")(_context(), {
            "id": id, "start": start.isoformat(), "end": end.isoformat(),
            "resolution": resolution, "limit": 10000, "offset": offset})
        for record in page["records"]:
            series.setdefault(record["sensor_id"], []).append(
                (observations.parse_timestamp(record["observed_at"]), record["value"]))
        if not page["more"] or offset > 50000:
            break
        offset += 10000
    names = {s["sensor_id"]: helpers.regionaliot_feed_sensor_name(s) for s in latest["sensors"]}
    thresholds = []
    if len(latest["sensors"]) == 1 or len({(s["warning_level"], s["danger_level"]) for s in latest["sensors"]}) == 1:
        sensor = latest["sensors"][0] if latest["sensors"] else {}
        if sensor.get("warning_level") is not None:
            thresholds.append((sensor["warning_level"], helpers.regionaliot_feed_state_label(
                "warning", sensor.get("kind")), "#a86b00"))
        if sensor.get("danger_level") is not None:
            thresholds.append((sensor["danger_level"], helpers.regionaliot_feed_state_label(
                "danger", sensor.get("kind")), "#b5462b"))
    svg = chart.render(series, start, end, names, thresholds,
                       _("Observations of the last %(num)d hours") % {"num": hours}, _("No observations yet"), JST)
    response = make_response(svg)
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


def sensors_geojson(id: str):
    """The feed's sensors with their latest values and states (RFC 7946 GeoJSON)."""
    response = _json(files.sensors_geojson(_latest(id)))
    response.headers["Content-Type"] = "application/geo+json; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


def observations_csv(id: str):
    args = tk.request.args
    data = {"id": id, "start": args.get("start", ""), "end": args.get("end", ""),
            "sensor_id": args.get("sensor_id", ""), "resolution": args.get("resolution", "raw"),
            "limit": args.get("limit", "10000"), "offset": args.get("offset", "0")}
    data = {k: v for k, v in data.items() if v != ""}
    try:
        result = tk.get_action("regionaliot_feed_query")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, _("No feed named %s") % id)
    except tk.NotAuthorized:
        return tk.abort(403, _("Not authorized to use this feed"))
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(f"{k}: {v}" for k, v in _errors(error).items()))
    out = io.StringIO()
    raw = result["resolution"] == "raw"
    fields = list(observations.FIELDS) if raw else ["sensor_id", "observed_at", "value", "min", "max", "count"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(result["records"])
    response = make_response("\ufeff" + out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{result["feed"]}-observations.csv"'
    return response


feeds.add_url_rule("/api/feeds/<id>/observations", view_func=push, methods=["POST"])
feeds.add_url_rule("/feeds", view_func=index)
feeds.add_url_rule("/feeds/<id>", view_func=read)
feeds.add_url_rule("/feeds/<id>/chart.svg", view_func=chart_svg)
feeds.add_url_rule("/feeds/<id>/observations.csv", view_func=observations_csv)
feeds.add_url_rule("/feeds/<id>/sensors.geojson", view_func=sensors_geojson)
