"""What the ``regionaliot_datastore`` plugin's hooks do (plugin.py only wires them).

- Typed tables: after xloader has loaded a file (all text, its robust way), the columns
  that a standard schema types are altered to numeric/int8/date/time when the file passed
  validation against that schema. Each column is altered on its own: a value PostgreSQL
  cannot read leaves that column text, the others keep their type. A file with errors
  keeps every column text (nothing is lost); the resource page says which case it is.
- Japanese search: after each load the rows' full text gets the bigrams of their Japanese
  (jpsearch.py); a ``q`` with Japanese becomes the phrase of its bigrams.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from regionaliot.validation.engine import default_registry
from regionaliot.validation.registry import SchemaNotFound

from ckanext.datastore.backend.postgres import get_read_engine, get_write_engine, identifier

from . import columns, jpsearch

log = logging.getLogger(__name__)

FULL_TEXT_SQL = 'CAST("_full_text" AS text)'
# One tsquery of the stock FROM list: to_tsquery('<lang>', '<q>') "<alias>" (plain=False);
# the where-clauses that use it end in "@@ <alias>".
_TSQUERY_CALL_RE = re.compile(r"""(?<!plain)to_tsquery\(('(?:[^']|'')*', '(?:[^']|'')*')\) ("(?:[^"]|"")*")""")


# ---------------------------------------------------------------- typed tables

# Full-text indexes that depend on one column of a table.
_FTS_INDEXES_OF_COLUMN = sa.text("""
    SELECT DISTINCT c.relname FROM pg_depend d
    JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'i'
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE d.refobjid = CAST(:t AS regclass) AND a.attname = :c
      AND pg_get_indexdef(c.oid) LIKE '%to_tsvector%'""")

def validation_of(resource_id: str) -> dict[str, Any] | None:
    """The validation plugin's verdict on the resource's file, through its action (this
    feature imports nothing of another), or None when there is none or no such plugin."""
    try:
        action = tk.get_action("resource_validation_show")
    except KeyError:
        return None
    try:
        return action({"ignore_auth": True}, {"id": resource_id, "include_report": False})
    except (tk.ObjectNotFound, tk.ValidationError):
        return None


def table_fields(resource_id: str) -> list[dict[str, Any]] | None:
    try:
        result = tk.get_action("datastore_search")({"ignore_auth": True},
                                                   {"resource_id": resource_id, "limit": 0})
    except (tk.ObjectNotFound, tk.ValidationError):
        return None
    return [f for f in result["fields"] if f["id"] != "_id"]


def schema_key(validation: dict[str, Any]) -> str | None:
    name = validation.get("schema")
    if not name:
        return None
    generation = validation.get("generation")
    return f"{generation}/{name}" if generation else name


def type_columns(resource_id: str) -> dict[str, Any]:
    """Give the loaded table the types of its standard schema, if its file is valid.

    Returns {"state": typed|partly|errors|pending|plain|none, "typed": [...], "text": [...]}
    (what the resource page says; see ``table_state``)."""
    fields = table_fields(resource_id)
    if fields is None:
        return {"state": "none", "typed": [], "text": []}
    validation = validation_of(resource_id)
    key = schema_key(validation) if validation else None
    if not validation or not key:
        return {"state": "plain", "typed": [], "text": []}
    if validation.get("status") != "success":
        return {"state": "errors" if validation.get("status") in ("failure", "error")
                else "pending", "typed": [], "text": []}
    try:
        wanted = columns.wanted_types(default_registry(), key, [f["id"] for f in fields])
    except SchemaNotFound:
        return {"state": "plain", "typed": [], "text": []}
    current = {f["id"]: f["type"] for f in fields}
    typed, kept = [], []
    engine = get_write_engine()
    for label, pg_type in wanted.items():
        if current.get(label) == pg_type:
            typed.append(label)
            continue
        column = identifier(label)
        sql = (f"ALTER TABLE {identifier(resource_id)} ALTER COLUMN {column} TYPE {pg_type} "
               f"USING {columns.cast_sql(column, pg_type)}")
        try:
            with engine.begin() as conn:
                # The DataStore's full-text index of a text column, to_tsvector(column),
                # cannot hold a number: drop it (CKAN makes none for numeric columns).
                for index in conn.execute(_FTS_INDEXES_OF_COLUMN, {"t": identifier(resource_id),
                                                                   "c": label}).scalars():
                    conn.execute(sa.text(f"DROP INDEX {identifier(index)}"))
                # No bind parameters: a ':' in a Japanese column name is text.
                conn.execute(sa.text(sql.replace(":", r"\:")))
        except sa.exc.DBAPIError as exc:
            log.warning("regionaliot_datastore: %s.%s stays text: %s", resource_id, label,
                        str(exc.orig).splitlines()[0] if exc.orig else exc)
            kept.append(label)
        else:
            typed.append(label)
    state = "typed" if not kept else "partly"
    return {"state": state, "typed": typed, "text": kept}


