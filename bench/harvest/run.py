"""Harvest speed and gather memory (issue 11, "Speed"): our ``regionaliot_ckan_api`` against
ckanext-harvest's stock ``ckan`` harvester on the same local CKAN-API source.

1. A local CKAN-API server (tests/ckanext/harvest/remote_portal.py, a thread of this
   process) serves ``--datasets`` datasets (default 1,000), one link resource each.
2. Stock ``CKANHarvester`` (ckanext-harvest 1.6, unguarded: the guard is not what is
   measured) harvests it into organization A; ours into organization B. Both run the same
   in-process path as ckanext-harvest's tests (gather_stage, then fetch_and_import_stages
   per object; no queues; ``--consumers N``: N forked import processes fed by one queue,
   as N ``harvester fetch_consumer`` processes): datasets per second, wall time.
3. Both harvest the unchanged source again: the speed-up of the second harvest.
   ``--rounds R`` splits both into R sources harvested in turns (ours, stock, then stock,
   ours), so that on a machine whose speed drifts the two span the same minutes.
4. CKAN's own ``package_create`` of the dicts our harvest wrote, with no harvest around it
   (``create_alone``): what the write alone costs, beside which the harvests are read.
5. Gather memory: a child process per size (``--memory-sizes``, default 1,000 and 20,000)
   runs only our gather stage against a server in *this* process, and reports its peak RSS
   growth during the gather (ru_maxrss after − RSS before).

    .venv/bin/python bench/harvest/run.py                  # ~5-10 min on 2 cores
    .venv/bin/python bench/harvest/run.py --datasets 200 --memory-sizes 1000 2000   # smoke

Uses the bench profile (var/bench-harvest.ini rendered by deploy/render_ini.py bench:
database ckan_bench, Solr core ckan_bench, Redis db 2); each run makes its own
organizations and remote ids, and deletes nothing. Writes bench/out/harvest-<time>.json.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ckanext" / "harvest"))
from remote_portal import Remote  # noqa: E402  (the tests' server, one definition)

DB_NAME = "ckan_bench"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ini", type=Path, default=ROOT / "var" / "bench-harvest.ini")
    p.add_argument("--datasets", type=int, default=1000)
    p.add_argument("--stock-datasets", type=int, default=None,
                   help="datasets for the stock harvester (default --datasets): the stock "
                        "harvester is several times slower, so a loaded machine may bound it")
    p.add_argument("--consumers", type=int, default=1,
                   help="import processes per harvest (as several `ckan harvester "
                        "fetch_consumer`s), the same for both harvesters")
    p.add_argument("--rounds", type=int, default=1,
                   help="split each harvester's datasets into this many sources harvested in "
                        "turns, so that ours, stock and package_create alone span the same minutes")
    p.add_argument("--memory-sizes", type=int, nargs="*", default=[1000, 20000])
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--gather-child", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def load_ckan(ini: Path):
    env = dict(os.environ, REGIONALIOT_DATA=os.environ.get("REGIONALIOT_DATA", str(ROOT / "var")))
    if not ini.exists():
        subprocess.run([sys.executable, str(ROOT / "deploy" / "render_ini.py"), "bench", str(ini)],
                       check=True, env=env)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    from ckan.common import config

    db = config["sqlalchemy.url"].rsplit("/", 1)[-1]
    if db != DB_NAME:
        sys.exit(f"bench/harvest: {ini} is not the bench profile (db {db})")
    return app


def migrate():
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


def remote_datasets(n: int, run: str) -> list[dict]:
    # ids are UUIDs: the stock harvester keeps the remote dataset and resource ids as local ids.
    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{i}")) for i in range(n)]
    return [{"id": ids[i], "name": f"b{run}-ds{i}", "title": f"ベンチ収集{i}",
             "notes": "説明文", "metadata_modified": f"2024-01-01T00:00:{i % 60:02d}.{i:06d}",
             "license_id": "cc-by-4.0", "license_title": "CC BY 4.0",
             "organization": {"name": "bench-remote-org", "title": "遠隔"},
             "tags": [{"name": "ベンチ"}], "groups": [], "extras": [],
             "resources": [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{i}/r")), "url": f"https://data.example.jp/{run}/{i}.pdf",
                            "name": f"資料{i}", "format": "PDF"}]} for i in range(n)]


def allow(port: int) -> None:
    from ckan.common import config

    for key in ("ckanext.regionaliot.security.fetch_allowed_hosts",
                "ckanext.regionaliot.harvest.allowed_hosts"):
        config[key] = f"127.0.0.1:{port}"


def make_source(url: str, harvester_name: str, owner: str, config: dict | None = None):
    import ckan.plugins.toolkit as tk
    from ckanext.harvest.model import HarvestSource

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    source = tk.get_action("harvest_source_create")(
        {"user": user, "ignore_auth": True},
        {"name": f"bench-{uuid.uuid4().hex[:10]}", "title": "bench", "url": url,
         "source_type": harvester_name, "owner_org": owner, "config": json.dumps(config or {})})
    return HarvestSource.get(source["id"])


def consume(harvester, ids) -> None:
    """Fetch and import objects as one ``harvester fetch_consumer`` does, until the sentinel."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject

    for object_id in iter(ids.get, None):
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))


