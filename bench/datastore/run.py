"""DataStore search for Japanese words at 1,000,000 rows: datastore_search as API users call it.

Two tables of the same AED-shaped rows in the bench DataStore (``datastore_bench`` of the
rendered ``var/bench-datastore.ini``; the script refuses any other), made through
``datastore_create`` and filled by COPY as xloader does (indexes dropped, rows copied, the
DataStore's indexes built again):

- stock: every column text, as xloader leaves a file; searched with the plugin's
  IDatastore hook switched off, i.e. CKAN's own ``q`` (whole tokens only);
- ours: 緯度/経度 numeric as a validated standard file gets them, and the bigrams added by
  the plugin's own load path (hooks.add_japanese_grams: one SQL UPDATE).

``--phase prepare`` (no lock needed: only this script's tables) builds them and compares
the two bigram passes on ``--grams-rows`` rows in one run: the Python pass (rows read out,
jpsearch.doc_vector, written back) against the SQL function (jpsearch.grams_update_sql),
with their results checked equal. ``--phase measure`` (under the bench lock) times
``GET /api/3/action/datastore_search`` (in-process WSGI, CKAN's middleware) for Japanese
``q`` on both tables, interleaved round by round after a warm-up, with the rows found
against the rows that contain the words (counted while generating), and a numeric range
through ``datastore_search_sql`` (a cast of the text column against the typed column).
Stock is CKAN as shipped (the plugin's hook and its total switched off: every match
counted); ours answers the total as the plugin does (total.py: exact up to the threshold,
then estimated); the recall comes from one untimed exact count per table and query.

Each size has its own tables and state file (``bench/out/datastore-prepared-<rows>.json``).
Prepare builds the two tables side by side; ``--one-pass`` builds ours in one INSERT
(the same full text and bigrams as the load path, written once) when time is short, and
``--grams-rows 0`` skips the comparison of the two bigram passes.

    nice -n 15 .venv/bin/python bench/datastore/run.py --phase prepare --rows 1000000
    flock var/bench.lock nice -n 10 .venv/bin/python bench/datastore/run.py --phase measure \
        --rows 1000000 --keep
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ckanext-regionaliot"))

from ckanext.regionaliot.datastore import columns, jpsearch  # noqa: E402  (pure: no CKAN)

INI = ROOT / "var" / "bench-datastore.ini"
GRAMS_MARK = "regionaliot:ja-bigrams"  # hooks.GRAMS_MARK (hooks needs CKAN's config)
OUT = ROOT / "bench" / "out"

TOWNS = [("倉敷市", "クラシキシ"), ("総社市", "ソウジャシ"), ("高梁市", "タカハシシ"),
         ("新見市", "ニイミシ"), ("井原市", "イバラシ"), ("笠岡市", "カサオカシ"),
         ("浅口市", "アサクチシ"), ("早島町", "ハヤシマチョウ"), ("里庄町", "サトショウチョウ"),
         ("矢掛町", "ヤカゲチョウ")]
PLACES = [("阿知", "アチ"), ("中央", "チュウオウ"), ("水島", "ミズシマ"), ("児島", "コジマ"),
          ("玉島", "タマシマ"), ("真備", "マビ"), ("船穂", "フナオ"), ("庄", "ショウ")]
KINDS = [("図書館", "トショカン"), ("公民館", "コウミンカン"), ("小学校", "ショウガッコウ"),
         ("体育館", "タイイクカン"), ("市民会館", "シミンカイカン"), ("保育園", "ホイクエン"),
         ("コンビニエンスストア", "コンビニエンスストア"), ("駅", "エキ")]
COLUMNS = ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ",
           "住所", "緯度", "経度", "設置位置", "電話番号", "備考"]
# (label, q as typed); the ground truth: rows whose text holds every term.
QUERIES = [("倉敷 (2 chars)", "倉敷"), ("図書館 (3 chars)", "図書館"), ("アチ (kana, 2)", "アチ"),
           ("阿知図書館 (5 chars)", "阿知図書館"), ("水島 公民館 (2 terms)", "水島 公民館")]


def bench_url() -> str:
    import configparser
    from urllib.parse import urlparse

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(INI)
    url = parser["app:main"]["ckan.datastore.write_url"]
    if urlparse(url).path.lstrip("/") != "datastore_bench":
        raise SystemExit(f"refusing to run against {urlparse(url).path}: not datastore_bench")
    return url


def generate(n: int, seed: int = 1) -> tuple[str, dict[str, int]]:
    rng = random.Random(seed)
    out = io.StringIO()
    truth = {label: 0 for label, _ in QUERIES}
    for i in range(1, n + 1):
        town, town_kana = rng.choice(TOWNS)
        place, place_kana = rng.choice(PLACES)
        kind, kind_kana = rng.choice(KINDS)
        name = f"{place}{kind}" if rng.random() < 0.7 else f"{town}立{place}{kind}"
        kana = f"{place_kana}{kind_kana}"
        row = ["332020", f"{i:010d}", "岡山県", town, name, kana,
               f"岡山県{town}{place}{rng.randint(1, 9)}-{rng.randint(1, 30)}",
               f"{34.4 + rng.random() * 0.6:.6f}", f"{133.3 + rng.random() * 0.6:.6f}",
               rng.choice(["1階入口", "受付横", "2階ロビー"]), f"086-{rng.randint(100, 999)}-0000", ""]
        text = " ".join(row)
        for label, q in QUERIES:
            if all(term in text for term in q.split()):
                truth[label] += 1
        out.write("\t".join(row) + "\n")
    return out.getvalue(), truth


def create(cur, table: str, data: str, typed: bool) -> None:
    """A plain table as the DataStore makes one (the bigram passes' comparison tables)."""
    cur.execute(f'DROP TABLE IF EXISTS "{table}"')
    cols = ", ".join(f'"{c}" text' for c in COLUMNS)
    cur.execute(f'CREATE TABLE "{table}" (_id serial PRIMARY KEY, _full_text tsvector, {cols})')
    cur.copy_expert(f'COPY "{table}" ({", ".join(chr(34) + c + chr(34) for c in COLUMNS)}) '
                    "FROM STDIN", io.StringIO(data))
    concat = " || ' ' || ".join(f"coalesce(\"{c}\", '')" for c in COLUMNS)
    cur.execute(f'UPDATE "{table}" SET _full_text = to_tsvector({concat})')
    cur.execute(f'CREATE INDEX "{table}_ft" ON "{table}" USING gin (_full_text)')
    if typed:
        for c in ("緯度", "経度"):
            cur.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{c}" TYPE numeric '
                        f"USING NULLIF(btrim(\"{c}\"), '')::numeric")
        cur.execute(f'CREATE INDEX "{table}_lat" ON "{table}" ("緯度")')
    cur.execute(f'ANALYZE "{table}"')