def table_state(resource_id: str) -> dict[str, Any]:
    """What the resource page says about the table's column types, without changing it."""
    fields = table_fields(resource_id)
    if fields is None:
        return {"state": "none", "typed": [], "text": []}
    typed = [f["id"] for f in fields if f["type"] != "text"]
    validation = validation_of(resource_id)
    if not validation or not schema_key(validation):
        return {"state": "plain", "typed": typed, "text": []}
    status = validation.get("status")
    if status in ("failure", "error"):
        return {"state": "errors", "typed": typed, "text": []}
    if status != "success":
        return {"state": "pending", "typed": typed, "text": []}
    return {"state": "typed" if typed else "text", "typed": typed, "text": []}


# ---------------------------------------------------------------- Japanese search

# The indexes on a table's full-text column (CKAN's GIN or GiST), with their definitions.
_FULL_TEXT_INDEXES = sa.text("""
    SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
    WHERE i.indrelid = CAST(:t AS regclass) AND a.attname = '_full_text'""")

# Table comment saying the rows' full text has our bigrams (jpsearch.doc_vector).
GRAMS_MARK = "regionaliot:ja-bigrams"
_BATCH = 5000


def add_japanese_grams(resource_id: str) -> int:
    """Append the bigrams of every row's Japanese to its full-text column (idempotent:
    the table comment says it is done). Rows are read and written in batches through a
    temporary table; the GIN index already on the column serves the searches."""
    table = identifier(resource_id)
    engine = get_write_engine()
    with engine.begin() as conn:
        if conn.execute(sa.text("SELECT obj_description(CAST(:t AS regclass), 'pg_class')"),
                        {"t": table}).scalar() == GRAMS_MARK:
            return 0
        conn.execute(sa.text("CREATE TEMP TABLE regionaliot_grams (_id int PRIMARY KEY, "
                             "grams tsvector) ON COMMIT DROP"))
        rows = conn.execute(sa.text(f"SELECT _id, tsvector_to_array(_full_text) FROM {table} "
                                    "WHERE _full_text IS NOT NULL")).yield_per(_BATCH)
        count = 0
        batch: list[dict[str, Any]] = []
        insert = sa.text("INSERT INTO regionaliot_grams VALUES (:id, CAST(:g AS tsvector))")
        for row_id, lexemes in rows:
            grams = jpsearch.doc_vector(lexemes)
            if grams:
                batch.append({"id": row_id, "g": grams})
            if len(batch) >= _BATCH:
                conn.execute(insert, batch)
                count += len(batch)
                batch = []
        if batch:
            conn.execute(insert, batch)
            count += len(batch)
        # The full-text index is built again after the update instead of being maintained
        # row by row (bench/datastore: no measurable gain at 100,000 rows on a busy
        # machine, 117 s before and 141 s after; the update of every row dominates).
        indexes = conn.execute(_FULL_TEXT_INDEXES, {"t": table}).all()
        for name, _definition in indexes:
            conn.execute(sa.text(f"DROP INDEX {identifier(name)}"))
        # The full-text trigger keeps a non-null value (it only fills NULLs).
        conn.execute(sa.text(f"UPDATE {table} AS t SET _full_text = t._full_text || g.grams "
                             "FROM regionaliot_grams AS g WHERE t._id = g._id"))
        for _name, definition in indexes:
            conn.execute(sa.text(definition.replace(":", r"\:")))
        conn.execute(sa.text(f"COMMENT ON TABLE {table} IS '{GRAMS_MARK}'"))
    return count


