"""アイデアボックス server time with many ideas and votes (issue 10, "Measure").

1. Empties the idea tables of the bench database (ckan_bench; the script refuses any other)
   and loads ``--ideas`` ideas (default 10,000) with ``--votes`` votes (default 100,000,
   skewed: a few ideas get most of them), comments and staff replies, in bulk SQL.
2. Measures the server time (in-process WSGI: routing, actions, SQL, rendering) of
   ``/ideas`` (by votes, by date, filtered, a deep page), an idea page with many comments,
   and the Atom feed: p50 and p95 over ``--repeats`` requests each; goal p95 ≤ 150 ms.
3. Votes per second through the vote action (one process, new anonymous voters), and the
   pages' p95 again while a background thread votes at ``--vote-rate`` per second.

    .venv/bin/python bench/ideas/run.py                       # 10,000 ideas, 100,000 votes
    .venv/bin/python bench/ideas/run.py --ideas 1000 --votes 10000 --repeats 20

Writes bench/out/ideas.json. Needs the services (make services).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "ckan_bench"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ini", type=Path, default=ROOT / "var" / "bench-ideas.ini",
                   help="bench ini (rendered afresh with deploy/render_ini.py bench)")
    p.add_argument("--own-profile", action="store_true",
                   help="use --ini as it is (e.g. var/test-N.ini, a test profile of one's "
                        "own) instead of rendering the shared bench profile, which other "
                        "benches empty while this one runs")
    p.add_argument("--ideas", type=int, default=10_000)
    p.add_argument("--votes", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=60)
    p.add_argument("--vote-seconds", type=float, default=10.0)
    p.add_argument("--vote-rate", type=float, default=20.0, help="votes/s during the 2nd pass")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    return p.parse_args(argv)


def load_ckan(ini: Path, own_profile: bool = False):
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
        sys.exit(f"bench/ideas: {ini} is not the bench profile (db {db})")
    return app


def migrate():
    """Core's, activity's, harvest's and every feature plugin's chain (as deploy/stack.sh)."""
    import ckan.model as model
    from ckan.cli.db import _run_migrations

    # CKAN's migration env.py re-inits the model on a NullPool engine: every commit would
    # then open a new PostgreSQL connection (~30 ms each), which no worker pays. Keep ours.
    engine = model.meta.engine
    plugins = [None, "activity", "harvest"]
    migrations = ROOT / "ckanext-regionaliot" / "ckanext" / "regionaliot" / "migration"
    plugins += sorted(d.name for d in migrations.glob("*/") if (d / "env.py").is_file())
    for plugin in plugins:
        _run_migrations(plugin)
    model.init_model(engine)


def load(n_ideas: int, n_votes: int, seed: int = 10) -> str:
    """Bulk-load the ideas; return the id of the most-voted one."""
    from ckan import model
    from sqlalchemy import text

    rng = random.Random(seed)
    session = model.Session
    session.execute(text("TRUNCATE regionaliot_idea CASCADE"))
    orgs = [row[0] for row in session.execute(text(
        "SELECT id FROM \"group\" WHERE is_organization AND state = 'active'"))] or [None]
    now = datetime.datetime.utcnow()
    statuses = ["received"] * 4 + ["reviewing"] * 3 + ["planned"] * 2 + ["published", "declined"]
    ideas, events, comments = [], [], []
    for i in range(n_ideas):
        created = now - datetime.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        status = rng.choice(statuses)
        answered = created + datetime.timedelta(hours=rng.expovariate(1 / 72)) \
            if status != "received" else None
        idea_id = str(uuid.uuid4())
        ideas.append({
            "id": idea_id, "kind": rng.choice(["idea", "request"]),
            "title": f"ベンチ用アイデア {i}: 避難所とAEDのデータ", "body": "本文 **Markdown** " * 20,
            "organization_id": rng.choice(orgs + [None]), "author_name": f"市民{i}",
            "status": status, "created": created, "modified": answered or created,
            "first_answered": answered, "comment_count": 0})
        if answered:
            events.append({"id": str(uuid.uuid4()), "idea_id": idea_id, "event": "status",
                           "from_status": "received", "to_status": status,
                           "reply": "担当課で確認しています。", "created": answered})
    # Votes: a Zipf-like skew, at most one per (idea, voter).
    weights = [1 / (rank + 1) ** 0.8 for rank in range(n_ideas)]
    counts = [0] * n_ideas
    votes = []
    for k, index in enumerate(rng.choices(range(n_ideas), weights=weights, k=n_votes)):
        counts[index] += 1
        votes.append({"idea_id": ideas[index]["id"], "voter": f"anon:bench{k}",
                      "created": now})
    for idea, count in zip(ideas, counts, strict=False):
        idea["vote_count"] = count
    top = ideas[0]["id"]
    for k in range(200):
        comments.append({"id": str(uuid.uuid4()), "idea_id": top, "author_name": f"市民{k}",
                         "body": "賛成です。 " * 10, "created": now})
    ideas[0]["comment_count"] = len(comments)
    from psycopg2.extras import execute_values

    cursor = session.connection().connection.cursor()  # bulk VALUES lists: seconds, not minutes

    def bulk(table: str, columns: tuple[str, ...], rows: list[dict]) -> None:
        execute_values(cursor, f"INSERT INTO {table} ({', '.join(columns)}) VALUES %s",
                       [tuple(row.get(c) for c in columns) for row in rows], page_size=5000)

    for idea in ideas:
        idea["moderation"] = "visible"
    bulk("regionaliot_idea", ("id", "kind", "title", "body", "organization_id", "author_name",
                              "status", "created", "modified", "first_answered", "vote_count",
                              "comment_count", "moderation"), ideas)
    bulk("regionaliot_idea_event", ("id", "idea_id", "event", "from_status", "to_status",
                                    "reply", "created"), events)
    bulk("regionaliot_idea_vote", ("idea_id", "voter", "created"), votes)
    for comment in comments:
        comment["moderation"] = "visible"
    bulk("regionaliot_idea_comment", ("id", "idea_id", "author_name", "body", "moderation",
                                      "created"), comments)
    session.commit()
    session.execute(text("ANALYZE"))
    return top


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(client, urls: dict[str, str], repeats: int) -> dict[str, dict[str, float]]:
    """p50/p95 per page. The pages take turns (round robin), so a burst of load on the
    shared machine slows them all alike and the ratios to the baselines stay fair."""
    times: dict[str, list[float]] = {name: [] for name in urls}
    for url in urls.values():
        client.get(url)  # warm
    for _ in range(repeats):
        for name, url in urls.items():
            start = time.perf_counter()
            response = client.get(url)
            times[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return {name: {"p50_ms": round(statistics.median(t), 1),
                   "p95_ms": round(percentile(t, 0.95), 1)} for name, t in times.items()}


def vote_loop(app, idea_ids: list[str], seconds: float, rate: float | None,
              stop: threading.Event | None = None) -> int:
    """Votes from new anonymous voters for random ideas; at ``rate`` per second, or as fast
    as possible when rate is None. Returns how many were counted."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.regionaliot.ideas.logic.auth import VOTER_CONTEXT_KEY

    rng = random.Random(threading.get_ident())
    done = 0
    end = time.perf_counter() + seconds
    with app.test_request_context():
        while time.perf_counter() < end and not (stop and stop.is_set()):
            tk.get_action("regionaliot_idea_vote")(
                {VOTER_CONTEXT_KEY: uuid.uuid4().hex}, {"id": rng.choice(idea_ids)})
            done += 1
            if rate:
                time.sleep(1 / rate)
        model.Session.remove()
    return done


