"""What the ``regionaliot_datastore`` plugin's hooks do (plugin.py only wires them).

- Typed tables: after xloader has loaded a file (all text, its robust way), the columns
  that a standard schema types are altered to numeric/int8/date/time when the file passed
  validation against that schema. Each column is altered on its own: a value PostgreSQL
  cannot read leaves that column text, the others keep their type. A file with errors
  keeps every column text (nothing is lost); the resource page says which case it is.
  Each typed column gets a B-tree index, so that range filters on 緯度 or a date are fast.
- Japanese search: after each load the rows' full text gets the bigrams of their Japanese
  (jpsearch.py); a ``q`` with Japanese becomes the phrase of its bigrams.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from regionaliot.validation.engine import default_registry
from regionaliot.validation.registry import SchemaNotFound

from ckanext.datastore.backend.postgres import get_read_engine, get_write_engine, identifier
from ckanext.regionaliot.lib.charts.aggregate import pyramid_columns

from . import columns, jpsearch, rowviews

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
    index_typed_columns(resource_id, [f["id"] for f in fields], typed)
    state = "typed" if not kept else "partly"
    return {"state": state, "typed": typed, "text": kept}


def index_typed_columns(resource_id: str, labels: list[str], typed: list[str]) -> None:
    """A B-tree index on each typed column (a range filter on 緯度 read the whole
    1,000,000-row table: 235 ms), then fresh statistics: altering a column's type drops
    its statistics, and the planner needs them to choose the index."""
    if not typed:
        return
    engine = get_write_engine()
    table = identifier(resource_id)
    for label in typed:
        sql = columns.range_index_sql(table, resource_id, labels.index(label), identifier(label))
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(sql.replace(":", r"\:")))
        except sa.exc.DBAPIError as exc:  # the table still answers, only without the index
            log.warning("regionaliot_datastore: no range index on %s.%s: %s", resource_id, label,
                        str(exc.orig).splitlines()[0] if exc.orig else exc)
    with engine.begin() as conn:
        conn.execute(sa.text(f"ANALYZE {table}"))


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


def add_japanese_grams(resource_id: str) -> int:
    """Append the bigrams of every row's Japanese to its full-text column (idempotent:
    the table comment says it is done), in one UPDATE through the SQL function that
    mirrors jpsearch.doc_vector (bench/datastore --grams: about twice as fast as reading
    the rows out, computing them in Python and writing them back). Returns the rows changed."""
    table = identifier(resource_id)
    engine = get_write_engine()
    ensure_grams_functions()
    with engine.begin() as conn:
        # One pass at a time per table (a load's hook and ``ckan regionaliot datastore
        # grams`` may meet): the second sees the first's mark after waiting here, instead
        # of appending the bigrams twice. Writes wait too, as they would for the UPDATE.
        conn.exec_driver_sql(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        if conn.execute(sa.text("SELECT obj_description(CAST(:t AS regclass), 'pg_class')"),
                        {"t": table}).scalar() == GRAMS_MARK:
            add_grams_trigger(conn, resource_id)  # tables marked before the trigger existed
            return 0
        # The full-text index is built again after the update instead of being maintained
        # row by row (bench/datastore: no measurable gain at 100,000 rows on a busy
        # machine, 117 s before and 141 s after; the update of every row dominates).
        indexes = conn.execute(_FULL_TEXT_INDEXES, {"t": table}).all()
        for name, _definition in indexes:
            conn.execute(sa.text(f"DROP INDEX {identifier(name)}"))
        # Every row (a row without Japanese gets nothing appended; a prefilter on the text
        # would miss what NFKC turns into Japanese, e.g. ㈱). The full-text trigger keeps
        # a non-null value (it only fills NULLs), and ours is not there yet.
        count = conn.exec_driver_sql(jpsearch.grams_update_sql(table)).rowcount
        for _name, definition in indexes:
            conn.execute(sa.text(definition.replace(":", r"\:")))
        conn.execute(sa.text(f"COMMENT ON TABLE {table} IS '{GRAMS_MARK}'"))
        add_grams_trigger(conn, resource_id)
    return count


# Rows added or changed later (datastore_upsert) get their bigrams from a trigger that
# runs after the DataStore's own full-text trigger (zfulltext: triggers fire in name order)
# and appends what jpsearch.doc_vector would, computed in SQL: the same runs, bigrams,
# positions and limit (tests compare the two; jpsearch.GRAMS_FUNCTIONS_SQL). Only a changed
# _full_text gets them (CKAN's upsert resets it to NULL, zfulltext fills it), so an update
# never doubles them.
GRAMS_TRIGGER = "zz_regionaliot_ja_grams"
def ensure_grams_functions() -> None:
    """(Re)define the SQL functions, in a transaction of their own: a failure here (two
    loads replacing them at once) must not undo a table's bigrams."""
    try:
        with get_write_engine().begin() as conn:
            # exec_driver_sql: no bind parameters, so the ':' of the bodies stays text.
            conn.exec_driver_sql(jpsearch.grams_functions_sql())
    except sa.exc.DBAPIError as exc:
        log.warning("regionaliot_datastore: bigram functions not replaced: %s", exc)


