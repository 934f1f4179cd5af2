"""The DataStore's actions, chained.

``datastore_search``: the total of a q or filters affordable on large tables (total.py).

``datastore_search_sql`` with the database's refusals said as a 409, not a 500.

CKAN turns syntax and permission errors into a ValidationError but passes the others up
(a value that cannot be cast, a division by zero, a number out of range: PostgreSQL's
class 22 and 23 errors), which the API answers with HTTP 500 and no message. Chained here
(after CKAN's own handling), they become a ValidationError with a Japanese-first message
and the database's own first line.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from .. import rows, sqlerrors, total

__all__ = ["datastore_search", "datastore_search_sql", "datastore_create", "datastore_upsert", "datastore_delete",
           "datastore_records_delete", "datastore_run_triggers"]


@tk.side_effect_free
@tk.chained_action
def datastore_search(up_func, context: Any, data_dict: dict[str, Any]) -> Any:
    """The total of a q or filters: exact up to total_estimation_threshold (the request's,
    else the site's), estimated above it and said so (total.py, counting.py)."""
    return total.search(up_func, context, data_dict)


@tk.side_effect_free
@tk.chained_action
def datastore_search_sql(up_func, context: Any, data_dict: dict[str, Any]) -> Any:
    try:
        return up_func(context, data_dict)
    except sa.exc.DBAPIError as exc:
        orig = getattr(exc, "orig", None)
        msgid = sqlerrors.message(getattr(orig, "pgcode", None))
        raise tk.ValidationError({
            "sql": [tk._(msgid)],
            "info": {"orig": [sqlerrors.first_line(orig if orig is not None else exc)]},
        }) from None


# The writing actions, chained only to send the one "rows changed" signal (rows.py) after
# they succeeded; the DataStore has committed by then.
def _signal(up_func, context: Any, data_dict: dict[str, Any]) -> Any:
    result = up_func(context, data_dict)
    resource_id = result.get("resource_id") if isinstance(result, dict) else None
    resource_id = resource_id or data_dict.get("resource_id") or data_dict.get("id")
    if resource_id and not data_dict.get("dry_run"):
        rows.changed(str(resource_id))
    return result


@tk.chained_action
def datastore_create(up_func, context, data_dict):
    return _signal(up_func, context, data_dict)


@tk.chained_action
def datastore_upsert(up_func, context, data_dict):
    return _signal(up_func, context, data_dict)


@tk.chained_action
def datastore_delete(up_func, context, data_dict):
    return _signal(up_func, context, data_dict)


@tk.chained_action
def datastore_records_delete(up_func, context, data_dict):
    return _signal(up_func, context, data_dict)


@tk.chained_action
def datastore_run_triggers(up_func, context, data_dict):
    return _signal(up_func, context, data_dict)