def add_grams(cur, table: str) -> None:
    """The former Python pass of hooks.add_japanese_grams, with psycopg2 and COPY."""
    cur.execute(f'SELECT _id, tsvector_to_array(_full_text) FROM "{table}"')
    data = io.StringIO()
    for row_id, lexemes in cur.fetchall():
        grams = jpsearch.doc_vector(lexemes)
        if grams:
            data.write(f"{row_id}\t" + grams.replace("\\", "\\\\") + "\n")
    data.seek(0)
    cur.execute("CREATE TEMP TABLE g (_id int PRIMARY KEY, grams tsvector)")
    cur.copy_expert("COPY g FROM STDIN", data)
    cur.execute(f'DROP INDEX "{table}_ft"')  # rebuilt after the update, as the plugin does
    cur.execute(f'UPDATE "{table}" AS t SET _full_text = t._full_text || g.grams '
                "FROM g WHERE t._id = g._id")
    cur.execute(f'CREATE INDEX "{table}_ft" ON "{table}" USING gin (_full_text)')
    cur.execute("DROP TABLE g")
    cur.execute(f'VACUUM ANALYZE "{table}"')


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]




def add_grams_sql(cur, table: str) -> None:
    """What hooks.add_japanese_grams does now: the SQL function in one UPDATE."""
    cur.execute(jpsearch.grams_functions_sql())
    cur.execute(f'DROP INDEX "{table}_ft"')
    cur.execute(jpsearch.grams_update_sql(f'"{table}"'))
    cur.execute(f'CREATE INDEX "{table}_ft" ON "{table}" USING gin (_full_text)')
    cur.execute(f'VACUUM ANALYZE "{table}"')