def add_grams_trigger(conn: Any, resource_id: str) -> None:
    """Later rows of this table get their bigrams as they are written."""
    table = identifier(resource_id)
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {GRAMS_TRIGGER} ON {table}")
    conn.exec_driver_sql(f"CREATE TRIGGER {GRAMS_TRIGGER} BEFORE INSERT OR UPDATE ON {table} "
                         "FOR EACH ROW EXECUTE PROCEDURE regionaliot_ja_grams_trigger()")


# DataStore tables (each has CKAN's _full_text column) without our upsert trigger: loaded
# before the trigger existed (they have the bigrams: the trigger is added), or before the
# bigrams existed, or made through the API (both are added). has_grams: the table's mark.
_TABLES_WITHOUT_TRIGGER = sa.text("""
    SELECT c.relname, obj_description(c.oid, 'pg_class') IS NOT DISTINCT FROM :mark
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                  AND a.attname = '_full_text' AND NOT a.attisdropped)
      AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = :trigger)
    ORDER BY c.relname""")


def update_grams(resource_ids: list[str] | None = None
                 ) -> tuple[list[tuple[str, int | None]], list[tuple[str, str]]]:
    """Bring tables made before the Japanese search up to date (``ckan regionaliot
    datastore grams``): every table without the upsert trigger (or only those of
    ``resource_ids``) gets the bigrams of its rows and the trigger, or only the trigger when
    it has the bigrams. Each table in a transaction of its own; safe to run again (a table
    that has both is not listed). Returns ([(table, rows given bigrams or None when only
    the trigger was added)], [(table, error)]).

    A command, not on the next read: reads go through the read-only role, and the update
    locks the table against writes (and, while its full-text index is rebuilt, reads),
    which a search must never do."""
    ensure_grams_functions()
    engine = get_write_engine()
    with engine.connect() as conn:
        tables = conn.execute(_TABLES_WITHOUT_TRIGGER, {
            "mark": GRAMS_MARK, "trigger": GRAMS_TRIGGER}).all()
    done: list[tuple[str, int | None]] = []
    failed: list[tuple[str, str]] = []
    for table, has_grams in tables:
        if resource_ids is not None and table not in resource_ids:
            continue
        try:
            if has_grams:
                with engine.begin() as conn:
                    add_grams_trigger(conn, table)
                done.append((table, None))
            else:
                done.append((table, add_japanese_grams(table)))
        except sa.exc.DBAPIError as exc:  # e.g. dropped meanwhile
            message = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            log.warning("regionaliot_datastore: %s not brought up to date: %s", table, message)
            failed.append((table, message))
    return done, failed


def forget_grams(resource_id: str) -> None:
    """xloader is about to empty or replace the table: its new rows have no bigrams yet
    (they are added in one pass after the load, faster than the trigger row by row)."""
    table = identifier(resource_id)
    try:
        with get_write_engine().begin() as conn:
            conn.execute(sa.text(f"COMMENT ON TABLE {table} IS NULL"))
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {GRAMS_TRIGGER} ON {table}")
    except sa.exc.DBAPIError:
        pass  # no table yet


# Views made for a validated standard table (stored titles: shown as they are in ja and en).
MAP_TITLE = "地図 (Map)"
PYRAMID_TITLE = "人口ピラミッド (Population pyramid)"


def default_views(resource_id: str, state: str) -> list[str]:
    """A validated standard table gets a map when it has coordinates and a population
    pyramid when it has the age columns, once (a view the editor deleted is not made again
    until the next load). Returns the view types created."""
    if state not in ("typed", "partly"):
        return []
    fields = table_fields(resource_id) or []
    names = [f["id"] for f in fields]
    wanted = []
    if p.plugin_loaded("regionaliot_map_view") and rowviews.coordinate_columns(names):
        wanted.append(("regionaliot_map_view", {"title": MAP_TITLE}))
    if p.plugin_loaded("regionaliot_chart_view") and pyramid_columns(names):
        wanted.append(("regionaliot_chart_view", {"title": PYRAMID_TITLE, "kind": "pyramid"}))
    if not wanted:
        return []
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"ignore_auth": True, "user": site_user}
    existing = {v["view_type"] for v in tk.get_action("resource_view_list")(
        dict(context), {"id": resource_id})}
    created = []
    for view_type, settings in wanted:
        if view_type in existing:
            continue
        tk.get_action("resource_view_create")(dict(context), dict(
            settings, resource_id=resource_id, view_type=view_type))
        created.append(view_type)
    return created


def after_upload(resource: dict[str, Any]) -> None:
    """xloader loaded the resource: types from its schema, the Japanese bigrams, then the
    map and pyramid views of a validated standard table."""
    try:
        result = type_columns(resource["id"])
        log.info("regionaliot_datastore: %s loaded, columns %s", resource["id"], result)
        add_japanese_grams(resource["id"])
        default_views(resource["id"], result["state"])
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
    if not data_dict.get("sort"):
        # CKAN orders a q by ts_rank against its own tsquery, which knows no word inside a
        # Japanese run (every row ranks alike) and must rank every match before the first
        # page (EXPLAIN ANALYZE in bench/datastore): the table's order instead.
        query_dict["sort"] = ['"_id"']
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