def main(argv=None) -> int:
    args = parse_args(argv)
    wsgi = load_ckan(args.ini, args.own_profile)  # with CKAN's middleware (locale, root path), as served
    app = wsgi._wsgi_app
    from ckan.common import config

    config["ckanext.regionaliot.ideas.rate_limit_votes"] = 0  # the bench votes, not a robot
    with app.app_context():
        migrate()
        started = time.perf_counter()
        top = load(args.ideas, args.votes)
        load_seconds = time.perf_counter() - started
        from ckan import model
        from sqlalchemy import text

        ids = [row[0] for row in model.Session.execute(text(
            "SELECT id FROM regionaliot_idea ORDER BY random() LIMIT 500"))]
        org = model.Session.execute(text(
            "SELECT organization_id FROM regionaliot_idea WHERE organization_id IS NOT NULL "
            "LIMIT 1")).scalar()
        model.Session.remove()
    from werkzeug.test import Client

    client = Client(wsgi)
    pages = args.ideas // 20
    urls = {
        # Baselines: stock CKAN pages through the same theme and middleware (the dataset
        # list also asks Solr, as a list page of ours asks PostgreSQL).
        "baseline: /about": "/about",
        "baseline: /dataset": "/dataset",
        "home page (with the idea box slot)": "/",
        "/ideas (votes)": "/ideas",
        "/ideas (new)": "/ideas?sort=new",
        "/ideas (open, municipality, request)":
            f"/ideas?status=open&kind=request&organization={org or 'basin'}",
        f"/ideas (page {pages // 2})": f"/ideas?page={pages // 2}",
        "idea page (200 comments, most votes)": f"/ideas/{top}",
        "idea page (typical)": f"/ideas/{ids[0]}",
        "/ideas/feed.atom": "/ideas/feed.atom",
    }
    quiet = measure(client, urls, args.repeats)
    sequential = vote_loop(app, ids, args.vote_seconds, None)
    stop = threading.Event()
    background = threading.Thread(target=vote_loop, args=(app, ids, 3600, args.vote_rate, stop))
    background.start()
    try:
        busy = measure(client, urls, args.repeats)
    finally:
        stop.set()
        background.join()
    result = {
        "ideas": args.ideas, "votes": args.votes, "load_seconds": round(load_seconds, 1),
        "repeats": args.repeats, "pages_quiet": quiet,
        "votes_per_second_sequential": round(sequential / args.vote_seconds, 1),
        "vote_rate_during_second_pass": args.vote_rate, "pages_while_voting": busy,
        "goal_p95_ms": 150,
        "p95_ratio_to_baseline": {name: round(v["p95_ms"] / quiet["baseline: /about"]["p95_ms"], 2)
                                  for name, v in quiet.items()},
        "p95_ratio_to_dataset_list": {
            name: round(v["p95_ms"] / quiet["baseline: /dataset"]["p95_ms"], 2)
            for name, v in quiet.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ideas.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
