"""Chart figures computed inside the DataStore: for a resource loaded there, one aggregate
query per block instead of reading its rows into Python (1,000,000 rows take seconds in
SQL and tens of seconds in Python; bench/stories).

The query runs through ``datastore_search_sql`` as the reader: CKAN checks that the reader
may see every table the statement names (a private resource stays private) and runs it as
the DataStore's read-only role with its statement timeout. The query returns the same
three figures per group that the pure path counts from rows (aggregate.Group: rows, sum of
the cells that are numbers, how many were numbers); aggregate.py turns them into the
chart's figures, so both paths share every rule after the counting. Cells are read as
numbers as aggregate.number reads them (full-width digits, thousands separators; text,
NaN and infinity are not numbers). Numeric and text cells are added up exactly as
``numeric`` and rounded to float once per group (number_sql). A pyramid or key figure of
one area reads only the rows whose area cell contains the area's label (prefilter): at
1,000,000 rows of ten members, a tenth of the cells.

Column names come from writers: they are checked against the table's columns and always
quoted as identifiers, never pasted as SQL. Anything the query cannot do (the SQL search
switched off, too many groups, a cell PostgreSQL cannot convert) returns None and the
caller falls back to the rows (the pure path), which gives the same figures, slower.
"""
from __future__ import annotations

import datetime
import decimal
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
from sqlalchemy.exc import DBAPIError

from ..lib.charts import aggregate
from ..lib.charts.aggregate import AggregationError, Groups, Result

log = logging.getLogger(__name__)

INT_TYPES = frozenset({"int", "int2", "int4", "int8", "smallint", "integer", "bigint"})
FLOAT_TYPES = frozenset({"float", "float4", "float8", "real", "double precision"})
NUMERIC_TYPES = frozenset({"numeric", "decimal"})
TEXT_TYPES = frozenset({"text", "varchar", "character varying", "char", "bpchar"})
# NFKC of the characters members' spreadsheets put in numbers (aggregate.number normalises
# with NFKC; datastore_search_sql does not allow normalize()).
FULL_WIDTH = "０１２３４５６７８９，．＋－ｅＥ\u3000"
HALF_WIDTH = "0123456789,.+-eE "
# A text cell is a number where aggregate.number reads one: after its normalisation
# (translate FULL_WIDTH, trim, drop the commas) an optional sign, digits with an optional
# point, and an exponent of at most four digits (which keeps the numeric cast within
# PostgreSQL's range; a longer one is beyond float8 anyway, or absurd). The regular
# expressions below test the cell as it is written, before that normalisation: they
# accept exactly those cells, so only the cells that are numbers are normalised, and
# each cell is one expression (no nested steps).
# Each character class holds a half-width character and the full-width ones that
# translate to it; commas may come before or after any character of the number (they
# are dropped after the trim); blanks only around it.
_BLANKS = "[ \\t\\r\\n\u3000]*"
_COMMAS = "[,，]*"
_SIGN = f"([-+－＋]{_COMMAS})?"
_DIGIT = f"[0-9０-９]{_COMMAS}"
_DOT = f"[.．]{_COMMAS}"
_MANTISSA = f"(({_DIGIT})+({_DOT}({_DIGIT})*)?|{_DOT}({_DIGIT})+)"
_EXPONENT = f"([eEｅＥ]{_COMMAS}{_SIGN}({_DIGIT}){{1,4}})?"
PLAIN_CELL = f"^{_BLANKS}{_COMMAS}{_SIGN}{_MANTISSA}{_BLANKS}$"  # no exponent
NUMBER_CELL = f"^{_BLANKS}{_COMMAS}{_SIGN}{_MANTISSA}{_EXPONENT}{_BLANKS}$"
# Most cells: ASCII digits alone, already their normalised text.
ASCII_CELL = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
# A number of at most this many characters without an exponent is within float8's range
# (below 1e300, and no closer to 0 than 1e-299): no range check is needed.
PLAIN_LENGTH = 300
# Python's float() of a decimal is finite exactly when |x| < 2**1024 - 2**970 (halfway
# between the largest float8 and 2**1024, which rounds up to infinity). Beyond, or NaN or
# ±Infinity (numeric orders them beyond every number), a cell is not a number.
FLOAT_LIMIT = str(2**1024 - 2**970)


ROW_ID = '"_id"'


class Unavailable(Exception):
    """The DataStore cannot answer this query; the rows are read instead."""


