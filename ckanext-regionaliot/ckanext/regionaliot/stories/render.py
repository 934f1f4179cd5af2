"""A story's blocks made ready for the page: every aggregation computed on the server
(aggregate.py), drawn as SVG (svg.py), with its table, its CSV and its source. A block that
cannot be computed (missing resource or column, unreadable file) carries a message instead;
the page never fails because of one block.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib.i18n import N_

from ..lib.charts import aggregate, svg
from ..lib.charts.aggregate import AggregationError, Result
from . import cache, data, sql

MEMBERS_GEOJSON = Path(__file__).resolve().parents[1] / "public" / "regionaliot" / "geo" / \
    "members.geojson"

HEADERS = {"count": N_("Count"), "percent": N_("Share (%)"), "population": N_("Population"),
           "per 10,000": N_("Per 10,000 people"), "male": N_("Men"), "female": N_("Women"),
           "age": N_("Age")}
NOTES = {
    "Groups without any number were left out.": N_("Groups without any number were left out."),
    "Groups without a population were left out.":
        N_("Groups without a population were left out."),
}
# The messages of aggregate.py, data.py and blocks.py, marked here for extraction.
MESSAGES = (
    N_("Column not found: {column}"), N_("Choose the column to add up."),
    N_("Choose the column to average."), N_("A per-10,000 rate needs a population resource."),
    N_("Unknown aggregation: {name}"), N_("The file is neither UTF-8 nor Shift_JIS text."),
    N_("The file could not be read as CSV."),
    N_("No age columns (such as 0-4歳の男性 / 0-4歳の女性) were found."),
    N_("Resource not found: {id}"),
    N_("The resource {name} is not in the DataStore and is not an uploaded CSV file."),
    N_("The file of the resource {name} could not be read."),
    N_("The resource {name} is too large to read without the DataStore."),
    N_("The blocks are not valid JSON."), N_("The blocks must be a list."),
    N_("At most {n} blocks."), N_("Block {n}: not an object."),
    N_("Block {n}: {field} is too long."),
    N_("Block {n}: the number of rows must be a whole number."),
    N_("Block {n}: unknown type {type}."), N_("Block {n}: {field} is required."),
    N_("Block {n}: unknown aggregation {name}."),
    N_("Block {n}: a {aggregation} cannot be drawn as {chart}."),
    N_("Block {n}: unknown order {name}."), N_("Block {n}: unknown map {name}."),
    N_("This block has no figures."),
)


def message(msgid: str, params: dict[str, Any]) -> str:
    return tk._(msgid).format(**params)


@functools.lru_cache(maxsize=1)
def members() -> list[dict]:
    return svg.load_members(MEMBERS_GEOJSON)


def member_code(value: str) -> str | None:
    """A member's 6-digit code from a cell holding it, its 5-digit form or its name."""
    value = aggregate.label(value)
    for m in members():
        if value in (m["code"], m["code"][:5], m["name"]):
            return m["code"]
    return None


def localized(block: dict[str, Any], key: str, lang: str) -> str:
    if lang == "en" and block.get(f"{key}_en"):
        return block[f"{key}_en"]
    return block.get(key) or ""


def headers(result: Result) -> list[str]:
    return [result.label_header if result.aggregation != "pyramid" else tk._(HEADERS["age"]),
            *(tk._(HEADERS[h]) if h in HEADERS else h for h in result.value_headers)]


def _population(context: dict[str, Any], block: dict[str, Any],
                pop_res: dict[str, Any]) -> dict[str, float]:
    table = sql.population(context, pop_res, block["population_group"],
                           block["population_value"])
    if table is not None:
        return table
    header, rows, _res = data.rows_of(context, pop_res)
    return aggregate.population_table(rows, block["population_group"],
                                      block["population_value"], header)


