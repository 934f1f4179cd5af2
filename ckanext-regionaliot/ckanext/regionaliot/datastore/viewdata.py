"""The rows behind the map and chart views, read through ``datastore_search`` as the viewer
(a private dataset's rows stay private), and what the views show of them.

The chart's figures and SVG are the stories' pure functions (aggregate.compute, svg.*):
one implementation of the grouping, the pyramid and the drawing for both features.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib import config
from ckanext.regionaliot.lib.charts import aggregate, svg

from . import rowviews

PAGE = 32000  # rows per datastore_search call (CKAN's default rows_max)


class ViewDataError(Exception):
    """What the view shows instead of its figure: a translated message."""


def table(context: dict[str, Any], resource_id: str, fields: list[str] | None = None,
          limit: int = 0) -> tuple[list[str], list[dict[str, Any]], bool]:
    """(columns, rows, truncated) of a DataStore table, up to ``limit`` rows (0: just the
    columns), as the viewer may read it."""
    columns: list[str] = []
    rows: list[dict[str, Any]] = []
    search = tk.get_action("datastore_search")
    while True:
        params: dict[str, Any] = {"resource_id": resource_id, "include_total": False,
                                  "limit": min(PAGE, limit - len(rows)), "offset": len(rows),
                                  "sort": "_id"}
        if fields:
            params["fields"] = ["_id"] + fields
        try:
            page = search(dict(context), params)
        except tk.ObjectNotFound:
            raise ViewDataError(tk._("This resource has no table in the DataStore yet.")) from None
        except (tk.NotAuthorized, tk.ValidationError):
            raise ViewDataError(tk._("The table of this resource cannot be read.")) from None
        if not columns:
            columns = [f["id"] for f in page.get("fields", []) if f["id"] != "_id"]
        records = page.get("records") or []
        rows.extend(records)
        if len(rows) >= limit or len(records) < params["limit"] or not params["limit"]:
            break
    truncated = bool(limit) and len(rows) >= limit
    return columns, rows, truncated


def map_columns(context: dict[str, Any], resource_id: str, settings: dict[str, Any]
                ) -> tuple[list[str], tuple[str, str] | None]:
    columns, _rows, _t = table(context, resource_id)
    return columns, rowviews.coordinate_columns(columns, settings.get("latitude_field"),
                                                settings.get("longitude_field"))


def map_points(context: dict[str, Any], resource_id: str, settings: dict[str, Any]
               ) -> dict[str, Any]:
    """{"points": [[lat, lon, _id], ...], "skipped", "truncated"} of the view's columns."""
    columns, found = map_columns(context, resource_id, settings)
    if not found:
        raise ViewDataError(tk._("No latitude and longitude columns were found (such as "
                                 "緯度 and 経度). Choose them in the view's settings."))
    limit = config.get_int("ckanext.regionaliot.datastore.map_max_points")
    _c, rows, truncated = table(context, resource_id, list(found), limit)
    points, skipped = rowviews.points(rows, *found)
    return {"latitude": found[0], "longitude": found[1], "points": points,
            "skipped": skipped, "truncated": truncated}


def _message(error: Exception) -> str:
    msgid = getattr(error, "msgid", str(error))
    return tk._(msgid).format(**getattr(error, "params", {}))


def chart(context: dict[str, Any], resource_id: str, settings: dict[str, Any],
          ident: str, title: str) -> dict[str, Any]:
    """The chart view's SVG and figures, or {"error": message}."""
    try:
        columns, _r, _t = table(context, resource_id)
        spec = rowviews.chart_spec(settings, columns)
        limit = config.get_int("ckanext.regionaliot.datastore.chart_max_rows")
        columns, rows, truncated = table(context, resource_id, None, limit)
        result = aggregate.compute(spec, rows, columns)
    except ViewDataError as error:
        return {"error": str(error)}
    except (rowviews.ChartSettingsError, aggregate.AggregationError) as error:
        return {"error": _message(error)}
    if result.empty:
        return {"error": tk._("The table has no rows to draw.")}
    desc = tk._("{count} groups from {rows} rows of the table.").format(
        count=len(result.rows), rows=len(rows))
    if spec["aggregation"] == "pyramid":
        drawing = svg.pyramid_chart(result, title, desc, ident, tk._("Male"), tk._("Female"))
        headers = [tk._("Age"), tk._("Male"), tk._("Female")]
    elif spec["aggregation"] == "timeseries":
        drawing = svg.line_chart(result, title, desc, ident)
        headers = [spec["group"], spec.get("value") or tk._("Rows")]
    else:
        drawing = svg.bar_chart(result, title, desc, ident)
        headers = [spec["group"], spec.get("value") or tk._("Rows")]
    notes = []
    if truncated:
        notes.append(tk._("Only the first {limit} rows were counted.").format(limit=limit))
    if result.skipped:
        notes.append(tk._("{count} cells were not numbers and were left out.").format(
            count=result.skipped))
    notes.extend(tk._(note) for note in result.notes)
    return {"svg": drawing, "headers": headers, "notes": notes,
            "rows": [(label, [aggregate.fmt(v) for v in values])
                     for label, values in result.rows]}


def chart_form(context: dict[str, Any], resource_id: str) -> dict[str, Any]:
    """The columns the chart form offers, and whether the table is a population table."""
    try:
        columns, _r, _t = table(context, resource_id)
    except ViewDataError as error:
        return {"columns": [], "pyramid": False, "error": str(error)}
    return {"columns": columns, "pyramid": bool(aggregate.pyramid_columns(columns)),
            "defaults": rowviews.default_chart(columns, aggregate.pyramid_columns(columns))}
