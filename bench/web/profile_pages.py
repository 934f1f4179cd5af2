"""Where a page's server time goes: cProfile of bench/web's pages, ours or stock.

Loads one variant's CKAN app in this process (the ini bench/web/run.py wrote: ours
var/bench-web.ini, stock var/bench-web-stock.ini), renders each page a few times untimed,
then profiles N more renders and prints the functions with the most cumulative time, so
two runs (ours, stock) on the same data show what our plugins add. Read-only: it only
GETs pages of the bench profile.

    nice .venv/bin/python bench/web/profile_pages.py --ini var/bench-web.ini --page home
    nice .venv/bin/python bench/web/profile_pages.py --ini var/bench-web-stock.ini --page dataset -n 10
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as web  # noqa: E402  (bench/web/run.py: its page list and paths)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ini", type=Path, required=True)
    p.add_argument("--page", action="append", choices=web.PAGES,
                   help="page type(s) to profile (default: all five)")
    p.add_argument("-n", type=int, default=10, help="profiled renders per page")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--sort", default="cumulative")
    p.add_argument("--filter", default="", help="only functions whose file matches this")
    p.add_argument("--dump", type=Path, help="folder for <page>.pstats files")
    p.add_argument("--sql", action="store_true",
                   help="also count each render's SQL statements by the template or plugin "
                   "code that issued them")
    args = p.parse_args(argv)

    logging.disable(logging.WARNING)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.test import Client

    app = make_app(load_config(str(args.ini)))
    client = Client(app)
    datasets = web._search_bench().generate.generate(1000, 0)
    with app._wsgi_app.test_request_context():
        paths = web.page_paths(datasets, 1000, 0)
    if args.sql:
        _count_sql()
    for page in args.page or web.PAGES:
        urls = paths[page]
        for url in urls[:3]:
            client.get(url)
        prof = cProfile.Profile()
        walls = []
        _sql.clear()
        for i in range(args.n):
            url = urls[i % len(urls)]
            t0 = time.perf_counter()
            prof.enable()
            response = client.get(url)
            response.get_data()
            prof.disable()
            walls.append((time.perf_counter() - t0) * 1000)
        walls.sort()
        print(f"\n=== {page} ({args.ini.name}): {args.n} renders, median {walls[len(walls) // 2]:.1f} ms,"
              f" status {response.status_code}")
        if args.sql:
            print(f"SQL statements per render: {sum(_sql.values()) / args.n:.1f}, by origin:")
            for origin, n in sorted(_sql.items(), key=lambda kv: -kv[1])[:25]:
                print(f"  {n / args.n:6.1f}  {origin}")
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            prof.dump_stats(args.dump / f"{page}.pstats")
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats(args.sort)
        stats.print_stats(args.filter, args.top) if args.filter else stats.print_stats(args.top)
        print(out.getvalue())


_sql: dict[str, int] = {}


def _count_sql() -> None:
    """Count statements by the innermost frame outside SQLAlchemy, CKAN's model and
    logic plumbing, i.e. the helper, template or action that asked."""
    import traceback

    from ckan import model
    from sqlalchemy import event

    skip = ("sqlalchemy", "ckan/model", "ckan/logic/__init__", "ckan/lib/dictization",
            "ckan/authz", "jinja2/", "contextlib", "ckan/plugins/", "flask_sqlalchemy")

    @event.listens_for(model.meta.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        origin = "?"
        for frame in reversed(traceback.extract_stack()[:-1]):
            if not any(s in frame.filename for s in skip):
                short = frame.filename.split("site-packages/")[-1].split("ckanext-regionaliot/")[-1]
                origin = f"{short}:{frame.lineno} {frame.name}"
                break
        _sql[origin] = _sql.get(origin, 0) + 1


if __name__ == "__main__":
    main()
