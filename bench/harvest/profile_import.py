"""Where one harvest import's time goes: our ``regionaliot_ckan_api`` harvester on the bench
profile, one consumer in this process, with SQL statements counted by origin and by kind,
Solr requests counted and timed, and cProfile of the fetch/import stage.

    nice .venv/bin/python bench/harvest/profile_import.py --datasets 100
    nice .venv/bin/python bench/harvest/profile_import.py --datasets 100 --stock   # ckanext-harvest's

Uses bench/harvest/run.py's source server, profile and job runner (one consumer, no queues);
makes its own organization and remote ids, deletes nothing. Not a timed benchmark: the
profiler slows everything; read the proportions and the per-dataset counts.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import re
import sys
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench  # noqa: E402  (bench/harvest/run.py)

_origins: Counter = Counter()
_kinds: Counter = Counter()
_sql_seconds = [0.0]
_solr: Counter = Counter()
_solr_seconds: Counter = Counter()

SKIP = ("sqlalchemy", "ckan/model", "ckan/logic/__init__", "contextlib", "ckan/plugins/",
        "flask_sqlalchemy", "/logging/", "bench/harvest/profile_import")


def _kind(statement: str) -> str:
    text = re.sub(r"\s+", " ", statement).strip()
    head = text[:24].upper()
    table = re.search(r"(?:FROM|INTO|UPDATE)\s+\"?(\w+)", text, re.I)
    return f"{head.split(' ')[0]} {table.group(1) if table else text[:40]}"


def count_sql() -> None:
    import time as _t

    from ckan import model
    from sqlalchemy import event

    @event.listens_for(model.meta.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        conn.info["regionaliot_t0"] = _t.perf_counter()
        origin = "?"
        for frame in reversed(traceback.extract_stack()[:-1]):
            if not any(s in frame.filename for s in SKIP):
                short = frame.filename.split("site-packages/")[-1].split("ckanext-regionaliot/")[-1]
                origin = f"{short}:{frame.lineno} {frame.name}"
                break
        _origins[origin] += 1
        _kinds[_kind(statement)] += 1

    @event.listens_for(model.meta.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        _sql_seconds[0] += _t.perf_counter() - conn.info.pop("regionaliot_t0", _t.perf_counter())


def count_solr() -> None:
    import pysolr

    send = pysolr.Solr._send_request

    def timed(self, method, path="", *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return send(self, method, path, *args, **kwargs)
        finally:
            key = f"{method} {path.split('?')[0]}"
            body = kwargs.get("body") or (args[0] if args else "") or ""
            body = body if isinstance(body, bytes) else str(body).encode()
            if "commit=true" in str(path) or body.lstrip().startswith(b"<commit"):
                key += " (commit)"
            _solr[key] += 1
            _solr_seconds[key] += time.perf_counter() - t0

    pysolr.Solr._send_request = timed


def baseline() -> None:
    """The importer as it was before the third session's shortcuts (same process only)."""
    import contextlib

    import ckan.plugins.toolkit as tk
    from ckanext.regionaliot.harvest import importer

    importer._show_what_was_indexed = contextlib.nullcontext
    importer._no_views_for_new_datasets = lambda: None
    importer._writer = lambda user: {
        "user": user or tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
        "ignore_auth": True, importer.HARVESTER: True}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ini", type=Path, default=bench.ROOT / "var" / "bench-harvest.ini")
    p.add_argument("--datasets", type=int, default=100)
    p.add_argument("--stock", action="store_true", help="ckanext-harvest's CKANHarvester instead")
    p.add_argument("--top", type=int, default=45)
    p.add_argument("--no-profile", action="store_true", help="counters only (no cProfile)")
    p.add_argument("--baseline", action="store_true",
                   help="ours without the import's shortcuts of 2026-12-01 (third session): "
                   "user looked up by CKAN, activity's package_show by Solr then dictize, "
                   "tracking read for new datasets")
    p.add_argument("--test-profile", action="store_true",
                   help="allow a test slot's ini (var/test-N.ini: its tests wipe it anyway)")
    p.add_argument("--dump", type=Path, help="write the pstats here")
    args = p.parse_args(argv)

    logging.disable(logging.WARNING)
    if args.test_profile:
        bench.DB_NAME = args.ini.stem.replace("-", "_").replace("test", "ckan_test")
    app = bench.load_ckan(args.ini)
    if args.baseline:
        baseline()
    run = uuid.uuid4().hex[:6]
    print("load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    with app._wsgi_app.test_request_context():
        bench.migrate()
        import ckan.model as model
        from ckanext.harvest import queue
        from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

        if args.stock:
            from ckanext.harvest.harvesters.ckanharvester import CKANHarvester as Harvester
            name = "ckan"
        else:
            from ckanext.regionaliot.harvest.ckan_api_harvester import (
                RegionalIoTCKANAPIHarvester as Harvester,
            )
            name = "regionaliot_ckan_api"
        server = bench.Remote()
        server.datasets = bench.remote_datasets(args.datasets, f"{run}p")
        bench.allow(server.port)
        source = bench.make_source(server.url, name, bench.organization(f"bench-{run}-prof"))
        harvester = Harvester()
        job = HarvestJob(source=HarvestSource.get(source.id))
        job.status = "Running"
        job.save()
        t0 = time.perf_counter()
        ids = queue.gather_stage(harvester, job) or []
        gather = time.perf_counter() - t0
        count_sql()
        count_solr()
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        if not args.no_profile:
            prof.enable()
        for object_id in ids:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        if not args.no_profile:
            prof.disable()
        seconds = time.perf_counter() - t0
        server.close()
        n = max(len(ids), 1)
        states = Counter(s for (s,) in model.Session.query(HarvestObject.state)
                         .filter(HarvestObject.harvest_job_id == job.id))
        print(f"\n{name}: {len(ids)} objects, gather {gather:.1f} s, fetch+import {seconds:.1f} s "
              f"({seconds / n * 1000:.0f} ms per dataset{'' if args.no_profile else ', profiled'}), "
              f"states {dict(states)}; load average {os.getloadavg()[0]:.2f}")
        print(f"SQL: {sum(_origins.values()) / n:.1f} statements per dataset, "
              f"{_sql_seconds[0] / n * 1000:.1f} ms per dataset")
        print("  by kind:")
        for kind, count in _kinds.most_common(30):
            print(f"  {count / n:6.2f}  {kind}")
        print("  by origin:")
        for origin, count in _origins.most_common(40):
            print(f"  {count / n:6.2f}  {origin}")
        print("Solr requests per dataset:")
        for key, count in _solr.most_common():
            print(f"  {count / n:6.2f}  {key}  ({_solr_seconds[key] / n * 1000:.1f} ms per dataset)")
        if not args.no_profile:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
            print(out.getvalue())
            if args.dump:
                prof.dump_stats(args.dump)


if __name__ == "__main__":
    main()
