"""Column types of a DataStore table from a standard Table Schema (no CKAN).

A file that passed validation against a standard schema holds, in each typed column,
values the engine accepted: ASCII numbers, YYYY-MM-DD dates, HH:MM times. Those columns
get the PostgreSQL type of the schema's field; everything else stays text, and so do
codes (全国地方公共団体コード, ID, 電話番号 …), which the schemas declare as strings, so
leading zeros survive.
"""
from __future__ import annotations

from typing import Any

from regionaliot.validation.headers import match_header
from regionaliot.validation.registry import Registry

# Table Schema type (or our x-check kind) -> DataStore column type.
PG_TYPES = {"integer": "int8", "number": "numeric", "date": "date", "time": "time"}


def field_type(field: dict[str, Any]) -> str | None:
    """The DataStore type for one schema field, or None to keep text."""
    if field.get("x-check") == "time":
        return "time"
    return PG_TYPES.get(field.get("type") or "string")


def wanted_types(registry: Registry, schema_key: str, labels: list[str]) -> dict[str, str]:
    """{column label: DataStore type} for the table's columns that the schema types.

    Labels are matched to the schema's fields as the validator matched them (exact,
    normalised, alias), so a legacy header with 全角 spaces still gets its type.
    """
    schema = registry.by_name(schema_key)
    match = match_header(labels, schema.field_names, registry.aliases)
    types: dict[str, str] = {}
    for field, column in zip(schema.fields, match.column_of, strict=True):
        if column is None:
            continue
        wanted = field_type(field)
        if wanted:
            types[labels[column]] = wanted
    return types


def cast_sql(quoted_column: str, pg_type: str) -> str:
    """The USING expression that turns a text column into ``pg_type``: blanks become NULL."""
    return f"NULLIF(btrim({quoted_column}), '')::{pg_type}"


def range_index_sql(quoted_table: str, table: str, position: int, quoted_column: str) -> str:
    """A B-tree index on one typed column, so that a range filter (``"緯度" BETWEEN …``
    through datastore_search_sql, a date range) reads the matching rows instead of the
    whole table. Named by the table and the column's position: a Japanese label could
    pass PostgreSQL's 63-byte identifier limit; IF NOT EXISTS makes it safe to repeat."""
    name = f'"{table}_range_{position}"'
    return f"CREATE INDEX IF NOT EXISTS {name} ON {quoted_table} ({quoted_column})"