def compare_grams(cur, data: str, rows: int) -> dict:
    """Both bigram passes on the same first ``rows`` rows, their results checked equal."""
    part = "".join(data.splitlines(keepends=True)[:rows])
    create(cur, "bench_jp_cmp_py", part, typed=False)
    create(cur, "bench_jp_cmp_sql", part, typed=False)
    t0 = time.perf_counter()
    add_grams(cur, "bench_jp_cmp_py")
    python_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    add_grams_sql(cur, "bench_jp_cmp_sql")
    sql_s = time.perf_counter() - t0
    cur.execute('SELECT count(*) FROM "bench_jp_cmp_py" p JOIN "bench_jp_cmp_sql" s USING (_id) '
                "WHERE p._full_text IS DISTINCT FROM s._full_text")
    differ = cur.fetchone()[0]
    cur.execute('DROP TABLE "bench_jp_cmp_py", "bench_jp_cmp_sql"')
    return {"rows": rows, "python_s": round(python_s, 2), "sql_s": round(sql_s, 2),
            "ratio_python_over_sql": round(python_s / sql_s, 2), "rows_that_differ": differ}


# The full-text indexes of one column (CKAN's to_tsvector index of a text column).
FTS_INDEXES_OF_COLUMN = """
    SELECT DISTINCT c.relname FROM pg_depend d
    JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'i'
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE d.refobjid = CAST(%(t)s AS regclass) AND a.attname = %(c)s
      AND pg_get_indexdef(c.oid) LIKE '%%to_tsvector%%'"""


def render_ini() -> None:
    env = dict(os.environ, REGIONALIOT_DATA=os.environ.get("REGIONALIOT_DATA", str(ROOT / "var")))
    subprocess.run([sys.executable, str(ROOT / "deploy" / "render_ini.py"), "bench", str(INI)],
                   check=True, env=env)
    bench_url()


def ensure_permissions(cur) -> None:
    """datastore_bench as `make services` leaves it has no DataStore set-up (the stack runs
    `ckan datastore set-permissions` for the portal and tests only): the read-only role's
    grants, _table_metadata and the full-text trigger function, run once as stack.sh
    does (deploy/common.sh's psql_admin: the superuser over the socket)."""
    cur.execute("SELECT to_regproc('populate_full_text_trigger') IS NOT NULL")
    if cur.fetchone()[0]:
        return
    ckan = ROOT / ".venv" / "bin" / "ckan"
    subprocess.run(["bash", "-c", f'source "{ROOT}/deploy/common.sh" && "{ckan}" -c "{INI}" '
                    "datastore set-permissions | psql_admin datastore_bench"], check=True)


def load_ckan():
    render_ini()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    return make_app(load_config(str(INI)))


PREPARED = {"stock": "bench_jp_stock", "ours": "bench_jp_ours"}


def suffix(rows: int) -> None:
    """Tables of each size apart (a smaller size can be prepared and measured while a
    larger one is being built): bench_jp_stock_100000 ..."""
    for kind in PREPARED:
        PREPARED[kind] = f"bench_jp_{kind}_{rows}"
    global STAGED
    STAGED = f"bench_jp_staged_{rows}"


STAGED = "bench_jp_staged"


