"""Server time of the citizens' pages: ours against stock CKAN, on the same data.

For each size N (default 1,000 then 10,000) the bench
1. loads the first N datasets of bench/search's generator into the bench database and
   both bench cores (bench/search/run.py's loader: the create schema and
   package_dict_save in-process, CKAN's index documents sent to Solr in batches);
2. starts one worker process per variant, each a CKAN app loaded from its own ini:
   - ``ours``: var/bench-web.ini, rendered afresh by deploy/render_ini.py bench (today's
     plugins, theme and Solr schema of the portal, core ``ckan_bench``);
   - ``stock``: the same ini with only CKAN's own plugins of that list (activity,
     datastore, the core resource views) and CKAN's stock Solr schema (core
     ``ckan_bench_stock``), i.e. CKAN as shipped on the same database;
3. has each worker render pages with an in-process WSGI client (werkzeug's test Client on
   CKAN's full middleware stack: routing, templates, i18n, everything but the network),
   timing each request inside the worker: the home page, a search, a dataset, a resource
   and an organization page, anonymous, in the default language (Japanese);
4. takes turns: every round visits the pages in random order and, for each page, the
   variants in random order, with the same dataset for both, so drift hits both alike.

Only the bench profile is touched (database ckan_bench, cores ckan_bench and
ckan_bench_stock: bench/search's checks). Writes bench/out/web-<timestamp>.json.

    .venv/bin/python bench/web/run.py                    # 1,000 and 10,000
    .venv/bin/python bench/web/run.py --quick            # 200 datasets, few rounds
    .venv/bin/python bench/web/run.py --sizes 10000 --reuse   # the datasets already loaded
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import random
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SEARCH_BENCH = ROOT / "bench" / "search"

def say(msg: str, *args) -> None:
    """Progress on stderr (CKAN's logging configuration would swallow a logger's lines)."""
    print(f"{datetime.now():%H:%M:%S} {msg % args}", file=sys.stderr, flush=True)

PAGES = ("home", "search", "search_filter", "dataset", "resource", "organization")
# CKAN's own plugins (shipped in the ckan package) keep their place in the stock variant.
STOCK_SOLR_CORE = "ckan_bench_stock"
# What a citizen searches on the search page (a reading query, a word, a category).
SEARCH_QUERIES = ("避難所", "トイレ", "ひなん", "人口", "公園 トイレ")
# Like for like: the text queries above list more datasets on our core than on stock's
# (Japanese analysis finds more), and each listed dataset costs CKAN's item template.
# A search by facets only (a member, a member and a format) lists the same datasets in both.
SEARCH_FILTERS = ("organization={org}", "organization={org}&res_format=CSV")


def _search_bench():
    """bench/search/run.py as a module (its loader, checks and generator)."""
    sys.path.insert(0, str(SEARCH_BENCH))
    spec = importlib.util.spec_from_file_location("search_bench", SEARCH_BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ini", type=Path, default=ROOT / "var" / "bench-web.ini",
                   help="bench-profile ini of the loader and the 'ours' variant; rendered afresh "
                   "(deploy/render_ini.py bench) so that it has today's plugins, unless --keep-ini")
    p.add_argument("--keep-ini", action="store_true", help="use --ini as it is")
    p.add_argument("--sizes", default="1000,10000", help="comma-separated dataset counts")
    p.add_argument("--rounds", type=int, default=40, help="timed requests of each page per variant")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests of each page per variant")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="smoke run: 200 datasets, 5 rounds")
    p.add_argument("--reuse", action="store_true",
                   help="measure the datasets already loaded (one size, as bench/search --reuse)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--load-workers", type=int, default=3,
                   help="processes that create and index the datasets side by side "
                   "(bench/search's load_parallel; 1: this process alone)")
    # Internal: run as a worker serving one variant (see serve()).
    p.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.rounds, args.warmup = "200", 5, 1
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.reuse and len(args.sizes) != 1:
        p.error("--reuse measures one size: pass --sizes N")
    return args


# --------------------------------------------------------------------- the variants

def stock_plugins(plugins: list[str]) -> list[str]:
    """The plugins of ``plugins`` that CKAN itself ships (ckan/ckanext/...)."""
    from importlib.metadata import entry_points

    ours = []
    for name in plugins:
        eps = entry_points(group="ckan.plugins", name=name)
        if any(ep.value.startswith("ckanext.") and ep.dist and ep.dist.name.lower() == "ckan"
               for ep in eps):
            ours.append(name)
    return ours


def write_stock_ini(ini: Path) -> Path:
    """A copy of the bench ini with CKAN's own plugins and the stock core (a full copy:
    CKAN configures logging from the top file, so ``use = config:...`` would not do)."""
    import configparser
    import re

    parser = configparser.RawConfigParser(strict=False)
    parser.read(ini, encoding="utf-8")
    plugins = parser.get("app:main", "ckan.plugins").split()
    kept = stock_plugins(plugins)
    views = [v for v in parser.get("app:main", "ckan.views.default_views", fallback="").split()
             if v in kept]
    solr = parser.get("app:main", "solr_url").rstrip("/").rsplit("/", 1)[0] + "/" + STOCK_SOLR_CORE
    text = ini.read_text(encoding="utf-8")
    for key, value in (("ckan.plugins", " ".join(kept)), ("ckan.views.default_views", " ".join(views)),
                       ("solr_url", solr)):
        # The key's line and its indented continuation lines.
        text, n = re.subn(rf"^{re.escape(key)}\s*=.*(?:\n[ \t]+\S.*)*", f"{key} = {value}", text,
                          count=1, flags=re.M)
        if not n:
            sys.exit(f"bench/web: {ini} has no {key}")
    out = ini.with_name("bench-web-stock.ini")
    out.write_text("# Written by bench/web/run.py: stock CKAN on the bench data.\n" + text,
                   encoding="utf-8")
    return out


def serve(ini: Path) -> None:
    """Worker: load CKAN from ``ini``; answer JSON lines {"path": ...} on stdin with
    {"ms", "status", "bytes"} on stdout, timing the WSGI call in this process."""
    logging.disable(logging.WARNING)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.test import Client

    # The whole middleware stack (CKAN's i18n and root-path middleware wrap the Flask app).
    client = Client(make_app(load_config(str(ini))))
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing CKAN prints may corrupt the answers
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        path = json.loads(line)["path"]
        t0 = time.perf_counter()
        response = client.get(path)
        body = response.get_data()
        ms = (time.perf_counter() - t0) * 1000
        # Datasets listed (CKAN's package_item): whether a search page is like for like.
        items = body.count(b'<li class="dataset-item')
        out.write(json.dumps({"ms": ms, "status": response.status_code, "bytes": len(body),
                              "items": items}) + "\n")
        out.flush()


class Worker:
    def __init__(self, label: str, ini: Path):
        self.label = label
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve", str(ini)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        ready = self.proc.stdout.readline()
        if not ready:
            sys.exit(f"bench/web: the {label} worker did not start (see its output above)")

    def get(self, path: str) -> dict:
        self.proc.stdin.write(json.dumps({"path": path}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# --------------------------------------------------------------------- measuring

def page_paths(datasets: list[dict], n: int, seed: int) -> dict[str, list[str]]:
    """A few URLs of each page type; a round takes the next one of each."""
    from ckan import model

    rng = random.Random(seed)
    names = [d["name"] for d in rng.sample(datasets[:n], min(20, n))]
    resources = []
    for name in names:
        pkg = model.Package.get(name)
        res = next((r for r in pkg.resources), None) if pkg else None
        if res is not None:
            resources.append(f"/dataset/{name}/resource/{res.id}")
    # The generator's members only: other benches add organizations of their own to the
    # shared bench database, whose datasets are in one core and not the other.
    members = {m[0] for m in _search_bench().generate.MEMBERS}
    orgs = [g.name for g in model.Session.query(model.Group)
            .filter_by(is_organization=True, state="active").order_by(model.Group.name)
            if g.name in members]
    return {
        "home": ["/"],
        "search": [f"/dataset/?q={q}" for q in SEARCH_QUERIES],
        "search_filter": [f"/dataset/?{f.format(org=o)}" for o in orgs[:5] for f in SEARCH_FILTERS],
        "dataset": [f"/dataset/{name}" for name in names],
        "resource": resources,
        "organization": [f"/organization/{o}" for o in orgs],
    }


def measure(workers: dict[str, Worker], paths: dict[str, list[str]], rounds: int, warmup: int,
            seed: int) -> dict:
    samples = {label: {page: [] for page in PAGES} for label in workers}
    statuses: dict[str, dict[str, dict[int, int]]] = {label: {page: {} for page in PAGES}
                                                      for label in workers}
    sizes = {label: {page: [] for page in PAGES} for label in workers}
    items = {label: {page: [] for page in PAGES} for label in workers}
    rng = random.Random(seed)
    for r in range(-warmup, rounds):
        pages = list(PAGES)
        rng.shuffle(pages)
        for page in pages:
            choices = paths[page]
            path = choices[r % len(choices)]
            labels = list(workers)
            rng.shuffle(labels)
            for label in labels:
                answer = workers[label].get(path)
                if r < 0:
                    continue
                samples[label][page].append(answer["ms"])
                sizes[label][page].append(answer["bytes"])
                items[label][page].append(answer.get("items", 0))
                counts = statuses[label][page]
                counts[answer["status"]] = counts.get(answer["status"], 0) + 1
    return {"samples": samples, "statuses": statuses, "bytes": sizes, "items": items}


def summarise(measured: dict, percentile) -> dict:
    out = {}
    for page in PAGES:
        row = {}
        for label, per_page in measured["samples"].items():
            ms = per_page[page]
            row[label] = {"p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
                          "n": len(ms), "status": measured["statuses"][label][page],
                          "kb": round(sum(measured["bytes"][label][page]) / max(1, len(ms)) / 1024, 1),
                          "listed": round(sum(measured["items"][label][page]) / max(1, len(ms)), 1)}
        if "ours" in row and "stock" in row:
            for p in ("p50_ms", "p95_ms"):
                row[f"ratio_{p[:3]}"] = round(row["ours"][p] / row["stock"][p], 2) if row["stock"][p] else None
        out[page] = row
    return out


def print_size(n: int, summary: dict, load: dict) -> None:
    print(f"\n{n:,} datasets (load: {load})")
    print(f"{'page':<13} {'ours p50/p95 ms':>17} {'stock p50/p95 ms':>18} {'ratio p50/p95':>14}  status ours/stock"
          "  listed ours/stock")
    for page, row in summary.items():
        o, s = row["ours"], row["stock"]
        print(f"{page:<13} {o['p50_ms']:>8} / {o['p95_ms']:<6} {s['p50_ms']:>8} / {s['p95_ms']:<7}"
              f" {row['ratio_p50']:>6} / {row['ratio_p95']:<5}  {o['status']} / {s['status']}"
              f"  {o['listed']} / {s['listed']}")


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.serve:
        serve(args.serve)
        return
    started = time.perf_counter()
    sb = _search_bench()
    if not args.keep_ini:
        env = dict(os.environ, REGIONALIOT_DATA=os.environ.get("REGIONALIOT_DATA", str(ROOT / "var")))
        subprocess.run([sys.executable, str(ROOT / "deploy" / "render_ini.py"), "bench", str(args.ini)],
                       check=True, env=env)
    app = sb.load_ckan(args.ini)  # refuses anything but the bench profile
    logging.getLogger("ckan").setLevel(logging.WARNING)
    logging.getLogger("ckanext").setLevel(logging.WARNING)
    stock_ini = write_stock_ini(args.ini)
    report = {"started": datetime.now().isoformat(timespec="seconds"),
              "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "variants": {"ours": str(args.ini), "stock": str(stock_ini)}, "sizes": {}}
    path = args.out / f"web-{datetime.now():%Y%m%d-%H%M%S}.json"
    stock_list = stock_ini.read_text(encoding="utf-8").split("ckan.plugins = ")[1].splitlines()[0]
    report["stock_plugins"] = stock_list.split()

    with app.test_request_context():
        import ckan.plugins.toolkit as tk

        report["environment"] = sb.environment()
        # Today's plugins' tables as well (idempotent; the 'ours' worker loads them all).
        sb.migrate()
        if not args.reuse:
            sb.reset()
        user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        if not args.reuse:
            sb.create_organizations(user)
        all_datasets = sb.generate.generate(max(args.sizes), args.seed)
        loaded = 0
        for n in args.sizes:
            if args.reuse:
                timings = {"reused": True}
            else:
                say("loading datasets %d..%d", loaded, n)
                timings = sb.load(all_datasets[loaded:n], user, args.load_workers, args.ini)
            loaded = n
            counts = {label: sb.indexed_count(core) for label, core in sb.CORES.items()}
            # Other benches share the bench profile (database and core ckan_bench) and may
            # add a few datasets of their own while this one runs: recorded, not fatal.
            if min(counts.values()) < n:
                sys.exit(f"bench/web: indexed counts {counts}, expected {n} in both cores")
            if set(counts.values()) != {n}:
                say("indexed counts %s: other datasets than this bench's %d", counts, n)
            paths = page_paths(all_datasets, n, args.seed)
            say("starting the workers")
            workers = {"ours": Worker("ours", args.ini), "stock": Worker("stock", stock_ini)}
            try:
                loadavg = round(os.getloadavg()[0], 1)
                say("timing %d pages x %d rounds on both variants", len(PAGES), args.rounds)
                measured = measure(workers, paths, args.rounds, args.warmup, args.seed)
            finally:
                for w in workers.values():
                    w.close()
            summary = summarise(measured, sb.percentile)
            report["sizes"][n] = {"load": timings, "indexed": counts, "loadavg_before": loadavg,
                                  "loadavg_after": round(os.getloadavg()[0], 1),
                                  "paths": paths, "summary": summary,
                                  "samples_ms": measured["samples"]}
            print_size(n, summary, timings)
            sys.stdout.flush()
            # Written after each size: a run stopped while loading the next keeps this one.
            report["elapsed_s"] = round(time.perf_counter() - started, 1)
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")

    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"\nTotal {report['elapsed_s']} s; wrote {shown}")


if __name__ == "__main__":
    main()
