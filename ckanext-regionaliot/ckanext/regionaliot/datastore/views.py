"""The table preview's search for Japanese (a fixed copy of the datatables view's ajax).

CKAN's datatables view turns every character outside [0-9a-zA-Z-] into ``_`` before it
asks datastore_search (ckanext/datatablesview/blueprint.py), so 倉敷 becomes ``__:*`` and
finds nothing. This blueprint answers the same URL first (the plugin is loaded before
datatables_view): search values with Japanese are passed as they are, and the IDatastore
hook (hooks.japanese_search) matches them as substrings; other values get the stock
treatment, so English and numbers behave as before. Its answer also says which totals
datastore_search estimated, so that the page shows them as 約 / "about"
(js/preview-estimates.js, templates/datatables/datatables_view.html).
"""
from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import urlencode

from ckan.common import json
from ckan.lib.helpers import decode_view_request_filters
from ckan.plugins.toolkit import (
    NotAuthorized,
    ObjectNotFound,
    ValidationError,
    _,
    abort,
    current_user,
    get_action,
    h,
    render,
    request,
)
from flask import Blueprint, jsonify

from ckanext.datatablesview.blueprint import merge_filters

from . import download, hackathon, jpsearch, viewdata

__all__ = ["regionaliot_datatables", "regionaliot_datastore_views"]

regionaliot_datatables = Blueprint("regionaliot_datatables", __name__)
# The map view's points and the hackathon page.
regionaliot_datastore_views = Blueprint("regionaliot_datastore_views", __name__)

_NOT_WORD_RE = re.compile(r"[^0-9a-zA-Z\-]+")


def search_value(value: str) -> str:
    """One search box value as the datatables view sends it to datastore_search."""
    if jpsearch.has_japanese(value):
        return value
    return _NOT_WORD_RE.sub("_", value) + ":*"


def _int(name: str, default: int) -> int:
    try:
        return int(request.form.get(name, default))
    except (TypeError, ValueError):
        return default


def ajax(resource_view_id: str):
    try:
        resource_view = get_action("resource_view_show")({}, {"id": resource_view_id})
    except ObjectNotFound:
        return json.dumps({"error": "Object not found"}), 404
    except NotAuthorized:
        return json.dumps({"error": "Not Authorized"}), 403
    draw = _int("draw", 0)
    offset = max(_int("start", 0), 0)
    limit = min(max(_int("length", 10), 0), 1000)
    search_text = str(request.form.get("search[value]", ""))
    view_filters = resource_view.get("filters", {})
    filters = merge_filters(view_filters, decode_view_request_filters())

    datastore_search = get_action("datastore_search")
    try:
        unfiltered = datastore_search({}, {"resource_id": resource_view["resource_id"],
                                           "limit": 0, "filters": view_filters})
    except ObjectNotFound:
        return json.dumps({"error": "Object not found"}), 404
    except NotAuthorized:
        return json.dumps({"error": "Not Authorized"}), 403

    cols = [f["id"] for f in unfiltered["fields"]]
    if "show_fields" in resource_view:
        cols = [c for c in cols if c in resource_view["show_fields"]]

    sort_list = []
    i = 0
    while f"order[{i}][column]" in request.form:
        number = _int(f"order[{i}][column]", -1)
        if 0 <= number < len(cols):
            direction = "desc" if request.form.get(f"order[{i}][dir]") == "desc" else "asc"
            sort_list.append(f'"{cols[number]}" {direction}')
        i += 1

    column_search = {}
    i = 0
    while f"columns[{i}][search][value]" in request.form:
        value = str(request.form[f"columns[{i}][search][value]"])
        if value:
            column_search[str(request.form.get(f"columns[{i}][name]", ""))] = search_value(value)
        i += 1

    if column_search:
        q: Any = column_search
    else:
        q = search_value(search_text) if search_text else ""

    try:
        response = datastore_search({}, {
            "q": q, "resource_id": resource_view["resource_id"], "plain": False,
            "language": "simple", "offset": offset, "limit": limit,
            "sort": ", ".join(sort_list), "filters": filters})
    except (ValidationError, ObjectNotFound, NotAuthorized):
        return json.dumps({"error": "Invalid search query... " + json.dumps(q)}), 400

    null_label = h.datatablesview_null_label()
    data = []
    for row in response["records"]:
        record = {col: escape(str(null_label if row.get(col, "") is None else row.get(col, "")))
                  for col in cols}
        record["DT_RowId"] = "row" + str(row.get("_id", ""))
        data.append(record)
    # A total datastore_search estimated (above the threshold, total.py) stays a number
    # for DataTables' paging; js/preview-estimates.js shows it as 約 / "about" by these flags.
    return json.dumps({"draw": draw, "recordsTotal": unfiltered.get("total", 0),
                       "recordsFiltered": response.get("total", 0), "data": data,
                       "recordsTotalEstimated": bool(unfiltered.get("total_was_estimated")),
                       "recordsFilteredEstimated": bool(response.get("total_was_estimated"))
                       }), 200