def datastore_table(cur, table: str) -> float:
    """A table as ``datastore_create`` makes it (_id, _full_text, text columns, CKAN's
    full-text trigger and GIN index), filled from the staged rows with the full text its
    trigger would compute (the words of every column joined by spaces; the trigger keeps a
    value that is already there), the GIN index built after, as xloader's COPY then index.
    The per-column full-text indexes CKAN adds are left out: they serve per-column q,
    which this bench does not time."""
    cur.execute(f'DROP TABLE IF EXISTS "{table}"')
    cols = ", ".join(f'"{c}" text' for c in COLUMNS)
    cur.execute(f'CREATE TABLE "{table}" (_id serial PRIMARY KEY, _full_text tsvector, {cols})')
    cur.execute(f'CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON "{table}" '
                "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()")
    t0 = time.perf_counter()
    quoted = ", ".join(f'"{c}"' for c in COLUMNS)
    cur.execute(f'INSERT INTO "{table}" (_full_text, {quoted}) '
                f"SELECT to_tsvector(concat_ws(' ', {quoted})), {quoted} FROM {STAGED} "
                "ORDER BY n")
    cur.execute(f'CREATE INDEX "{table}_ft" ON "{table}" USING gin (_full_text)')
    return time.perf_counter() - t0


def stage(cur, data: str) -> None:
    cur.execute(f"DROP TABLE IF EXISTS {STAGED}")
    cols = ", ".join(f'"{c}" text' for c in COLUMNS)
    cur.execute(f"CREATE UNLOGGED TABLE {STAGED} (n serial, {cols})")
    quoted = ", ".join(f'"{c}"' for c in COLUMNS)
    cur.copy_expert(f"COPY {STAGED} ({quoted}) FROM STDIN", io.StringIO(data))


def build_ours_one_pass(cur, table: str) -> float:
    """``--one-pass``: the same table as datastore_table + the typing + the bigram UPDATE
    (the full text is to_tsvector of the row, then ``|| regionaliot_ja_grams(it)``, exactly
    what the load path's UPDATE appends; 緯度/経度 numeric as type_columns makes them), in
    one INSERT, so the rows are written once. Used when the session has no time for the
    load path's second write of every row (its time is in the 2026-12-01 figures)."""
    cur.execute(f'DROP TABLE IF EXISTS "{table}"')
    cols = ", ".join(f'"{c}" numeric' if c in ("緯度", "経度") else f'"{c}" text'
                     for c in COLUMNS)
    cur.execute(f'CREATE TABLE "{table}" (_id serial PRIMARY KEY, _full_text tsvector, {cols})')
    cur.execute(f'CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON "{table}" '
                "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()")
    t0 = time.perf_counter()
    quoted = ", ".join(f'"{c}"' for c in COLUMNS)
    values = ", ".join(f'CAST("{c}" AS numeric)' if c in ("緯度", "経度") else f'"{c}"'
                       for c in COLUMNS)
    cur.execute(jpsearch.grams_functions_sql())
    cur.execute(f'INSERT INTO "{table}" (_full_text, {quoted}) '
                f"SELECT v || coalesce(regionaliot_ja_grams(v), ''), {values} FROM ("
                f"SELECT n, to_tsvector(concat_ws(' ', {quoted})) AS v, {quoted} "
                f"FROM {STAGED}) AS s ORDER BY n")
    cur.execute(f'CREATE INDEX "{table}_ft" ON "{table}" USING gin (_full_text)')
    cur.execute(f"COMMENT ON TABLE \"{table}\" IS '{GRAMS_MARK}'")
    add_range_indexes(cur, table)
    return time.perf_counter() - t0


def add_range_indexes(cur, table: str) -> None:
    """As hooks.index_typed_columns does after typing: a B-tree per typed column, ANALYZE."""
    for column in ("緯度", "経度"):
        cur.execute(columns.range_index_sql(f'"{table}"', table, COLUMNS.index(column),
                                            f'"{column}"'))
    cur.execute(f'ANALYZE "{table}"')