def _resources(context: dict[str, Any], block: dict[str, Any]
               ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The block's resource and population resource, looked up as the reader."""
    res = data.resource(context, block["resource"])
    pop_res = data.resource(context, block["population_resource"]) \
        if block.get("aggregation") == "rate" else None
    return res, pop_res


def _versions(res: dict[str, Any], pop_res: dict[str, Any] | None) -> list[tuple]:
    return [data.version(r) for r in (res, pop_res) if r is not None]


def compute_chart(context: dict[str, Any], block: dict[str, Any]
                  ) -> tuple[Result, dict[str, Any]]:
    """The block's figures (cached per resource version) and the resource they come from."""
    res, pop_res = _resources(context, block)

    def compute() -> Result:
        population = _population(context, block, pop_res) if pop_res is not None else None
        result = sql.chart(context, block, res, population)  # in the DataStore: one query
        if result is None:
            header, rows, _res = data.rows_of(context, res)
            result = aggregate.compute(block, rows, header, population)
        return result

    return cache.figures(dict(block, kind="chart"), _versions(res, pop_res), compute), res


def compute_map(context: dict[str, Any], block: dict[str, Any]
                ) -> tuple[Result, dict[str, Any]]:
    """Values per member: the member column's cells become member codes first."""
    res, pop_res = _resources(context, block)

    def compute() -> Result:
        column = block["member_column"]
        population = None
        if pop_res is not None:
            population = {member_code(k) or k: v
                          for k, v in _population(context, block, pop_res).items()}
        result = sql.chart(context, block, res, population,
                           key=lambda k: member_code(k) or "", group=column)
        if result is None:
            header, rows, _res = data.rows_of(context, res)
            if column not in header:
                raise AggregationError("Column not found: {column}", column=column)
            coded = [dict(row, **{column: member_code(row.get(column)) or ""})
                     for row in rows]
            result = aggregate.compute(dict(block, group=column), coded, header, population)
        result.rows = [(key, values) for key, values in result.rows if key]
        return result

    return cache.figures(dict(block, kind="map"), _versions(res, pop_res), compute), res


def source(res: dict[str, Any] | None) -> dict[str, Any] | None:
    if res is None:
        return None
    return {"resource_id": res["id"], "package_id": res.get("package_id"),
            "name": res.get("name") or res["id"]}


def _chart_block(context: dict[str, Any], block: dict[str, Any], index: int,
                 ident: str, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "chart", "title": localized(block, "title", lang),
                           "caption": localized(block, "caption", lang), "index": index}
    try:
        result, res = compute_chart(context, block)
    except AggregationError as e:
        out["error"] = message(e.msgid, e.params)
        return out
    out.update(_figures(result, res))
    title = out["title"] or tk._("Chart")
    desc = _description(result)
    if result.empty:
        out["svg"] = ""
    elif block.get("chart") == "line":
        out["svg"] = svg.line_chart(result, title, desc, ident)
    elif block.get("chart") == "pyramid":
        out["svg"] = svg.pyramid_chart(result, title, desc, ident, tk._(HEADERS["male"]),
                                       tk._(HEADERS["female"]))
    else:
        out["svg"] = svg.bar_chart(result, title, desc, ident,
                                   "%" if result.aggregation == "share" else "")
    return out


def _figures(result: Result, res: dict[str, Any]) -> dict[str, Any]:
    return {"headers": headers(result),
            "rows": [(key or tk._("(blank)"), [svg.display(v) for v in values])
                     for key, values in result.rows],
            "skipped": result.skipped,
            "notes": [tk._(NOTES.get(n, n)) for n in result.notes],
            "source": source(res)}


def _description(result: Result) -> str:
    """A sentence for the SVG's <desc>: the largest and smallest figures."""
    if result.empty:
        return tk._("No data.")
    index = svg.primary_index(result)
    ranked = sorted(result.rows, key=lambda item: item[1][index])
    high, low = ranked[-1], ranked[0]
    return tk._("{n} items; highest {high_label} ({high}), lowest {low_label} ({low}).").format(
        n=len(result.rows), high_label=high[0] or tk._("(blank)"),
        high=svg.display(high[1][index]), low_label=low[0] or tk._("(blank)"),
        low=svg.display(low[1][index]))


def _map_block(context: dict[str, Any], block: dict[str, Any], index: int, ident: str,
               lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "map", "title": localized(block, "title", lang),
                           "caption": localized(block, "caption", lang), "index": index}
    title = out["title"] or tk._("Map")
    try:
        if block.get("mode") == "points":
            header, rows, res = data.rows(context, block["resource"])
            for column in (block["lat"], block["lon"]):
                if column not in header:
                    raise AggregationError("Column not found: {column}", column=column)
            points = []
            for row in rows:
                lat, lon = aggregate.number(row.get(block["lat"])), \
                    aggregate.number(row.get(block["lon"]))
                if lat is not None and lon is not None:
                    points.append((lon, lat, aggregate.label(row.get(block.get("name") or ""))))
            out["svg"] = svg.points_map(members(), points, title,
                                        tk._("{n} points on the map of the basin.").format(
                                            n=len(points)), ident)
            out["points"] = len(points)
            out["source"] = source(res)
            return out
        result, res = compute_map(context, block)
    except AggregationError as e:
        out["error"] = message(e.msgid, e.params)
        return out
    names = {m["code"]: m["name"] for m in members()}
    values = {key: values[svg.primary_index(result)] for key, values in result.rows}
    out["svg"] = svg.choropleth(members(), values, title, _description(result), ident,
                                tk._("no data"))
    result.rows = [(names.get(key, key), values) for key, values in result.rows]
    out.update(_figures(result, res))
    out["headers"][0] = tk._("Municipality")
    return out


def compute_figure(context: dict[str, Any], block: dict[str, Any]
                   ) -> tuple[Result, dict[str, Any]]:
    """A key figure computed from its resource (cached per resource version)."""
    res = data.resource(context, block["resource"])

    def compute() -> Result:
        result = sql.figure(context, block, res)
        if result is None:
            header, rows, _res = data.rows_of(context, res)
            result = aggregate.figure(block, rows, header)
        return result

    return cache.figures(dict(block, kind="figure"), _versions(res, None), compute), res


def _figure_block(context: dict[str, Any], block: dict[str, Any], index: int,
                  lang: str) -> dict[str, Any]:
    """A key figure: as written, or computed from a resource (then with its source)."""
    out: dict[str, Any] = {"type": "figure", "index": index,
                           "label": localized(block, "label", lang),
                           "value": block.get("value") or "",
                           "unit": localized(block, "unit", lang),
                           "change": localized(block, "change", lang),
                           "caption": localized(block, "caption", lang)}
    if not block.get("resource"):
        return out
    try:
        result, res = compute_figure(context, block)
    except AggregationError as e:
        out["error"] = message(e.msgid, e.params)
        return out
    out["value"] = svg.display(result.rows[0][1][0]) if result.rows else tk._("No data.")
    out["skipped"] = result.skipped
    out["source"] = source(res)
    return out


def _table_block(context: dict[str, Any], block: dict[str, Any], index: int,
                 lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "table", "title": localized(block, "title", lang),
                           "caption": localized(block, "caption", lang), "index": index}
    try:
        header, rows, res = data.rows(context, block["resource"])
        columns = block.get("columns") or header
        for column in columns:
            if column not in header:
                raise AggregationError("Column not found: {column}", column=column)
    except AggregationError as e:
        out["error"] = message(e.msgid, e.params)
        return out
    limit = block.get("limit") or 20
    out["headers"] = list(columns)
    out["rows"] = [[aggregate.label(row.get(c)) for c in columns] for row in rows[:limit]]
    out["more"] = max(0, len(rows) - limit)
    out["source"] = source(res)
    return out


def _matrix_block(context: dict[str, Any], block: dict[str, Any], index: int,
                  lang: str) -> dict[str, Any]:
    """Which standard datasets each member publishes: the catalogue's facet counts as the
    reader (private datasets count only for who may see them), a row per member (all of them, in
    the official order, those without any standard dataset included), a column per standard
    dataset someone publishes, the number of datasets in each cell."""
    out: dict[str, Any] = {"type": "matrix", "title": localized(block, "title", lang),
                           "caption": localized(block, "caption", lang), "index": index}
    reader = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    counts: dict[tuple[str, str], int] = {}
    kinds: list[str] = []
    everyone = tk.h.regionaliot_member_order(tk.get_action("organization_list")(
        dict(reader), {"all_fields": True, "include_extras": True}))
    orgs = []
    for org in everyone:
        # One facet count per body (the field is indexed, not stored: no ``fl``).
        found = tk.get_action("package_search")(dict(reader), {
            "fq": f'organization:"{org["name"]}"', "rows": 0,
            "facet.field": '["standard_dataset"]', "facet.limit": -1})
        items = found["search_facets"].get("standard_dataset", {}).get("items", [])
        for item in items:
            if item["name"] and item["name"] != "none" and item["count"]:
                counts[(org["name"], item["name"])] = item["count"]
                if item["name"] not in kinds:
                    kinds.append(item["name"])
        # The members (a 全国地方公共団体コード), and any other body that publishes one.
        if tk.h.regionaliot_group_extra(org, "lg_code") or \
                any(o == org["name"] for o, _kind in counts):
            orgs.append(org)
    labels = {k: tk.h.regionaliot_choice_label("standard_dataset", k) for k in kinds}
    kinds.sort(key=lambda k: labels[k])
    out["headers"] = [tk._("Municipality"), *(labels[k] for k in kinds)]
    out["matrix"] = [
        ((o.get("title_en") if lang == "en" and o.get("title_en") else o.get("title"))
         or o["name"], [counts.get((o["name"], k), 0) for k in kinds]) for o in orgs]
    out["datasets"] = sum(counts.values())
    return out


def blocks(context: dict[str, Any], story: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Every block of the story, computed, in the story's order."""
    out = []
    for index, block in enumerate(story.get("blocks") or []):
        ident = f"story-block-{index + 1}"
        kind = block.get("type")
        if kind == "chart":
            out.append(_chart_block(context, block, index, ident, lang))
        elif kind == "map":
            out.append(_map_block(context, block, index, ident, lang))
        elif kind == "table":
            out.append(_table_block(context, block, index, lang))
        elif kind == "figure":
            out.append(_figure_block(context, block, index, lang))
        elif kind == "matrix":
            out.append(_matrix_block(context, block, index, lang))
        else:
            out.append({"type": "text", "index": index, "body": localized(block, "body", lang)})
    return out


def warm(context: dict[str, Any], block: dict[str, Any]) -> None:
    """Compute a chart, member-map or key-figure block into the cache (jobs.refresh)."""
    if block.get("type") == "figure":
        compute_figure(context, block)
    elif block.get("type") == "map" and block.get("mode", "members") == "members":
        compute_map(context, block)
    elif block.get("type") == "chart":
        compute_chart(context, block)


def figures(context: dict[str, Any], block: dict[str, Any], lang: str = "ja"
            ) -> tuple[list[str], Result, dict[str, Any] | None]:
    """(headers, figures, resource) of a chart, member-map, computed key-figure or matrix
    block, for the API and CSV (a matrix comes from the catalogue: no resource)."""
    if block.get("type") == "figure" and block.get("resource"):
        result, res = compute_figure(context, block)
        label = localized(block, "label", lang)
        result.rows = [(label, values) for _label, values in result.rows]
        return [tk._("Key figure"), *headers(result)[1:]], result, res
    if block.get("type") == "matrix":
        out = _matrix_block(context, block, 0, lang)
        return out["headers"], Result("matrix", out["headers"][0], out["headers"][1:], [
            (name, [float(c) for c in cells]) for name, cells in out["matrix"]]), None
    if block.get("type") == "map" and block.get("mode", "members") == "members":
        result, res = compute_map(context, block)
        names = {m["code"]: m["name"] for m in members()}
        result.rows = [(names.get(k, k), v) for k, v in result.rows]
        return [tk._("Municipality"), *headers(result)[1:]], result, res
    if block.get("type") != "chart":
        raise AggregationError("This block has no figures.")
    result, res = compute_chart(context, block)
    return headers(result), result, res
