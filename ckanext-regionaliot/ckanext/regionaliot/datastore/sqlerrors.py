"""What a reader is told when PostgreSQL refuses a ``datastore_search_sql`` (no CKAN)."""
from __future__ import annotations

from typing import Any

# The msgids (translated by the plugin's catalogue). By SQLSTATE class: 22 data exception,
# 23 integrity, 42 syntax/undefined (CKAN reports most of those itself), 53/54 limits.
CAST = "A value in the query could not be converted or computed (e.g. text cast to a number, division by zero)."
LIMIT = "The query needs more than the database allows (too large or too complex)."
OTHER = "The database could not run this query."


def message(pgcode: str | None) -> str:
    code = pgcode or ""
    if code.startswith(("22", "23")):
        return CAST
    if code.startswith(("53", "54")):
        return LIMIT
    return OTHER


def first_line(error: Any) -> str:
    """The database's own message, its first line (no statement, no traceback)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else ""