def consumer_process(harvester, ids) -> None:
    import ckan.model as model

    model.Session.remove()  # the parent closed its connections before the fork
    try:
        consume(harvester, ids)
    finally:
        model.Session.remove()
        model.meta.engine.dispose()


def run_job(source_id: str, harvester, consumers: int = 1) -> dict:
    """One harvest as ckanext-harvest's tests run it (tests/lib.py run_harvest_job); with
    ``consumers`` > 1 the objects go through a queue to that many forked processes."""
    import multiprocessing

    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
    from sqlalchemy import func

    job = HarvestJob(source=HarvestSource.get(source_id))
    job.status = "Running"
    job.save()
    job_id = job.id
    started = time.perf_counter()
    ids = queue.gather_stage(harvester, job) or []
    gathered = time.perf_counter()
    fork = multiprocessing.get_context("fork")
    work = fork.SimpleQueue() if consumers > 1 else None
    if work is None:
        for object_id in ids:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    else:
        # No connection may cross the fork: each process opens its own (as separate
        # fetch consumers do).
        model.Session.remove()
        model.meta.engine.dispose()
        procs = [fork.Process(target=consumer_process, args=(harvester, work))
                 for _ in range(consumers)]
        for proc in procs:
            proc.start()
        for object_id in ids:
            work.put(object_id)
        for _ in procs:
            work.put(None)
        for proc in procs:
            proc.join()
        if any(proc.exitcode for proc in procs):
            sys.exit("bench/harvest: a consumer process failed")
    ended = time.perf_counter()
    status = func.coalesce(HarvestObject.report_status, HarvestObject.state)
    states = dict(model.Session.query(status, func.count())
                  .filter(HarvestObject.harvest_job_id == job_id).group_by(status).all())
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source_id})
    return {"seconds": round(ended - started, 2), "gather_seconds": round(gathered - started, 2),
            "objects": len(ids), "consumers": consumers, "states": states, "job_id": job_id}


