"""The map and chart views of a table's rows (IResourceView: one view type per plugin, so
two small plugins beside ``regionaliot_datastore``, which serves their data and catalogue).

Written here because neither maintained extension fits (issue 8, tried on CKAN 2.11.6):
ckanext-geoview 0.3.2 has no view for latitude/longitude columns; ckanext-charts 1.13.5
loads and draws (Plotly, offline) but has no Japanese catalogue for its ~150 form texts, no
population pyramid and no table of the figures, and pulls plotly, narwhals and pycountry.
The chart here is the stories' server-side SVG, so one drawing serves both features.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib import config

from . import rowviews, viewdata


def _text() -> list[Any]:
    return [tk.get_validator("ignore_missing"), tk.get_validator("unicode_safe")]


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else ""}


class RegionalIoTMapViewPlugin(p.SingletonPlugin):
    p.implements(p.IResourceView, inherit=True)

    def info(self) -> dict[str, Any]:
        return {"name": "regionaliot_map_view", "title": tk._("Map of the rows"),
                "default_title": tk._("Map"), "icon": "map-marker",
                "iframed": False, "requires_datastore": True, "preview_enabled": True,
                "schema": {"latitude_field": _text(), "longitude_field": _text()}}

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return bool(data_dict["resource"].get("datastore_active"))

    def setup_template_variables(self, context: dict[str, Any], data_dict: dict[str, Any]
                                 ) -> dict[str, Any]:
        view = data_dict.get("resource_view") or {}
        resource_id = data_dict["resource"]["id"]
        try:
            columns, found = viewdata.map_columns(_context(), resource_id, view)
            error = None
        except viewdata.ViewDataError as exc:
            columns, found, error = [], None, str(exc)
        if not error and not found:
            error = tk._("No latitude and longitude columns were found (such as 緯度 and "
                         "経度). Choose them in the view's settings.")
        return {"map": {
            "error": error, "columns": columns,
            "latitude": found[0] if found else "", "longitude": found[1] if found else "",
            "points_url": tk.h.url_for("regionaliot_datastore_views.points",
                                       resource_id=resource_id,
                                       latitude=found[0] if found else "",
                                       longitude=found[1] if found else ""),
            "row_url": tk.h.url_for("api.action", ver=3, logic_function="datastore_search"),
            "tiles": config.get_str("ckanext.regionaliot.datastore.map_tiles"),
            "attribution": config.get_str("ckanext.regionaliot.datastore.map_attribution"),
        }}

    def view_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "regionaliot/datastore/map_view.html"

    def form_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "regionaliot/datastore/map_form.html"


class RegionalIoTChartViewPlugin(p.SingletonPlugin):
    p.implements(p.IResourceView, inherit=True)

    def info(self) -> dict[str, Any]:
        return {"name": "regionaliot_chart_view", "title": tk._("Chart of the rows"),
                "default_title": tk._("Chart"), "icon": "chart-bar",
                "iframed": False, "requires_datastore": True, "preview_enabled": True,
                "schema": {name: _text() for name in ("kind", "group", "value", "where_column",
                                                    "where_value", "sort")}}

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return bool(data_dict["resource"].get("datastore_active"))

    def setup_template_variables(self, context: dict[str, Any], data_dict: dict[str, Any]
                                 ) -> dict[str, Any]:
        view = dict(data_dict.get("resource_view") or {})
        resource_id = data_dict["resource"]["id"]
        form = viewdata.chart_form(_context(), resource_id)
        settings = view if view.get("kind") else dict(form.get("defaults") or {}, **view)
        ident = "regionaliot-chart-" + (view.get("id") or resource_id)[:8]
        title = view.get("title") or tk._("Chart")
        return {"chart": viewdata.chart(_context(), resource_id, settings, ident, title),
                "chart_form": form, "chart_settings": settings,
                "chart_kinds": rowviews.CHART_KINDS}

    def view_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "regionaliot/datastore/chart_view.html"

    def form_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "regionaliot/datastore/chart_form.html"
