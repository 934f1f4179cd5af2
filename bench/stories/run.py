"""「データから見えるもの」 at 1,000,000 rows (issue 9, "Measure"): server time of
``regionaliot_chart_data`` (through the Action API, in-process WSGI) cold and cached, and of
a story page, on a DataStore table of ``--rows`` rows; the pure path (rows read through
datastore_search, then aggregated in Python) as the baseline in the same run.
Goal: cold ≤ 2 s, cached p95 ≤ 50 ms.

1. Renders the shared bench profile (ckan_bench / datastore_bench; the script refuses any
   other), creates a dataset and a DataStore table, and fills it by COPY (seconds).
2. A published story with one block per aggregation the SQL path answers: sum (typed
   column), mean (a text column: the number parsing in SQL), time series, pyramid (one
   member), share, and a per-member map.
3. Per block: cold = a new rows token (cache.rows_changed) before each call, ``--cold``
   calls; cached = ``--repeats`` calls, p50/p95. The pure path: ``--pure`` cold runs of the
   sum and pyramid blocks over ``--pure-rows`` rows (the portal's max_rows, 200,000: the
   pure path never reads more), so the ratio is per row read (reported with both).

    nice -n 15 .venv/bin/python bench/stories/run.py --phase prepare     # no lock
    flock var/bench.lock nice -n 10 .venv/bin/python bench/stories/run.py --phase measure
    .venv/bin/python bench/stories/run.py --rows 100000 --repeats 50

``--phase prepare`` only creates and fills the table (minutes: the DataStore's triggers run
per row) and writes its id to bench/out/stories-table.json; ``--phase measure`` times it.
Before the timed calls, ``--explain`` runs EXPLAIN ANALYZE of each block's query as the
DataStore's reader (execution, JIT and parallel workers: where a cold answer's time goes).

Writes bench/out/stories.json. Needs the services (make services).
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

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "ckan_bench"
CODES = ["332020", "332038", "332054", "332071", "332101", "332119", "332135", "332160",
         "334618", "336092"]  # the ten members
AGES = ["0-4歳", "5-9歳", "10-14歳", "15-64歳", "65歳以上"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ini", type=Path, default=ROOT / "var" / "bench-stories.ini")
    p.add_argument("--own-profile", action="store_true",
                   help="use --ini as it is (a test profile of one's own)")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--cold", type=int, default=3)
    p.add_argument("--repeats", type=int, default=100)
    p.add_argument("--pure", type=int, default=1, help="cold runs of the pure path per block")
    p.add_argument("--pure-rows", type=int, default=200_000,
                   help="rows the pure path reads (its max_rows; the default is the "
                        "portal's: beyond it, the pure path does not count at all)")
    p.add_argument("--resource", default="",
                   help="reuse this filled DataStore table of the bench profile (a previous "
                        "run's, same generator) instead of filling a new one")
    p.add_argument("--phase", choices=("all", "prepare", "measure"), default="all",
                   help="prepare: only create and fill the table (no timing: may run "
                        "outside the bench lock, niced) and write its id to "
                        "OUT/stories-table.json; measure: time a table prepared before "
                        "(--resource, or the one in that file); all: both")
    p.add_argument("--explain", type=int, default=1,
                   help="EXPLAIN ANALYZE runs of each block's query as the DataStore reader "
                        "(where the cold time goes: JIT, workers, execution)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    return p.parse_args(argv)


def load_ckan(ini: Path, own_profile: bool):
    env = dict(os.environ, REGIONALIOT_DATA=os.environ.get("REGIONALIOT_DATA", str(ROOT / "var")))
    if not own_profile:
        subprocess.run([sys.executable, str(ROOT / "deploy" / "render_ini.py"), "bench",
                        str(ini)], check=True, env=env)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    from ckan.common import config

    db = config["sqlalchemy.url"].rsplit("/", 1)[-1]
    if db != DB_NAME and not (own_profile and db.startswith("ckan_test_")):
        sys.exit(f"bench/stories: {ini} is not the bench profile (db {db})")
    return app


def fields() -> list[dict]:
    out = [{"id": "市区町村コード", "type": "text"}, {"id": "年", "type": "text"},
           {"id": "人数", "type": "numeric"}, {"id": "件数", "type": "text"}]
    for age in AGES:
        out += [{"id": f"{age}の男性", "type": "numeric"}, {"id": f"{age}の女性", "type": "numeric"}]
    return out


def fill(resource_id: str, rows: int, seed: int = 9) -> float:
    """COPY ``rows`` generated rows into the DataStore table (write role)."""
    import sqlalchemy as sa
    from ckan.common import config

    rng = random.Random(seed)
    columns = [f["id"] for f in fields()]
    engine = sa.create_engine(config["ckan.datastore.write_url"])
    started = time.perf_counter()
    with engine.begin() as conn:
        cursor = conn.connection.cursor()
        chunk = 100_000
        for start in range(0, rows, chunk):
            buffer = io.StringIO()
            for _ in range(min(chunk, rows - start)):
                cells = [rng.choice(CODES), str(rng.randint(2010, 2040)),
                         str(rng.randint(0, 500)),
                         rng.choice(["12", "１，２３４", "不明", "", "7.5"])]
                cells += [str(rng.randint(0, 300)) for _ in range(2 * len(AGES))]
                buffer.write("\t".join(cells) + "\n")
            buffer.seek(0)
            quoted = ", ".join('"' + c + '"' for c in columns)
            cursor.copy_expert(f'COPY "{resource_id}" ({quoted}) FROM STDIN', buffer)
        cursor.execute(f'ANALYZE "{resource_id}"')
    return time.perf_counter() - started


def scripts(client, html: str) -> dict:
    """The story page's scripts (every <script src> of this site): bytes and gzipped."""
    import gzip
    import re

    total = packed = 0
    names = []
    for src in re.findall(r'<script[^>]+src="([^"]+)"', html):
        if src.startswith(("http://", "https://", "//")):
            continue
        body = client.get(src).get_data()
        total += len(body)
        packed += len(gzip.compress(body, 9))
        names.append(src.split("?")[0].rsplit("/", 1)[-1])
    return {"files": names, "bytes": total, "gzipped_bytes": packed}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(times: list[float]) -> dict[str, float]:
    return {"n": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(max(times), 1)}


