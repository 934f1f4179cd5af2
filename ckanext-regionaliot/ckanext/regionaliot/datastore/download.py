"""The preview's filtered download as DataStore dump parameters (no CKAN).

The datatables view posts its state (``params``: the search box, each column's search, the
sort, which columns are visible) as JSON; this turns it into the query of
``/datastore/dump/<id>``, keeping Japanese search values as they are.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

FORMATS = ("csv", "tsv", "json", "xml")


def parse_params(text: str) -> dict[str, Any] | None:
    """The posted state, or None when it is not a JSON object."""
    try:
        params = json.loads(text)
    except (TypeError, ValueError):
        return None
    return params if isinstance(params, dict) else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def dump_query(params: dict[str, Any], cols: Sequence[str],
               search_value: Callable[[str], str]) -> dict[str, Any]:
    """q (the column searches as a JSON object, else the search box), sort and fields of
    the dump; malformed parts of ``params`` are ignored, never an error."""
    column_search = {}
    for column in params.get("columns") or []:
        if not isinstance(column, dict):
            continue
        value = _str((column.get("search") or {}).get("value")
                     if isinstance(column.get("search"), dict) else "")
        name = _str(column.get("name"))
        if value and name in cols:
            column_search[name] = search_value(value)
    search = params.get("search")
    text = _str(search.get("value")) if isinstance(search, dict) else ""
    if column_search:
        q = json.dumps(column_search, ensure_ascii=False)
    else:
        q = search_value(text) if text else ""
    sort = []
    for order in params.get("order") or []:
        if not isinstance(order, dict):
            continue
        try:
            index = int(order.get("column"))
        except (TypeError, ValueError):
            continue
        if 0 <= index < len(cols):
            direction = "desc" if order.get("dir") == "desc" else "asc"
            sort.append(f'"{cols[index]}" {direction}')
    visible = params.get("visible")
    fields = list(cols)
    if isinstance(visible, list) and len(visible) == len(cols):
        fields = [c for c, shown in zip(cols, visible, strict=True) if shown] or list(cols)
    return {"q": q, "plain": False, "language": "simple", "sort": ",".join(sort) or "_id",
            "fields": ",".join(fields)}