def create_alone(job_id: str, n: int, run: str) -> dict:
    """CKAN's own ``package_create`` of the dataset dicts our first harvest wrote (read back
    from its harvest objects), with no harvest around it: one process, the site user, the
    provenance fields kept (the import's context flag), Solr committed once at the end as
    the import does. What the write alone costs, so the harvest's own share is ours - this."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.lib.search.common import make_connection
    from ckanext.harvest.model import HarvestObject
    from ckanext.regionaliot.harvest.logic.action import HARVESTER

    owner = organization(f"bench-{run}-alone")
    contents = [c for (c,) in model.Session.query(HarvestObject.content)
                .filter(HarvestObject.harvest_job_id == job_id).limit(n)]
    packages = []
    for content in contents:
        package = json.loads(content)
        package.update(name=f"{package['name'][:90]}-alone", owner_org=owner, private=False)
        packages.append(package)
    if not packages:
        return {"datasets": 0, "seconds": 0.0}
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    user_obj = model.User.get(user)  # as a web request hands it over (and our import does)
    before = tk.config.get("ckan.search.solr_commit")
    tk.config["ckan.search.solr_commit"] = False
    try:
        started = time.perf_counter()
        for package in packages:
            context = {"user": user, "auth_user_obj": user_obj, "ignore_auth": True,
                       HARVESTER: True, "return_id_only": True}
            try:
                tk.get_action("package_create")(dict(context), package)
            except tk.ValidationError as exc:
                if set(exc.error_dict or {}) != {"private"}:
                    raise  # only the publishing rule's refusal is retried, as the import does
                model.Session.rollback()
                tk.get_action("package_create")(dict(context), dict(package, private=True))
        make_connection().commit()
        seconds = time.perf_counter() - started
    finally:
        tk.config["ckan.search.solr_commit"] = before
    return {"datasets": len(packages), "seconds": round(seconds, 2),
            "datasets_per_second": round(len(packages) / seconds, 2),
            "ms_per_dataset": round(1000 * seconds / len(packages), 1)}


def organization(name: str) -> str:
    import ckan.plugins.toolkit as tk

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return tk.get_action("organization_create")({"user": user, "ignore_auth": True},
                                                {"name": name, "title": name})["id"]


def speed(n: int, run: str, stock_n: int | None = None, consumers: int = 1,
          rounds: int = 1) -> dict:
    """First and second harvest of each harvester, and CKAN's package_create alone.

    With ``rounds`` > 1 each harvester's datasets are split into that many sources,
    harvested in turns (ours, stock, alone; the next round stock first): on a machine whose
    speed drifts from minute to minute, every figure then spans the same minutes. Rates are
    total datasets over total seconds."""
    from ckanext.harvest.harvesters.ckanharvester import CKANHarvester
    from ckanext.regionaliot.harvest.ckan_api_harvester import RegionalIoTCKANAPIHarvester

    harvesters = {"ours": (RegionalIoTCKANAPIHarvester(), "regionaliot_ckan_api"),
                  "stock": (CKANHarvester(), "ckan")}
    sizes = {"ours": n, "stock": stock_n or n}
    totals = {label: {"datasets": 0, "first": 0.0, "second": 0.0, "states": {}, "loads": []}
              for label in harvesters}
    alone = {"datasets": 0, "seconds": 0.0}
    servers = []  # closed at the end: a port used again would name an existing source's URL
    for r in range(rounds):
        order = ("ours", "stock") if r % 2 == 0 else ("stock", "ours")
        ours_job = None
        for label in order:
            harvester, name = harvesters[label]
            count = sizes[label] // rounds + (1 if r < sizes[label] % rounds else 0)
            server = Remote()
            servers.append(server)
            server.datasets = remote_datasets(count, f"{run}{label[0]}{r}")
            allow(server.port)
            source_id = make_source(server.url, name, organization(f"bench-{run}-{label}{r}")).id
            first = run_job(source_id, harvester, consumers)
            totals[label]["loads"].append(round(os.getloadavg()[0], 2))
            second = run_job(source_id, harvester, consumers)
            t = totals[label]
            t["datasets"] += count
            t["first"] += first["seconds"]
            t["second"] += second["seconds"]
            for state, k in first["states"].items():
                t["states"][state] = t["states"].get(state, 0) + k
            if label == "ours":
                ours_job = first["job_id"]
        part = create_alone(ours_job, sizes["stock"] // rounds, f"{run}{r}")
        alone["datasets"] += part["datasets"]
        alone["seconds"] += part["seconds"]
    for server in servers:
        server.close()
    results = {}
    for label, t in totals.items():
        results[label] = {
            "datasets": t["datasets"], "consumers": consumers, "rounds": rounds,
            "first": {"seconds": round(t["first"], 2),
                      "datasets_per_second": round(t["datasets"] / t["first"], 2),
                      "states": t["states"], "load_average_1min": t["loads"]},
            "second": {"seconds": round(t["second"], 2)},
            "reharvest_speedup": round(t["first"] / max(t["second"], 1e-6), 1)}
        print(f"{label:5}  first {t['first']:8.1f} s  {results[label]['first']['datasets_per_second']:7.1f} ds/s  "
              f"load {t['loads']}  second {t['second']:7.2f} s  speed-up {results[label]['reharvest_speedup']}×  "
              f"states {t['states']}", flush=True)
    results["ours_vs_stock"] = round(results["ours"]["first"]["datasets_per_second"]
                                     / results["stock"]["first"]["datasets_per_second"], 2)
    ms = {k: 1000 / results[k]["first"]["datasets_per_second"] for k in ("ours", "stock")}
    if not alone["datasets"]:  # --stock-datasets below --rounds: no dataset to write alone
        return results
    alone.update(seconds=round(alone["seconds"], 2),
                 datasets_per_second=round(alone["datasets"] / alone["seconds"], 2),
                 ms_per_dataset=round(1000 * alone["seconds"] / alone["datasets"], 1))
    results["package_create_alone"] = alone
    print(f"alone  package_create of ours' dicts, no harvest: {alone['datasets_per_second']:.1f} ds/s "
          f"({alone['ms_per_dataset']} ms each; ours {ms['ours']:.1f} ms, stock {ms['stock']:.1f} ms, "
          f"5x stock would need {ms['stock'] / 5:.1f} ms)", flush=True)
    return results


def rss_kb() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def gather_child(ini: Path, url: str, n: int) -> None:
    """In a child process: our gather stage only; prints JSON with the peak RSS growth."""
    app = load_ckan(ini)
    with app._wsgi_app.test_request_context():
        from ckanext.harvest import queue
        from ckanext.harvest.model import HarvestJob
        from ckanext.regionaliot.harvest.ckan_api_harvester import RegionalIoTCKANAPIHarvester

        allow(int(url.rsplit(":", 1)[1].strip("/")))
        source = make_source(url, "regionaliot_ckan_api", organization(f"bench-mem-{uuid.uuid4().hex[:8]}"))
        job = HarvestJob(source=source)
        job.status = "Running"
        job.save()
        before = rss_kb()
        started = time.perf_counter()
        ids = queue.gather_stage(RegionalIoTCKANAPIHarvester(), job) or []
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Nothing imports these objects: finish them, or every later harvest_jobs_run on the
        # bench profile re-queues all of them into Redis (ckanext-harvest resubmit_objects).
        import ckan.model as model
        from ckanext.harvest.model import HarvestObject

        model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id).update(
            {"state": "ERROR", "report_status": "errored"}, synchronize_session=False)
        job.status = "Finished"
        model.Session.commit()
        print(json.dumps({"n": n, "objects": len(ids), "rss_before_mb": round(before / 1024, 1),
                          "peak_growth_mb": round((peak - before) / 1024, 1),
                          "gather_seconds": round(seconds, 1)}))


def memory(ini: Path, sizes: list[int], run: str) -> list[dict]:
    rows = []
    for n in sizes:
        server = Remote()
        server.datasets = remote_datasets(n, f"{run}m{n}")
        out = subprocess.run([sys.executable, __file__, "--ini", str(ini), "--gather-child",
                              server.url, str(n)], capture_output=True, text=True, check=False)
        server.close()
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
        if out.returncode != 0 or not lines:
            sys.exit(f"gather child failed for {n}:\n{out.stderr[-3000:]}")
        row = json.loads(lines[-1])
        rows.append(row)
        print(f"gather {n:6d} remote datasets: peak RSS growth {row['peak_growth_mb']} MB "
              f"({row['objects']} objects, {row['gather_seconds']} s)", flush=True)
    return rows


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.gather_child:
        gather_child(args.ini, args.gather_child[0], int(args.gather_child[1]))
        return
    app = load_ckan(args.ini)
    run = uuid.uuid4().hex[:6]
    print("load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    with app._wsgi_app.test_request_context():
        migrate()
        result = {"datasets": args.datasets}
        if args.datasets:  # --datasets 0: gather memory only
            result["speed"] = speed(args.datasets, run, args.stock_datasets, args.consumers,
                                    args.rounds)
    result["gather_memory"] = memory(args.ini, args.memory_sizes, run)
    if len(result["gather_memory"]) >= 2:
        growth = [r["peak_growth_mb"] for r in result["gather_memory"]]
        result["gather_memory_spread_mb"] = round(max(growth) - min(growth), 1)
    result["cores"] = os.cpu_count()
    result["when"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"harvest-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    s = result.get("speed")
    load = os.getloadavg()
    result["load_average_after"] = [round(x, 2) for x in load]
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if not s:
        print(f"wrote {path}")
        return
    print(f"ours/stock first harvest: {s['ours_vs_stock']}×  (goal ≥ 5×, ours ≥ 10 ds/s)")
    print(f"re-harvest speed-up: ours {s['ours']['reharvest_speedup']}×, stock "
          f"{s['stock']['reharvest_speedup']}× (goal ≥ 20×)")
    if "gather_memory_spread_mb" in result:
        print(f"gather memory spread {result['gather_memory_spread_mb']} MB (goal ≤ 50 MB)")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
