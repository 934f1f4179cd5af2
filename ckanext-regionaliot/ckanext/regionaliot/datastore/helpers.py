"""Template helpers of ``regionaliot_datastore``: the 「データAPI」 box, the table note and
the data dictionary's column types."""
from __future__ import annotations

import json
import re
import shlex
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from flask_babel import pgettext

from ckanext.datastore.helpers import datastore_search_sql_enabled

from . import hooks

__all__ = ["regionaliot_datastore_api", "regionaliot_datastore_table_note",
           "regionaliot_datastore_type_label"]

_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005]+")
# Columns a newcomer filters on first, when the table has them.
_FILTER_FIRST = ("地方公共団体名", "所在地_市区町村", "市区町村名", "種別", "分類")
_WORD_FIRST = ("市区町村名", "地方公共団体名", "所在地_市区町村", "名称")
_NUMERIC = ("int", "int4", "int8", "numeric", "float8")


def japanese_word(row: dict[str, Any], fields: list[dict[str, Any]]) -> str | None:
    """A word from the table's first row to show substring search with (倉敷市 → 倉敷),
    from the columns people search first when the table has them."""
    first = [f for name in _WORD_FIRST for f in fields if f["id"] == name]
    for field in first + fields:
        value = row.get(field["id"])
        match = _RUN_RE.search(value) if isinstance(value, str) else None
        if match:
            run = match.group(0)
            return run[:2] if len(run) >= 3 else run
    return None


def filter_example(row: dict[str, Any], fields: list[dict[str, Any]]) -> tuple[str, str] | None:
    by_id = {f["id"]: f for f in fields}
    names = [n for n in _FILTER_FIRST if n in by_id] + [f["id"] for f in fields]
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value and len(value) <= 20 and by_id[name]["type"] == "text":
            return name, value
    return None


def regionaliot_datastore_api(resource_id: str) -> dict[str, Any] | None:
    """Ready-to-copy examples of this resource's DataStore API, with its own id, a Japanese
    word and a filter from its first row; None when the table cannot be read."""
    try:
        first = tk.get_action("datastore_search")({}, {"resource_id": resource_id, "limit": 1})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    fields = [f for f in first["fields"] if f["id"] != "_id"]
    row = (first.get("records") or [{}])[0]
    endpoint = tk.h.url_for("api.action", ver=3, logic_function="datastore_search",
                            _external=True)
    site = endpoint.split("/api/3/")[0]
    word = japanese_word(row, fields)
    filt = filter_example(row, fields)
    numeric = next((f["id"] for f in fields if f["type"] in _NUMERIC), None)

    examples: list[dict[str, Any]] = []

    def add(title: str, params: dict[str, Any]) -> None:
        query = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
                 for k, v in params.items()}
        url = endpoint + "?" + urlencode(query)
        python_args = ", ".join(f"{k}={v!r}" for k, v in params.items())
        examples.append({"title": title, "url": url, "curl": "curl " + shlex.quote(url),
                         "python": f"ckan.action.datastore_search({python_args})"})

    add(tk._("The first 5 rows"), {"resource_id": resource_id, "limit": 5})
    if word:
        add(tk._("Rows containing 「{word}」 in any column (part of a word is enough)")
            .format(word=word), {"resource_id": resource_id, "q": word, "limit": 5})
    if filt:
        add(tk._("Rows whose 「{column}」 is exactly 「{value}」").format(column=filt[0],
                                                                  value=filt[1]),
            {"resource_id": resource_id, "filters": {filt[0]: filt[1]}, "limit": 5})
    if numeric:
        add(tk._("The 5 largest values of 「{column}」 (a numeric column)").format(column=numeric),
            {"resource_id": resource_id, "sort": f'"{numeric}" desc', "limit": 5})
    sql = None
    if datastore_search_sql_enabled():
        column = filt[0] if filt else (fields[0]["id"] if fields else "_id")
        statement = (f'SELECT "{column}", count(*) AS n FROM "{resource_id}" '
                     f'GROUP BY "{column}" ORDER BY n DESC LIMIT 10')
        sql_url = tk.h.url_for("api.action", ver=3, logic_function="datastore_search_sql",
                               _external=True) + "?" + urlencode({"sql": statement})
        sql = {"statement": statement, "curl": "curl " + shlex.quote(sql_url),
               "python": f"ckan.action.datastore_search_sql(sql={statement!r})"}
    return {"resource_id": resource_id, "site": site, "endpoint": endpoint,
            "examples": examples, "sql": sql,
            "columns": [{"id": f["id"], "type": f["type"]} for f in fields],
            "python_setup": f"from ckanapi import RemoteCKAN\nckan = RemoteCKAN({site!r})",
            "note": regionaliot_datastore_table_note(resource_id)}


def regionaliot_datastore_table_note(resource_id: str) -> dict[str, Any] | None:
    """What the page says about the table's column types: typed from the standard schema,
    text because the file has errors, or nothing (not a standard dataset)."""
    state = hooks.table_state(resource_id)
    texts = {
        "typed": tk._("Numbers, dates and times in this table have the types of the standard "
                      "schema: filter, sort and compare them as values."),
        "errors": tk._("The file has validation errors, so every column of this table is "
                       "text (nothing is lost). Correct the file to get numeric and date "
                       "columns."),
        "pending": tk._("The file is being validated; the columns are text until it passes."),
        "text": tk._("The file passed validation; its columns are typed the next time the "
                     "table is loaded."),
    }
    if state["state"] not in texts:
        return None
    return dict(state, message=texts[state["state"]])




# A context of their own: "Text", "Date" and "Time" are CKAN's msgids too (its ja
# catalogue says テキスト), and a feature catalogue must not change them on every page.
TYPE_CONTEXT = "column type"


def _type_names() -> dict[str, str]:
    # Called per render: the names are translated in the request's language.
    def name(msgid: str) -> str:
        return pgettext(TYPE_CONTEXT, msgid)

    return {"text": name("Text"), "numeric": name("Number"), "float8": name("Number"),
            "int": name("Integer"), "int4": name("Integer"), "int8": name("Integer"),
            "date": name("Date"), "time": name("Time"), "timestamp": name("Date and time"),
            "bool": name("Yes or no")}


def regionaliot_datastore_type_label(column_type: str | None) -> str:
    """A DataStore column's type as the data dictionary shows it: its name in the page's
    language, then PostgreSQL's (which datastore_search_sql and its casts use), e.g.
    「数値 (numeric)」; a type without a name (json, arrays) as PostgreSQL writes it."""
    column_type = column_type or ""
    name = _type_names().get(column_type)
    return f"{name} ({column_type})" if name else column_type