def forget_grams(resource_id: str) -> None:
    """xloader is about to empty or replace the table: its new rows have no bigrams yet."""
    try:
        with get_write_engine().begin() as conn:
            conn.execute(sa.text(f"COMMENT ON TABLE {identifier(resource_id)} IS NULL"))
    except sa.exc.DBAPIError:
        pass  # no table yet


def after_upload(resource: dict[str, Any]) -> None:
    """xloader loaded the resource: types from its schema, then the Japanese bigrams."""
    try:
        result = type_columns(resource["id"])
        log.info("regionaliot_datastore: %s loaded, columns %s", resource["id"], result)
        add_japanese_grams(resource["id"])
    except Exception:
        # The rows are in the DataStore already: a problem here must not fail the load.
        log.exception("regionaliot_datastore: could not finish %s", resource.get("id"))


def _quoted_alias(field: str | None = None) -> str:
    return identifier("query" if field is None else f"query {field}")


def _has_grams(context: dict[str, Any], resource_id: str) -> bool:
    sql = sa.text("SELECT obj_description(CAST(:t AS regclass), 'pg_class')")
    params = {"t": identifier(resource_id)}
    conn = context.get("connection")
    if conn is not None:
        return conn.execute(sql, params).scalar() == GRAMS_MARK
    with get_read_engine().connect() as conn:
        return conn.execute(sql, params).scalar() == GRAMS_MARK


def japanese_search(context: dict[str, Any], data_dict: dict[str, Any],
                    fields_types: dict[str, str], query_dict: dict[str, Any]) -> dict[str, Any]:
    """IDatastore.datastore_search, after the datastore plugin's own: a q (whole-row or
    per column) with Japanese in it is matched inside cells instead of as whole tokens."""
    q = data_dict.get("q")
    replaced: dict[str | None, list[tuple[str, dict[str, str]]]] = {}
    if jpsearch.has_japanese(q):
        grams = jpsearch.query(q)
        if grams and _has_grams(context, data_dict["resource_id"]):
            replaced[None] = [("_full_text @@ CAST(:rjq AS tsquery)", {"rjq": grams})]
        else:
            replaced[None] = jpsearch.like_clauses(FULL_TEXT_SQL, q, "rjq", lower=True)
    elif isinstance(q, dict):
        for index, (field, value) in enumerate(q.items()):
            if field in fields_types and jpsearch.has_japanese(value):
                replaced[field] = jpsearch.like_clauses(f"CAST({identifier(field)} AS text)",
                                                        value, f"rjq{index}")
    if not replaced:
        return query_dict
    aliases = {_quoted_alias(field) for field in replaced}
    query_dict["where"] = [
        clause for clause in query_dict["where"]
        if not (isinstance(clause[0], str) and "@@" in clause[0]
                and clause[0].rsplit("@@", 1)[1].strip() in aliases)
    ] + [clause for found in replaced.values() for clause in found]
    # Our terms' tsqueries stay in FROM (ranks refer to them) but must never fail on syntax
    # (to_tsquery refuses 「倉敷 市」); the other columns' tsqueries keep their prefix syntax.
    query_dict["ts_query"] = _TSQUERY_CALL_RE.sub(
        lambda m: (f"plainto_tsquery({m.group(1)}) {m.group(2)}" if m.group(2) in aliases
                   else m.group(0)),
        query_dict.get("ts_query") or "")
    return query_dict
