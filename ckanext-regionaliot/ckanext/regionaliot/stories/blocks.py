"""A story's blocks: what each kind holds, their checks, and where they sit in the body
(no CKAN). Messages are msgids (English) with parameters; the action translates them.

A block is a JSON object with ``type`` text | chart | figure | table | map | matrix. The body
places block N (1-based) with a line ``[[block:N]]``; blocks it does not place follow
the body in order.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..lib.charts.aggregate import AGGREGATIONS, FIGURE_AGGREGATIONS
from ..lib.charts.svg import CHART_TYPES

TYPES = ("text", "chart", "figure", "table", "map", "matrix")
MAP_MODES = ("members", "points")
MAP_AGGREGATIONS = ("sum", "count", "rate")
SORTS = ("first", "value", "label")
MAX_BLOCKS = 30
MAX_TABLE_ROWS = 200
TEXT_FIELDS = ("title", "title_en", "caption", "caption_en", "body", "body_en", "label",
               "label_en", "unit", "unit_en", "value", "change", "change_en")
COLUMN_FIELDS = ("group", "value", "where_column", "where_value", "population_group",
                 "population_value", "member_column", "lat", "lon", "name")
ID_FIELDS = ("resource", "population_resource")
LIST_FIELDS = ("columns",)
TEXT_MAX = 20000

# Chart types each aggregation can be drawn as.
CHARTS_FOR = {"pyramid": ("pyramid",), "timeseries": ("line", "bar")}

PLACE = re.compile(r"^\s*\[\[block:(\d+)\]\]\s*$")

Error = tuple[str, dict[str, Any]]


def parse(value: Any) -> tuple[list[dict[str, Any]], list[Error]]:
    """Blocks from JSON text or a list; unknown keys are dropped, values kept as text."""
    if value in (None, ""):
        return [], []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [], [("The blocks are not valid JSON.", {})]
    if not isinstance(value, list):
        return [], [("The blocks must be a list.", {})]
    if len(value) > MAX_BLOCKS:
        return [], [("At most {n} blocks.", {"n": MAX_BLOCKS})]
    blocks: list[dict[str, Any]] = []
    errors: list[Error] = []
    for number, raw in enumerate(value, start=1):
        if not isinstance(raw, Mapping):
            errors.append(("Block {n}: not an object.", {"n": number}))
            continue
        block, block_errors = clean(raw, number)
        blocks.append(block)
        errors.extend(block_errors)
    return blocks, errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()


def clean(raw: Mapping[str, Any], number: int) -> tuple[dict[str, Any], list[Error]]:
    kind = _text(raw.get("type"))
    block: dict[str, Any] = {"type": kind}
    errors: list[Error] = []
    for key in (*TEXT_FIELDS, *COLUMN_FIELDS, *ID_FIELDS, "aggregation", "chart", "mode",
                "sort"):
        text = _text(raw.get(key))
        if len(text) > TEXT_MAX:
            errors.append(("Block {n}: {field} is too long.", {"n": number, "field": key}))
            text = text[:TEXT_MAX]
        if text:
            block[key] = text
    columns = raw.get("columns")
    if isinstance(columns, str):
        columns = [c for c in columns.split(",")]
    if isinstance(columns, list):
        block["columns"] = [_text(c) for c in columns if _text(c)][:50]
    limit = raw.get("limit")
    if limit not in (None, ""):
        try:
            block["limit"] = max(1, min(MAX_TABLE_ROWS, int(str(limit))))
        except ValueError:
            errors.append(("Block {n}: the number of rows must be a whole number.",
                           {"n": number}))
    if kind not in TYPES:
        errors.append(("Block {n}: unknown type {type}.", {"n": number, "type": kind}))
        return block, errors
    errors.extend(_check(block, number))
    return block, errors


def _missing(block: Mapping[str, Any], number: int, *fields: str) -> list[Error]:
    return [("Block {n}: {field} is required.", {"n": number, "field": f})
            for f in fields if not block.get(f)]


def _check(block: dict[str, Any], number: int) -> list[Error]:
    kind = block["type"]
    if kind == "text":
        return _missing(block, number, "body")
    if kind == "figure":
        if not block.get("resource"):
            return _missing(block, number, "label", "value")  # a figure as written
        # Computed from the resource: Σ value, the row count or the mean, over all rows
        # or those whose where_column reads as where_value.
        aggregation = block.setdefault("aggregation", "sum" if block.get("value") else "count")
        errors = _missing(block, number, "label")
        if aggregation not in FIGURE_AGGREGATIONS:
            errors.append(("Block {n}: unknown aggregation {name}.",
                           {"n": number, "name": aggregation}))
        elif aggregation != "count":
            errors += _missing(block, number, "value")
        return errors
    if kind == "table":
        return _missing(block, number, "resource")
    if kind == "matrix":
        return []  # the catalogue itself: which standard datasets each member publishes
    if kind == "chart":
        errors = _missing(block, number, "resource", "aggregation")
        aggregation = block.get("aggregation", "")
        if aggregation and aggregation not in AGGREGATIONS:
            errors.append(("Block {n}: unknown aggregation {name}.",
                           {"n": number, "name": aggregation}))
            return errors
        if aggregation and aggregation != "pyramid":
            errors += _missing(block, number, "group")
        if aggregation in ("sum", "mean"):
            errors += _missing(block, number, "value")
        if aggregation == "rate":
            errors += _missing(block, number, "population_resource", "population_group",
                               "population_value")
        allowed = CHARTS_FOR.get(aggregation, ("bar",))
        chart = block.setdefault("chart", allowed[0])
        if chart not in CHART_TYPES or chart not in allowed:
            errors.append(("Block {n}: a {aggregation} cannot be drawn as {chart}.",
                           {"n": number, "aggregation": aggregation, "chart": chart}))
        if block.get("sort", "first") not in SORTS:
            errors.append(("Block {n}: unknown order {name}.",
                           {"n": number, "name": block["sort"]}))
        return errors
    # map
    mode = block.setdefault("mode", "members")
    if mode not in MAP_MODES:
        return [("Block {n}: unknown map {name}.", {"n": number, "name": mode})]
    if mode == "points":
        return _missing(block, number, "resource", "lat", "lon")
    errors = _missing(block, number, "resource", "member_column")
    aggregation = block.setdefault("aggregation", "sum" if block.get("value") else "count")
    if aggregation not in MAP_AGGREGATIONS:
        errors.append(("Block {n}: unknown aggregation {name}.",
                       {"n": number, "name": aggregation}))
    if aggregation == "sum":
        errors += _missing(block, number, "value")
    if aggregation == "rate":
        errors += _missing(block, number, "population_resource", "population_group",
                           "population_value")
    return errors


PICK_FIELDS = ("resource", "aggregation", "group", "value", "chart", "title")


def add_chart(blocks_text: str, pick: Mapping[str, Any]) -> tuple[str, list[Error]]:
    """The staff form's picker: a chart block made of the picked resource, columns,
    aggregation and chart type, appended to the blocks' JSON (the text unchanged and the
    messages, when the blocks or the new block do not pass their checks)."""
    parsed, errors = parse(blocks_text)
    if errors:
        return blocks_text, errors
    raw = {"type": "chart", **{k: pick.get(k) for k in PICK_FIELDS if pick.get(k)}}
    if raw.get("aggregation") == "pyramid":
        raw["chart"] = "pyramid"
        raw.pop("group", None)
        raw.pop("value", None)
    elif raw.get("aggregation") in ("count", "share"):
        raw.pop("value", None)
    block, errors = clean(raw, len(parsed) + 1)
    if len(parsed) >= MAX_BLOCKS:
        errors.append(("At most {n} blocks.", {"n": MAX_BLOCKS}))
    if errors:
        return blocks_text, errors
    return json.dumps([*parsed, block], ensure_ascii=False, indent=2), []


def resources(blocks: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every resource the blocks read (for the sources list), in order, once each."""
    seen: list[str] = []
    for block in blocks:
        for key in ID_FIELDS:
            value = block.get(key)
            if value and value not in seen:
                seen.append(value)
    return seen


def layout(body: str, count: int) -> list[tuple[str, Any]]:
    """The body cut at its ``[[block:N]]`` lines: ("markdown", text) and ("block", index
    0-based) in reading order; blocks the body does not place (or places twice) follow
    once each. A placeholder for a block that does not exist stays as text."""
    parts: list[tuple[str, Any]] = []
    placed: set[int] = set()
    chunk: list[str] = []
    for line in (body or "").splitlines():
        match = PLACE.match(line)
        index = int(match.group(1)) - 1 if match else -1
        if match and 0 <= index < count and index not in placed:
            if chunk:
                parts.append(("markdown", "\n".join(chunk)))
                chunk = []
            parts.append(("block", index))
            placed.add(index)
        else:
            chunk.append(line)
    if chunk and any(line.strip() for line in chunk):
        parts.append(("markdown", "\n".join(chunk)))
    parts.extend(("block", i) for i in range(count) if i not in placed)
    return parts
