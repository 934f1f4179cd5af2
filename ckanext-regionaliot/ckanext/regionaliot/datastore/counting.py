"""The total of a datastore_search with a q or filters, affordable at a million rows
(no CKAN, no database: the statements and the arithmetic; total.py runs them).

CKAN counts every match of such a search (``SELECT count(*)`` over all of them: 1,248 ms
for the 125,318 rows with 図書館 of bench/datastore's 1,000,000) and applies its own
``total_estimation_threshold`` only to searches without filters. Here the same parameter,
with the same meaning ("above this many, an estimate will do"), also covers q and filters:

- the matches are counted up to the threshold (``LIMIT threshold + 1``: the scan stops
  there), so a total at or below it is exact;
- above it, more than ``threshold`` rows match for certain, and the total is estimated
  from a sample of the table's blocks (``TABLESAMPLE SYSTEM ... REPEATABLE``: the same
  blocks for the same table, so the total does not change from page to page), rounded to
  three significant figures, never below ``threshold + 1``; ``total_was_estimated`` is
  true, as CKAN says for its own estimates.
"""
from __future__ import annotations

import json
from typing import Any

# Rows the sample reads (SYSTEM sampling takes whole blocks: the number read varies
# around it). Each is rechecked like a match, so this bounds the estimate's cost.
SAMPLE_ROWS = 5000


def threshold(requested: Any, site: Any) -> int | None:
    """The threshold in force: the request's ``total_estimation_threshold``, else the
    site's setting; None when neither is a positive number (CKAN's exact count) or when
    the request's value is not a number (left to CKAN's validation)."""
    value = site if requested in (None, "") else requested
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def filtered(data_dict: dict[str, Any]) -> bool:
    """Whether CKAN would count the matches one by one (a q, full_text or filters)."""
    for key in ("q", "full_text", "filters"):
        value = data_dict.get(key)
        if isinstance(value, str):
            value = value.strip()
            if key == "filters" and value:
                try:
                    value = json.loads(value)
                except ValueError:
                    return True  # CKAN refuses it; nothing is counted
        if value:
            return True
    return False


def where(clauses: list[Any]) -> tuple[str, dict[str, Any]]:
    """The condition of IDatastore where-clauses ``(sql, {param: value}, ...)``, joined as
    CKAN joins them for its count (ckanext.datastore.backend.postgres), without WHERE."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for clause in clauses:
        parts.append(f"({clause[0]})")
        for values in clause[1:]:
            params.update(values)
    return " AND ".join(parts), params


def capped_count_sql(table: str, ts_query: str, condition: str, cap: int) -> str:
    """At most ``cap + 1`` matches counted (``table`` quoted; ``ts_query`` is CKAN's FROM
    addition, empty or starting with a comma)."""
    where_sql = f"WHERE {condition}" if condition else ""
    return (f"SELECT count(*) FROM (SELECT 1 FROM {table} {ts_query} {where_sql} "
            f"LIMIT {int(cap) + 1}) AS capped")


def count_sql(table: str, ts_query: str, condition: str) -> str:
    """Every match counted (what CKAN runs)."""
    where_sql = f"WHERE {condition}" if condition else ""
    return f"SELECT count(*) FROM {table} {ts_query} {where_sql}"


def sample_percent(table_rows: float, sample_rows: int | None = None) -> float | None:
    """The TABLESAMPLE percentage that reads about ``sample_rows`` rows, or None when the
    table is not larger than twice that (counting it all costs about as much) or has no
    row estimate yet (never analysed: PostgreSQL says -1)."""
    sample_rows = SAMPLE_ROWS if sample_rows is None else sample_rows
    if table_rows is None or table_rows <= 2 * sample_rows:
        return None
    return 100.0 * sample_rows / table_rows


def sample_sql(table: str, ts_query: str, condition: str, percent: float) -> str:
    """(matches in the sample, rows in the sample)."""
    return (f"SELECT count(*) FILTER (WHERE {condition or 'TRUE'}), count(*) FROM {table} "
            f"TABLESAMPLE SYSTEM ({percent:.6f}) REPEATABLE (0) {ts_query}")


def estimate(matched: int, sampled: int, table_rows: float, at_least: int) -> int:
    """The matches of the whole table from the sample's, to three significant figures,
    never below what was counted for certain."""
    if sampled <= 0:
        return at_least
    value = matched / sampled * table_rows
    rounded = int(float(f"{value:.3g}")) if value >= 1 else 0
    return max(at_least, rounded)
