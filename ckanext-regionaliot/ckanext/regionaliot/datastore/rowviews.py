"""What the map and chart views of a table's rows decide, without CKAN.

Map: which columns hold latitude and longitude (the standard datasets' 緯度/経度, the usual
English names, or the editor's choice) and which cells are a point. Chart: the aggregation
a view asks for, checked against the table's columns; the figures themselves are the
shared pure chart modules (``ckanext.regionaliot.lib.charts.aggregate``), drawn by its SVG functions.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

LATITUDE_NAMES = ("緯度", "latitude", "lat", "y")
LONGITUDE_NAMES = ("経度", "longitude", "lon", "lng", "long", "x")

# The chart kinds a view offers (the stories' aggregations that fit one table).
CHART_KINDS = ("timeseries", "sum", "count", "mean", "pyramid")


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().lower()


def coordinate_columns(columns: Sequence[str], latitude: str | None = None,
                       longitude: str | None = None) -> tuple[str, str] | None:
    """(latitude column, longitude column): the editor's choice when both exist in the
    table, otherwise the first columns named like 緯度 and 経度; None when there are none."""
    if latitude and longitude and latitude in columns and longitude in columns:
        return latitude, longitude
    by_key = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    lat = next((by_key[n] for n in LATITUDE_NAMES if n in by_key), None)
    lon = next((by_key[n] for n in LONGITUDE_NAMES if n in by_key), None)
    return (lat, lon) if lat and lon and lat != lon else None


def coordinate(value: Any) -> float | None:
    """A cell as a number (全角 digits too); None for blanks and anything else."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def point(latitude: Any, longitude: Any) -> tuple[float, float] | None:
    """(lat, lon) when both cells are coordinates on the globe; 0,0 is a blank that a
    spreadsheet filled in, not a place in the Gulf of Guinea."""
    lat, lon = coordinate(latitude), coordinate(longitude)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None
    return lat, lon


def points(rows: Sequence[Mapping[str, Any]], latitude: str, longitude: str
           ) -> tuple[list[list[float]], int]:
    """([lat, lon, _id] of each row that has a point, rows without one)."""
    found: list[list[float]] = []
    skipped = 0
    for row in rows:
        where = point(row.get(latitude), row.get(longitude))
        if where is None:
            skipped += 1
        else:
            found.append([round(where[0], 7), round(where[1], 7), row.get("_id")])
    return found, skipped


class ChartSettingsError(ValueError):
    """A chart view's settings that do not fit the table: ``msgid`` says why."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


def default_chart(columns: Sequence[str], pyramid_columns: Sequence[Any]) -> dict[str, str]:
    """The chart a new view starts with: the population pyramid where the table has the
    standard age columns, otherwise the row count of its first column."""
    if pyramid_columns:
        return {"kind": "pyramid"}
    return {"kind": "count", "group": columns[0]} if columns else {"kind": "count"}


def chart_spec(settings: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """The stories' block spec (``aggregate.compute``) of a chart view's settings, every
    column checked against the table (a column renamed by a new file is said, not a 500)."""
    kind = settings.get("kind") or "count"
    if kind not in CHART_KINDS:
        raise ChartSettingsError("Unknown chart kind: {kind}", kind=str(kind))
    group = settings.get("group") or ""
    value = settings.get("value") or ""
    if kind == "pyramid":
        where = settings.get("where_column") or ""
        if where and where not in columns:
            raise ChartSettingsError("The table has no column 「{column}」.", column=where)
        spec: dict[str, Any] = {"aggregation": "pyramid"}
        if where:
            spec.update(where_column=where, where_value=settings.get("where_value") or "")
        return spec
    if not group:
        raise ChartSettingsError("Choose the column to group by.")
    for column in (group, value):
        if column and column not in columns:
            raise ChartSettingsError("The table has no column 「{column}」.", column=column)
    if kind in ("sum", "mean") and not value:
        raise ChartSettingsError("Choose the column with the numbers.")
    spec = {"aggregation": kind, "group": group, "value": value if kind != "count" else ""}
    if kind in ("sum", "count", "mean"):
        spec["sort"] = "value" if settings.get("sort") == "value" else "first"
    return spec