def ident(name: str) -> str:
    """A PostgreSQL identifier, quoted: "a""b" for a"b."""
    if "\x00" in name:
        raise AggregationError("Column not found: {column}", column=name.replace("\x00", ""))
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A constant string (only our own constants are passed here)."""
    return "'" + text.replace("'", "''") + "'"


def _finite(expression: str) -> str:
    """A numeric as itself where Python's float() of it is finite, else NULL (abs of NaN
    is NaN, of -Infinity Infinity: neither is below the limit)."""
    n = expression
    return f"CASE WHEN abs({n}) < {FLOAT_LIMIT} THEN {n} END"


def number_sql(column: str, kind: str) -> str:
    """The column's cell as a number (float8 or numeric), or NULL where aggregate.number
    finds no number; one expression per cell (query() evaluates it once per row).

    Numbers are added up as PostgreSQL reads them: a numeric or text column exactly in
    ``numeric`` (rounded to float once per group; converting every cell to float8 goes
    through its text and was most of the query's time), an integer or float column in
    float8. The pure path adds floats row by row; for sums of integers (below 2**53) the
    two are the same, for other sums they may differ in the last bits of the float, as
    any two orders of the same float additions may.

    A text cell: ASCII digits are cast as they are; other cells are tested on their raw
    text (NUMBER_CELL) and only numbers are normalised (translate, trim, commas), so a
    cell that is not a number costs a few regular expressions and nothing else. Only a
    long cell or one with an exponent (rare) needs the range check."""
    c = ident(column)
    if kind in INT_TYPES:
        return f"{c}::float8"
    if kind in FLOAT_TYPES:  # NaN orders above Infinity
        return (f"CASE WHEN {c} > '-Infinity'::float8 AND {c} < 'Infinity'::float8 "
                f"THEN {c}::float8 END")
    if kind in NUMERIC_TYPES:
        return _finite(c)
    if kind in TEXT_TYPES:
        t = (f"replace(btrim(translate({c}, {literal(FULL_WIDTH)}, {literal(HALF_WIDTH)}), "
             f"E' \\t\\r\\n'), ',', '')")
        short = f"length({c}) <= {PLAIN_LENGTH}"
        return (f"CASE WHEN {short} AND {c} ~ {literal(ASCII_CELL)} THEN {c}::numeric "
                f"WHEN {short} AND {c} ~ {literal(PLAIN_CELL)} THEN {t}::numeric "
                f"WHEN {c} ~ {literal(NUMBER_CELL)} THEN {_finite(t + '::numeric')} END")
    # Dates, booleans, JSON: never numbers (as aggregate.number).
    return "NULL::float8"


def key_of(value: Any) -> str:
    """A group's raw key as the pure path labels a datastore_search cell."""
    if isinstance(value, decimal.Decimal):
        value = float(value)  # datastore_search gives numeric cells as JSON numbers
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    return aggregate.label(value)


def fields(context: dict[str, Any], resource_id: str) -> dict[str, str]:
    """column → type of a DataStore table, as the reader (not found or not allowed: the
    same message, so a private resource's columns are not revealed)."""
    try:
        info = tk.get_action("datastore_search")(dict(context), {
            "resource_id": resource_id, "limit": 0, "include_total": False})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        raise AggregationError("Resource not found: {id}", id=resource_id) from None
    return {f["id"]: f.get("type") or "text" for f in info.get("fields", [])
            if f["id"] != "_id"}


def prefilter(types: Mapping[str, str], group: str | None, only: str | None) -> str:
    """A WHERE clause keeping at least every row whose group the caller keeps (``only``:
    the one group label it reads, a pyramid's or key figure's area), or "" (all rows).

    It only narrows the rows, never decides: the rows it keeps are still grouped and
    labelled as the pure path labels them (aggregate.label: the text, stripped), and the
    other groups are dropped after. A label equal to ``only`` is a substring of its cell's
    text for text and integer columns; other types (numbers written as floats, dates) are
    not filtered."""
    if not group or not only or types.get(group) not in TEXT_TYPES | INT_TYPES:
        return ""
    return f" WHERE strpos({ident(group)}::text, {literal(only)}) > 0"


def query(resource_id: str, types: Mapping[str, str], group: str | None,
          values: Sequence[str], only: str | None = None) -> str:
    """SELECT per group (or over all rows, without a group column): the first row's _id
    (the pure path lists groups in the order they first appear), the rows, and per value
    column the sum and the count of its cells that are numbers (``only``: see prefilter).

    The cells' numbers come from a LEFT JOIN LATERAL of one row: PostgreSQL computes such
    an expression once per row in the scan (a placeholder), where written out in both sum()
    and count() it computes it twice; and unlike a nested SELECT with OFFSET 0 the scan can
    still be shared by parallel workers. Its names begin with "_", which no DataStore
    column's name does."""
    key = ident(group) if group else "''"
    select = [f"{key} AS k", f"min({ROW_ID}) AS o", "count(*) AS n"]
    for i in range(len(values)):
        select += [f"sum(_x{i}) AS s{i}", f"count(_x{i}) AS c{i}"]
    sql = f"SELECT {', '.join(select)} FROM {ident(resource_id)}"
    if values:
        cells = ", ".join(f"{number_sql(column, types[column])} AS _x{i}"
                          for i, column in enumerate(values))
        sql += f" LEFT JOIN LATERAL (SELECT {cells}) AS _v ON true"
    return sql + prefilter(types, group, only) + " GROUP BY 1"


def run(context: dict[str, Any], resource_id: str, sql: str) -> list[dict[str, Any]]:
    try:
        action = tk.get_action("datastore_search_sql")
    except KeyError:
        raise Unavailable("datastore_search_sql is switched off") from None
    try:
        answer = action(dict(context), {"sql": sql})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        raise AggregationError("Resource not found: {id}", id=resource_id) from None
    except (tk.ValidationError, DBAPIError) as e:
        raise Unavailable(str(e)[:300]) from None
    if answer.get("records_truncated"):
        raise Unavailable("more groups than one answer holds")
    return sorted(answer.get("records") or [], key=lambda r: r["o"])


def grouped(context: dict[str, Any], resource_id: str, types: Mapping[str, str],
            group: str | None, values: Sequence[str],
            key: Callable[[str], str] | None = None, only: str | None = None
            ) -> list[Groups]:
    """One ``Groups`` per value column (or one of row counts, without values), the raw keys
    labelled (and mapped by ``key``) as the pure path does; ``only``: the caller reads
    just this group (prefilter)."""
    records = run(context, resource_id, query(resource_id, types, group, values, only))
    out: list[Groups] = [{} for _ in (values or [None])]
    for record in records:
        label = key_of(record["k"])
        label = key(label) if key is not None else label
        for i, groups in enumerate(out):
            total = record.get(f"s{i}") if values else None
            aggregate.add_group(groups, label, int(record["n"]), float(total or 0.0),
                                int(record.get(f"c{i}") or 0) if values else 0)
    return out


def chart(context: dict[str, Any], block: Mapping[str, Any], res: Mapping[str, Any],
          population: Mapping[str, float] | None = None,
          key: Callable[[str], str] | None = None, group: str | None = None
          ) -> Result | None:
    """A chart block's figures by SQL, or None when the rows must be read instead."""
    if not res.get("datastore_active"):
        return None
    types = fields(context, res["id"])
    header = list(types)
    try:
        if block.get("aggregation") == "pyramid":
            where = aggregate.where_of(block)
            columns = aggregate.pyramid_plan(header, where)
            names = [c for _age, male, female in columns for c in (male, female)]
            per_column = grouped(context, res["id"], types, where[0] if where else None,
                                 names, only=where[1] if where else None)
            return aggregate.pyramid_from_groups(columns, dict(zip(names, per_column,
                                                                   strict=True)), where)
        spec = dict(block, group=group) if group else block
        group_column, value = aggregate.chart_columns(spec, header)
        groups = grouped(context, res["id"], types, group_column,
                         [value] if value else [], key)[0]
    except Unavailable as e:
        log.info("stories: rows of %s read instead of SQL (%s)", res["id"], e)
        return None
    return aggregate.from_groups(str(block["aggregation"]), group_column, value, groups,
                                 aggregate.sort_of(block), population)


def figure(context: dict[str, Any], block: Mapping[str, Any], res: Mapping[str, Any]
           ) -> Result | None:
    """A computed key figure by SQL, or None when the rows must be read instead."""
    if not res.get("datastore_active"):
        return None
    types = fields(context, res["id"])
    by, value = aggregate.figure_columns(block, list(types))
    try:
        where = aggregate.where_of(block)
        groups = grouped(context, res["id"], types, by, [value] if value else [],
                         only=where[1] if where else None)[0]
    except Unavailable as e:
        log.info("stories: rows of %s read instead of SQL (%s)", res["id"], e)
        return None
    return aggregate.figure_from_groups(block.get("aggregation") or "sum", value, groups,
                                        aggregate.where_of(block))


def population(context: dict[str, Any], res: Mapping[str, Any], group: str, value: str
               ) -> dict[str, float] | None:
    """group → Σ people of a population resource in the DataStore (None: read the rows)."""
    if not res.get("datastore_active"):
        return None
    types = fields(context, res["id"])
    for column in (group, value):
        if column not in types:
            raise AggregationError("Column not found: {column}", column=column)
    try:
        groups = grouped(context, res["id"], types, group, [value])[0]
    except Unavailable as e:
        log.info("stories: rows of %s read instead of SQL (%s)", res["id"], e)
        return None
    return {k: g.total for k, g in groups.items()}