BLOCKS = [
    ("sum", {"type": "chart", "aggregation": "sum", "group": "市区町村コード", "value": "人数"}),
    ("mean_text", {"type": "chart", "aggregation": "mean", "group": "市区町村コード",
                   "value": "件数"}),
    ("timeseries", {"type": "chart", "aggregation": "timeseries", "group": "年",
                    "value": "人数", "chart": "line"}),
    ("pyramid", {"type": "chart", "aggregation": "pyramid", "where_column": "市区町村コード",
                 "where_value": "332054", "chart": "pyramid"}),
    ("share", {"type": "chart", "aggregation": "share", "group": "年"}),
    ("map", {"type": "map", "member_column": "市区町村コード", "aggregation": "sum",
             "value": "人数"}),
]


def block_query(types: dict, block: dict) -> str:
    """The aggregate query stories/sql.py sends for a block (the same functions)."""
    from ckanext.regionaliot.lib.charts import aggregate
    from ckanext.regionaliot.stories import sql

    resource_id = block["resource"]
    if block.get("aggregation") == "pyramid":
        where = aggregate.where_of(block)
        columns = aggregate.pyramid_plan(list(types), where)
        names = [c for _age, male, female in columns for c in (male, female)]
        return sql.query(resource_id, types, where[0] if where else None, names,
                         where[1] if where else None)
    spec = dict(block, group=block.get("member_column") or block.get("group"))
    group, value = aggregate.chart_columns(spec, list(types))
    return sql.query(resource_id, types, group, [value] if value else [])