def build_ours_load_path(cur, table: str, state: dict) -> None:
    state["ours_load_s"] = round(datastore_table(cur, table), 1)
    # As hooks.type_columns does for a validated standard file.
    for column in ("緯度", "経度"):
        cur.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE numeric '
                    f'USING CAST("{column}" AS numeric)')
    add_range_indexes(cur, table)
    # As hooks.add_japanese_grams does (the load path), timed.
    t0 = time.perf_counter()
    cur.execute("BEGIN")
    cur.execute(jpsearch.grams_functions_sql())
    cur.execute(f'DROP INDEX "{table}_ft"')
    cur.execute(jpsearch.grams_update_sql(f'"{table}"'))
    state["ours_grams_rows"] = cur.rowcount
    cur.execute(f'CREATE INDEX "{table}_ft" ON "{table}" USING gin (_full_text)')
    cur.execute(f"COMMENT ON TABLE \"{table}\" IS '{GRAMS_MARK}'")
    cur.execute("COMMIT")
    state["ours_grams_s"] = round(time.perf_counter() - t0, 1)


def connect():
    conn = psycopg2.connect(bench_url())
    conn.autocommit = True
    cur = conn.cursor()
    # The GIN builds of a million rows (the server's default is 64 MB).
    cur.execute("SET maintenance_work_mem = '1GB'")
    return cur


