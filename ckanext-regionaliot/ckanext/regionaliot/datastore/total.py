"""datastore_search's total for a q or filters: exact up to the threshold, estimated above
it (counting.py says how and why). Chained to CKAN's action (logic/action.py): the page
comes from CKAN with ``include_total=false``, and the count runs here with the query that
the IDatastore hooks built (plugin.datastore_search hands it over through the context).

The answer keeps CKAN's shape: ``total`` (an integer), ``total_was_estimated`` and
``total_estimation_threshold`` (the threshold that applied). A client that wants the exact
count of a large match asks ``total_estimation_threshold`` larger than the table.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.datastore.backend.postgres import get_read_engine, identifier
from ckanext.regionaliot.lib import config

from . import counting

SETTING = "ckanext.regionaliot.datastore.total_estimation_threshold"
# Where the IDatastore hook leaves (resource id, query_dict) for the count.
STASH = "regionaliot_datastore_count"
# CKAN's own statement timeout for datastore_search (milliseconds).
TIMEOUT_MS = 60000
QUERY_CANCELED = "57014"


def remember(context: dict[str, Any], data_dict: dict[str, Any],
             query_dict: dict[str, Any]) -> None:
    """IDatastore.datastore_search: the query as built, when this module asked for it."""
    if STASH in context:
        context[STASH] = (data_dict["resource_id"], query_dict)


def search(up_func: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    cap = counting.threshold(data_dict.get("total_estimation_threshold"),
                             config.get_int(SETTING))
    include_total = _flag(data_dict.get("include_total"), True)
    distinct = _flag(data_dict.get("distinct"), False)
    if cap is None or not include_total or distinct is not False:
        return up_func(context, data_dict)  # as CKAN does (DISTINCT: counted exactly)
    asked = dict(data_dict, total_estimation_threshold=cap)
    if not counting.filtered(data_dict):
        return up_func(context, asked)  # CKAN's own estimate from the table's statistics
    context[STASH] = None
    try:
        result = up_func(context, dict(asked, include_total=False))
        stashed = context.get(STASH)
    finally:
        context.pop(STASH, None)
    if not stashed or stashed[0] == "_table_metadata":
        return up_func(context, {**data_dict, "total_estimation_threshold": None})
    resource_id, query = stashed
    result["include_total"] = True
    result["total"], result["total_was_estimated"] = count(resource_id, query, cap)
    return result


def _flag(value: Any, default: bool) -> bool | None:
    """A boolean parameter as CKAN's schema reads it (boolean_validator); None when CKAN
    would fail on it (its own validation answers then)."""
    if value is None:
        return default
    try:
        return tk.get_validator("boolean_validator")(value, {})
    except Exception:  # noqa: BLE001 (e.g. a number in a JSON body)
        return None


def count(resource_id: str, query: dict[str, Any], cap: int) -> tuple[int, bool]:
    """(total, estimated) of the query's matches, read as datastore_search reads."""
    table = identifier(resource_id)
    condition, params = counting.where(query.get("where") or [])
    ts_query = query.get("ts_query") or ""
    try:
        with get_read_engine().begin() as conn:
            conn.execute(sa.text(f"SET LOCAL statement_timeout TO {TIMEOUT_MS}"))
            counted = conn.execute(sa.text(counting.capped_count_sql(
                table, ts_query, condition, cap)), params).scalar()
            if counted <= cap:
                return counted, False
            rows = conn.execute(sa.text(
                "SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                {"t": table}).scalar()
            percent = counting.sample_percent(rows)
            if percent is None:  # small, or no statistics yet: count them all
                return conn.execute(sa.text(counting.count_sql(table, ts_query, condition)),
                                    params).scalar(), False
            matched, sampled = conn.execute(sa.text(counting.sample_sql(
                table, ts_query, condition, percent)), params).one()
            return counting.estimate(matched, sampled, rows, cap + 1), True
    except sa.exc.DBAPIError as exc:
        if getattr(exc.orig, "pgcode", None) == QUERY_CANCELED:
            raise tk.ValidationError({"query": ["Search took too long"]}) from None
        raise tk.ValidationError({"query": ["Invalid query"]}) from None