def explain(user: str, resource_id: str, runs: int) -> dict:
    """EXPLAIN (ANALYZE, FORMAT JSON) of each block's query as the DataStore's reader (the
    role datastore_search_sql uses), wrapped as datastore_search_sql wraps it: execution
    time, JIT time, parallel workers planned and launched."""
    import sqlalchemy as sa
    from ckan.common import config
    from ckanext.regionaliot.stories import sql

    engine = sa.create_engine(config["ckan.datastore.read_url"])
    types = sql.fields({"user": user}, resource_id)
    out: dict[str, dict] = {}
    with engine.connect() as conn:
        for label, block in BLOCKS:
            text = block_query(types, dict(block, resource=resource_id))
            wrapped = f"SELECT * FROM ({text}) AS blah LIMIT 32001"
            runs_out = []
            for _ in range(runs):
                plan = conn.execute(sa.text(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + wrapped)).scalar()
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                jit = plan.get("JIT", {}).get("Timing", {})
                nodes, workers = [plan["Plan"]], [0, 0]
                while nodes:
                    node = nodes.pop()
                    workers[0] += node.get("Workers Planned", 0)
                    workers[1] += node.get("Workers Launched", 0)
                    nodes.extend(node.get("Plans", []))
                runs_out.append({"execution_ms": round(plan["Execution Time"], 1),
                                 "planning_ms": round(plan["Planning Time"], 1),
                                 "jit_ms": round(jit.get("Total", 0.0), 1),
                                 "workers_planned": workers[0],
                                 "workers_launched": workers[1]})
            out[label] = {"runs": runs_out, "sql_chars": len(text)}
    engine.dispose()
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    wsgi = load_ckan(args.ini, args.own_profile)
    app = wsgi._wsgi_app
    load_start = os.getloadavg()
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.common import config
    from ckanext.regionaliot.lib.charts import aggregate
    from ckanext.regionaliot.stories import cache, data

    result: dict = {"rows": args.rows, "load_average_start": [round(x, 2) for x in load_start]}
    with app.app_context(), app.test_request_context():
        for plugin in (None, "regionaliot_stories"):
            _run_migrations(plugin)
        site = {"user": "", "ignore_auth": True}
        admin = model.User.get("bench-stories") or model.User(
            name="bench-stories", email="bench@example.invalid", password="x" * 20,
            sysadmin=True)
        model.Session.add(admin)
        model.Session.commit()
        context = {"user": admin.name}
        admin_name = admin.name
        org = model.Group.get("bench-stories-org") or None
        if org is None:
            tk.get_action("organization_create")(dict(site, user=admin.name),
                                                 {"name": "bench-stories-org",
                                                  "title": "ベンチ市"})
        name = f"bench-stories-{int(time.time())}"
        table_file = args.out / "stories-table.json"
        if args.phase == "measure" and not args.resource:
            prepared = json.loads(table_file.read_text())
            if prepared.get("rows") != args.rows:
                sys.exit(f"bench/stories: {table_file} holds {prepared.get('rows')} rows, "
                         f"not {args.rows}: run --phase prepare first")
            args.resource = prepared["resource_id"]
        if args.resource:
            resource_id = args.resource
            result["reused_table"] = resource_id
        else:
            dataset = tk.get_action("package_create")(dict(context), {
                "name": name, "title": "ベンチ 100万行", "owner_org": "bench-stories-org"})
            table = tk.get_action("datastore_create")(dict(context), {
                "resource": {"package_id": dataset["id"], "name": "100万行"},
                "fields": fields(), "force": True})
            resource_id = table["resource_id"]
            result["load_seconds"] = round(fill(resource_id, args.rows), 1)
            args.out.mkdir(parents=True, exist_ok=True)
            table_file.write_text(json.dumps({
                "resource_id": resource_id, "rows": args.rows,
                "load_seconds": result["load_seconds"]}))
        if args.phase == "prepare":
            print(json.dumps({"resource_id": resource_id, "rows": args.rows,
                              "load_seconds": result.get("load_seconds")}))
            return 0
        # A signed-in reader's request goes through CKAN's whole path (answers.py serves
        # anonymous readers only): the same figures from Redis, for the ratio.
        token = tk.get_action("api_token_create")(dict(site, user=admin.name), {
            "user": admin.name, "name": "bench-stories"})["token"]
        blocks = [dict(block, resource=resource_id) for _name, block in BLOCKS]
        story = tk.get_action("regionaliot_story_create")(dict(context), {
            "name": name, "title": "ベンチ", "organizations": ["bench-stories-org"],
            "blocks": blocks, "state": "published"})
        model.Session.remove()

    from werkzeug.test import Client

    # With CKAN's middleware (locale, root path), as served. Two clients: a signed-in
    # request leaves the user in CKAN's session cookie, and a client sharing that cookie
    # jar was not anonymous after it (the page "kept whole" measured 54 ms p50 that way).
    client = Client(wsgi)  # anonymous: never sends the token
    signed = Client(wsgi)  # staff: the token on every request

    def chart(index: int, headers: dict | None = None) -> float:
        start = time.perf_counter()
        response = (signed if headers else client).get("/api/3/action/regionaliot_chart_data",
                              query_string={"id": story["id"], "block": index},
                              headers=headers or {})
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        response.close()
        return elapsed

    client.get("/stories")  # warm the process (templates, routes)
    if args.explain > 0:
        with app.app_context(), app.test_request_context():
            result["explain"] = explain(admin_name, resource_id, args.explain)
        print("explain", json.dumps(result["explain"], ensure_ascii=False), flush=True)
    sql_figures: dict[str, dict] = {}
    for index, (label, _block) in enumerate(BLOCKS, start=1):
        cold = []
        for _ in range(args.cold):
            with app.app_context():
                cache.rows_changed(resource_id)
            cold.append(chart(index))
        cached = [chart(index) for _ in range(args.repeats)]  # anonymous: answers.py
        signed_in = [chart(index, {"Authorization": token})
                     for _ in range(max(10, args.repeats // 2))]
        sql_figures[label] = {"cold": summary(cold), "cached": summary(cached),
                              "cached_signed_in": summary(signed_in)}
        print(label, sql_figures[label], flush=True)
    result["chart_data_sql"] = sql_figures

    # The page: anonymous (kept whole by answers.py after the first) and signed in
    # (CKAN's whole page work; the blocks' figures from Redis), interleaved.
    page: list[float] = []
    page_signed_in: list[float] = []
    for _ in range(max(10, args.repeats // 2)):
        for times, reader, headers in ((page, client, {}),
                                       (page_signed_in, signed, {"Authorization": token})):
            start = time.perf_counter()
            response = reader.get(f"/stories/{story['name']}", headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    result["story_page_cached"] = summary(page)
    result["story_page_signed_in"] = summary(page_signed_in)
    print("page", result["story_page_cached"], flush=True)
    print("page signed in", result["story_page_signed_in"], flush=True)
    response = client.get(f"/stories/{story['name']}")
    result["story_page_scripts"] = scripts(client, response.get_data(as_text=True))
    print("scripts", result["story_page_scripts"], flush=True)

    # Rows changed: the signal's background job computes every block of the story (what
    # a reader waited for before; now the job does, and readers get the cache).
    from ckanext.regionaliot.stories import jobs

    refresh: list[float] = []
    for _ in range(max(1, args.cold - 1)):
        with app.app_context(), app.test_request_context():
            cache.rows_changed(resource_id)
            start = time.perf_counter()
            jobs.refresh(resource_id)
            refresh.append((time.perf_counter() - start) * 1000)
    result["background_refresh_all_blocks"] = summary(refresh)
    print("refresh", result["background_refresh_all_blocks"], flush=True)

    # The baseline: the same blocks through the rows (datastore_search pages) and Python.
    config["ckanext.regionaliot.stories.max_rows"] = args.pure_rows
    pure: dict[str, dict] = {}
    with app.app_context(), app.test_request_context():
        res = tk.get_action("resource_show")({"user": admin.name}, {"id": resource_id})
        for label, block in BLOCKS:
            if label not in ("sum", "pyramid") or args.pure <= 0:
                continue
            times = []
            for _ in range(args.pure):
                cache.rows_changed(resource_id)
                start = time.perf_counter()
                header, rows, _res = data.rows_of({"user": admin.name}, res)
                figures = aggregate.compute(block, rows, header)
                times.append((time.perf_counter() - start) * 1000)
            pure[label] = {"cold": summary(times), "rows_read": len(rows),
                           "groups": len(figures.rows)}
            print("pure", label, pure[label], flush=True)
    result["chart_data_pure"] = pure
    result["cached_ratio_signed_in_over_anonymous_p95"] = {
        label: round(v["cached_signed_in"]["p95_ms"] / v["cached"]["p95_ms"], 1)
        for label, v in sql_figures.items()}
    result["cold_ratio_pure_over_sql"] = {
        label: round(pure[label]["cold"]["p50_ms"] / sql_figures[label]["cold"]["p50_ms"], 1)
        for label in pure}
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "stories.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