def prepare(args) -> dict:
    """The two tables (no CKAN objects yet: measure attaches them under the lock), built
    side by side on two connections (each table's statements stay in their order)."""
    from concurrent.futures import ThreadPoolExecutor

    load = [round(x, 2) for x in os.getloadavg()]
    render_ini()
    cur = connect()
    ensure_permissions(cur)
    data, truth = generate(args.rows)
    state: dict = {"rows": args.rows, "truth": truth, "load_average_start": load,
                   "one_pass": args.one_pass}
    if args.grams_rows:
        state["grams_compare"] = compare_grams(cur, data, args.grams_rows)
        print("grams", state["grams_compare"], flush=True)
    stage(cur, data)
    del data
    table = PREPARED["ours"]

    def stock() -> None:
        state["stock_load_s"] = round(datastore_table(connect(), PREPARED["stock"]), 1)

    def ours() -> None:
        if args.one_pass:
            state["ours_one_pass_s"] = round(build_ours_one_pass(connect(), table), 1)
        else:
            build_ours_load_path(connect(), table, state)

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(stock), pool.submit(ours)]:
            future.result()
    cur.execute(f"DROP TABLE {STAGED}")
    for name in PREPARED.values():
        cur.execute(f'VACUUM ANALYZE "{name}"')
    cur.execute("SELECT pg_total_relation_size(%s), pg_total_relation_size(%s)",
                (f'"{PREPARED["stock"]}"', f'"{table}"'))
    sizes = cur.fetchone()
    state["size_mb"] = {"stock": round(sizes[0] / 1e6), "ours": round(sizes[1] / 1e6)}
    state["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return state


def drop_attached(tables: list[str]) -> None:
    """Tables of an earlier prepare that measure renamed to resource ids: their indexes
    still carry the prepared names, which a new prepare needs again."""
    render_ini()
    cur = connect()
    for table in tables:
        cur.execute(f'DROP TABLE IF EXISTS "{table}"')


def attach(state: dict) -> dict[str, str]:
    """Under the lock: a dataset with two resources whose DataStore tables are the
    prepared ones (renamed to the resource ids; the DataStore finds tables by name)."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    conn = psycopg2.connect(bench_url())
    conn.autocommit = True
    cur = conn.cursor()
    admin = model.User.get("bench-datastore") or model.User(
        name="bench-datastore", email="bench-datastore@example.invalid", password="x" * 20,
        sysadmin=True)
    model.Session.add(admin)
    model.Session.commit()
    context = {"user": admin.name}
    if model.Group.get("bench-datastore-org") is None:
        tk.get_action("organization_create")(dict(context), {
            "name": "bench-datastore-org", "title": "ベンチ市"})
    dataset = tk.get_action("package_create")(dict(context), {
        "name": f"bench-datastore-{int(time.time())}", "title": "AED 100万行",
        "owner_org": "bench-datastore-org"})
    ids = {}
    for kind, table in PREPARED.items():
        resource = tk.get_action("resource_create")(dict(context), {
            "package_id": dataset["id"], "name": kind, "url": "aed.csv", "format": "CSV"})
        cur.execute(f'ALTER TABLE "{table}" RENAME TO "{resource["id"]}"')
        tk.get_action("resource_patch")(dict(context), {"id": resource["id"],
                                                        "datastore_active": True})
        ids[kind] = resource["id"]
    model.Session.remove()
    return ids


def summary(times: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
            "max_ms": round(max(times), 1)}


def measure(args, state: dict, wsgi) -> dict:
    """Stock is CKAN as shipped: the plugin's IDatastore hook off (CKAN's q) and its total
    off (``total.SETTING`` 0: every match counted); ours is the plugin as configured."""
    import ckan.plugins.toolkit as tk
    from ckanext.regionaliot.datastore import hooks, total
    from werkzeug.test import Client

    client = Client(wsgi)
    ours_hook = hooks.japanese_search
    ours_threshold = tk.config.get(total.SETTING)
    ids = state["ids"]

    def stock_hook(context, data_dict, fields_types, query_dict):
        return query_dict

    def use(kind: str) -> None:
        hooks.japanese_search = ours_hook if kind == "ours" else stock_hook
        tk.config[total.SETTING] = ours_threshold if kind == "ours" else 0

    def call(action: str, params: dict) -> tuple[float, dict]:
        start = time.perf_counter()
        response = client.get(f"/api/3/action/{action}", query_string=params)
        elapsed = (time.perf_counter() - start) * 1000
        body = json.loads(response.get_data(as_text=True))
        assert response.status_code == 200, body
        return elapsed, body["result"]

    result: dict = {"rows": state["rows"], "repeats": args.repeats, "ids": ids,
                    "threshold_ours": ours_threshold,
                    "load_average_start": [round(x, 2) for x in os.getloadavg()], "q": {}}
    try:
        for label, q in QUERIES:
            times: dict[str, list[float]] = {"stock": [], "ours": []}
            found = {}
            for rnd in range(args.repeats + 2):
                for kind in ("stock", "ours"):
                    use(kind)
                    elapsed, res = call("datastore_search", {"resource_id": ids[kind], "q": q})
                    found[kind] = (res["total"], res.get("total_was_estimated"),
                                   len(res["records"]))
                    if rnd >= 2:  # warm-up
                        times[kind].append(elapsed)
            truth = state["truth"][label]
            entry: dict = {"truth": truth}
            for kind, t in times.items():
                use(kind)
                # Recall from the exact count (untimed): a threshold above the table.
                _ms, exact = call("datastore_search", {
                    "resource_id": ids[kind], "q": q, "limit": 0,
                    "total_estimation_threshold": 10 * state["rows"]})
                entry[kind] = {**summary(t), "total": found[kind][0],
                               "estimated": found[kind][1], "records": found[kind][2],
                               "exact_total": exact["total"],
                               "recall": round(exact["total"] / truth, 3) if truth else None}
            result["q"][label] = entry
            print(label, entry, flush=True)
        # A numeric range: datastore_search_sql (datastore_search's filters are equality
        # only). The text column needs a cast, written "::" (CKAN refuses CAST( as a call
        # of a function not in its allow-list).
        sqls = {"stock": f'SELECT "_id", "名称" FROM "{ids["stock"]}" WHERE "緯度"::numeric '
                         "BETWEEN 34.600 AND 34.601",
                "ours": f'SELECT "_id", "名称" FROM "{ids["ours"]}" WHERE "緯度" '
                        "BETWEEN 34.600 AND 34.601"}
        rtimes: dict[str, list[float]] = {k: [] for k in sqls}
        rfound = {}
        for rnd in range(args.repeats + 2):
            for kind, sql in sqls.items():
                use(kind)
                elapsed, res = call("datastore_search_sql", {"sql": sql})
                rfound[kind] = len(res["records"])
                if rnd >= 2:
                    rtimes[kind].append(elapsed)
        result["numeric_range"] = {k: {**summary(t), "records": rfound[k]}
                                   for k, t in rtimes.items()}
        print("range", result["numeric_range"], flush=True)
    finally:
        use("ours")
    result["explain"] = explain(ids["ours"], "図書館", int(ours_threshold))
    print("explain", result["explain"], flush=True)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if not args.keep:
        conn = psycopg2.connect(bench_url())
        conn.autocommit = True
        conn.cursor().execute(f'DROP TABLE IF EXISTS "{ids["stock"]}", "{ids["ours"]}"')
    return result


def explain(table: str, q: str, cap: int) -> dict:
    """EXPLAIN ANALYZE of what datastore_search runs for q on the table with bigrams: the
    page ordered by CKAN's rank (stock) or by _id (the plugin), CKAN's total (every match),
    and the plugin's: the count capped at the threshold, then the sample (total.py)."""
    from ckanext.regionaliot.datastore import counting

    conn = psycopg2.connect(bench_url())
    conn.autocommit = True
    cur = conn.cursor()
    src = (f"FROM \"{table}\", plainto_tsquery('english', %s) query "
           "WHERE _full_text @@ CAST(%s AS tsquery)")
    statements = {"page_by_rank": f"SELECT * {src} ORDER BY ts_rank(_full_text, query, 32) DESC "
                                  "LIMIT 100",
                  "page_by_id": f'SELECT * {src} ORDER BY "_id" LIMIT 100',
                  "total": f"SELECT count(*) {src}"}
    ts_query = ", plainto_tsquery('english', %s) query"
    condition = "_full_text @@ CAST(%s AS tsquery)"
    cur.execute("SELECT reltuples FROM pg_class WHERE oid = CAST(%s AS regclass)", [f'"{table}"'])
    percent = counting.sample_percent(cur.fetchone()[0]) or 100.0
    statements["total_capped"] = counting.capped_count_sql(f'"{table}"', ts_query, condition, cap)
    statements["total_sample"] = counting.sample_sql(f'"{table}"', ts_query, condition, percent)
    out = {}
    for name, sql in statements.items():
        params = [q, jpsearch.query(q)]
        if name == "total_sample":  # the condition comes before FROM there
            params.reverse()
        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]
        nodes, node = [], plan["Plan"]
        while node:
            nodes.append(node["Node Type"])
            node = (node.get("Plans") or [None])[0]
        out[name] = {"ms": round(plan["Execution Time"], 1), "plan": " > ".join(nodes)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phase", choices=("prepare", "measure", "all"), default="all")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--grams-rows", type=int, default=20_000,
                    help="rows on which the Python and the SQL bigram passes are compared")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="keep the tables after measuring")
    ap.add_argument("--one-pass", action="store_true",
                    help="prepare: build ours in one INSERT (full text with its bigrams, "
                         "numeric coordinates) instead of the load path's three steps")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    suffix(args.rows)
    state_path = OUT / f"datastore-prepared-{args.rows}.json"
    if args.phase in ("prepare", "all"):
        if state_path.exists():  # the last prepare's tables, attached under resource ids
            old = json.loads(state_path.read_text(encoding="utf-8")).get("ids", {})
            drop_attached(list(old.values()))
        state = prepare(args)
        state_path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        print(json.dumps(state, ensure_ascii=False, indent=1))
    if args.phase in ("measure", "all"):
        state = json.loads(state_path.read_text(encoding="utf-8"))
        wsgi = load_ckan()
        if "ids" not in state:  # the tables get their resources once (renamed to their ids)
            with getattr(wsgi, "_wsgi_app", wsgi).test_request_context():
                state["ids"] = attach(state)
            state_path.write_text(json.dumps(state, ensure_ascii=False, indent=1),
                                  encoding="utf-8")
        result = {"prepared": state, **measure(args, state, wsgi)}
        path = OUT / f"datastore-{state['rows']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(json.dumps(result, ensure_ascii=False, indent=1))
        print(f"written: {path}")


if __name__ == "__main__":
    main()