regionaliot_datatables.add_url_rule("/datatables/ajax/<resource_view_id>", view_func=ajax,
                                    methods=["POST"])


def filtered_download(resource_view_id: str):
    """The preview's 「絞り込んだ行をダウンロード」: what the table shows, with its Japanese
    search and column filters kept (the stock form turns them into ``_``), handed to the
    DataStore's streamed dump, which reads as the current user (a private table stays
    private). CSV gets a BOM so that Excel reads the Japanese as UTF-8."""
    try:
        resource_view = get_action("resource_view_show")({}, {"id": resource_view_id})
        view_filters = resource_view.get("filters", {})
        unfiltered = get_action("datastore_search")({}, {
            "resource_id": resource_view["resource_id"], "limit": 0, "filters": view_filters})
    except ObjectNotFound:
        return abort(404, _("Resource not found"))
    except NotAuthorized:
        return abort(403, _("Not authorized to read this table"))
    except ValidationError:
        return abort(400, _("The table could not be read."))
    cols = [f["id"] for f in unfiltered["fields"]]
    if "show_fields" in resource_view:
        cols = [c for c in cols if c in resource_view["show_fields"]]
    request_params = download.parse_params(request.form.get("params", ""))
    fmt = request.form.get("format", "csv")
    if request_params is None or fmt not in download.FORMATS:
        return abort(400, _("The download request is not valid."))
    query = download.dump_query(request_params, cols, search_value)
    query.update(filters=json.dumps(merge_filters(view_filters, decode_view_request_filters())),
                 format=fmt, bom=fmt in ("csv", "tsv"))
    return h.redirect_to(h.url_for("datastore.dump", resource_id=resource_view["resource_id"])
                         + "?" + urlencode(query))


regionaliot_datatables.add_url_rule("/datatables/filtered-download/<resource_view_id>",
                                    view_func=filtered_download, methods=["POST"])


def points(resource_id: str):
    """[lat, lon, _id] of the rows of a table, read as the viewer (the map view's data;
    its popups ask datastore_search for one row by _id)."""
    settings = {"latitude_field": request.args.get("latitude", ""),
                "longitude_field": request.args.get("longitude", "")}
    context = {"user": current_user.name if current_user else ""}
    try:
        return jsonify(viewdata.map_points(context, resource_id, settings))
    except viewdata.ViewDataError as error:
        return jsonify({"error": str(error)}), 404


def hackathon_page():
    return render("regionaliot/datastore/hackathon.html", hackathon.page())


regionaliot_datastore_views.add_url_rule("/regionaliot/rows/<resource_id>/points.json",
                                         view_func=points)
regionaliot_datastore_views.add_url_rule("/hackathon", view_func=hackathon_page)
