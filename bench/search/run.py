"""package_search latency and recall: our Japanese Solr schema against CKAN's stock schema.

For each size N (default 1,000 then 10,000) the bench
1. creates the generator's first N datasets in the bench database with package_create
   (CKAN indexes each one into the ``ckan_bench`` core as it commits);
2. indexes the same datasets into ``ckan_bench_stock`` with ckan.lib.search.rebuild,
   i.e. the same CKAN index documents, only the core's schema differs;
3. times package_search (in-process, site user) for every query on both cores,
   interleaved round by round so drift hits both alike, after a warm-up;
4. pages through every query's full result on both cores for recall and precision
   against the generator's ground truth (generate.relevant), and, for a query ours
   answers with nothing, follows its 「もしかして」 (regionaliot_did_you_mean).

Queries: 15 Japanese and 10 English words, and 73 queries written as citizens type them
(generate.CITIZEN_QUERIES: readings, variants, synonyms, several words, slips, category
names), summarised per kind. The stock core runs without the plugin's search settings.

Only the bench profile is touched: database ckan_bench, cores ckan_bench and
ckan_bench_stock (the script refuses any other). Sizes grow incrementally: the 10,000
are the 1,000 plus 9,000 more.

    .venv/bin/python bench/search/run.py                 # 1,000 and 10,000
    .venv/bin/python bench/search/run.py --quick         # 200 datasets, few repeats
    .venv/bin/python bench/search/run.py --sizes 1000 --repeats 50
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

DB_NAME = "ckan_bench"
CORES = {"ours": "ckan_bench", "stock": "ckan_bench_stock"}

log = logging.getLogger("bench.search")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ini", type=Path, default=ROOT / "var" / "bench.ini",
                   help="bench ini (rendered with deploy/render_ini.py bench when missing)")
    p.add_argument("--sizes", default="1000,10000", help="comma-separated dataset counts")
    p.add_argument("--repeats", type=int, default=30, help="timed runs of each query per core")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs of each query per core")
    p.add_argument("--rows", type=int, default=20, help="rows per timed search (a result page)")
    p.add_argument("--seed", type=int, default=0, help="generator seed")
    p.add_argument("--quick", action="store_true", help="smoke run: 200 datasets, 5 repeats")
    p.add_argument("--trials", type=int, default=1,
                   help="timing trials of --repeats rounds each; the ratio's spread across them "
                   "is reported (the machine is shared: one trial's ratio is noisy)")
    p.add_argument("--reuse", action="store_true",
                   help="measure the datasets already loaded (one size, which both cores and the "
                   "database must hold): for a change a core reload applies (synonyms, handler "
                   "defaults, query fields), not for one that needs re-indexing")
    p.add_argument("--cache-seconds", type=int, default=None,
                   help="ours: ckanext.regionaliot.search.reading_cache_seconds (0: every kana "
                   "word and 「もしかして」 asks Solr each time, as on a query no one asked "
                   "before; default: the plugin's)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--load-workers", type=int, default=3,
                   help="processes that create and index the datasets side by side (1: this one)")
    # Internal: run as one loading process of load_parallel().
    p.add_argument("--load-part", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats, args.warmup = "200", 5, 1
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.reuse and len(args.sizes) != 1:
        p.error("--reuse measures one size: pass --sizes N")
    return args


# --------------------------------------------------------------------- CKAN set-up

def load_ckan(ini: Path):
    """Load CKAN in-process as the ckan CLI does; return the Flask app."""
    if not ini.exists():
        env = dict(os.environ, REGIONALIOT_DATA=os.environ.get("REGIONALIOT_DATA", str(ROOT / "var")))
        subprocess.run([sys.executable, str(ROOT / "deploy" / "render_ini.py"), "bench", str(ini)],
                       check=True, env=env)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    from ckan.common import config

    # Refuse to run against anything but the bench profile: the bench wipes its data.
    db = config["sqlalchemy.url"].rsplit("/", 1)[-1]
    if db != DB_NAME or config["solr_url"].rstrip("/").rsplit("/", 1)[-1] != CORES["ours"]:
        sys.exit(f"bench/search: {ini} is not the bench profile (db {db}, solr {config['solr_url']})")
    return app._wsgi_app


def migrate():
    """`ckan db upgrade` plus the plugins' migrations (as ckan_migrate in deploy/stack.sh)."""
    from ckan.cli.db import _run_migrations

    plugins = [None, "activity", "harvest"]
    # Our feature plugins' chains: ckanext/regionaliot/migration/<plugin>/ (as stack.sh).
    migrations = ROOT / "ckanext-regionaliot" / "ckanext" / "regionaliot" / "migration"
    plugins += sorted(d.name for d in migrations.glob("*/") if (d / "env.py").is_file())
    for plugin in plugins:
        _run_migrations(plugin)


def core_url(core: str) -> str:
    from ckan.common import config

    base = config["solr_url"].rstrip("/").rsplit("/", 1)[0]
    return f"{base}/{core}"


def use_core(core: str) -> None:
    """Point CKAN's indexer and package_search at ``core``.

    make_connection() reads SolrSettings on every call, so this switches both.
    """
    from ckan.common import config
    from ckan.lib.search.common import SolrSettings

    url = core_url(core)
    config["solr_url"] = url
    SolrSettings.init(url)
    # The stock core is CKAN as shipped: no extra query fields (it has no text_cjk or
    # reading field) and no 「もしかして」 (it has no /didyoumean handler). Ours runs with
    # the plugin's declared defaults.
    if not _OURS_SETTINGS:
        _OURS_SETTINGS.update({key: config.get(key) for key in STOCK_SETTINGS})
    config.update(_OURS_SETTINGS if core != CORES["stock"] else STOCK_SETTINGS)


# The plugin's search settings on the stock core; ours keeps what the ini (or the
# plugin's declared defaults) says, remembered on the first switch.
STOCK_SETTINGS = {
    "ckanext.regionaliot.search.extra_query_fields": "",
    "ckanext.regionaliot.search.did_you_mean": False,
    "ckanext.regionaliot.search.expand_readings": False,
}
_OURS_SETTINGS: dict = {}


def solr_get(core: str, path: str) -> dict:
    with urllib.request.urlopen(f"{core_url(core)}/{path}", timeout=30) as r:
        return json.load(r)


def reset() -> None:
    """Empty the bench database and both bench cores."""
    from ckan import model
    from ckan.lib.search.index import clear_index

    model.repo.delete_all()
    model.repo.commit()
    for core in CORES.values():
        use_core(core)
        clear_index()
    use_core(CORES["ours"])


# --------------------------------------------------------------------- loading

def create_organizations(user: str) -> None:
    import ckan.plugins.toolkit as tk

    for name, title, title_en, host, _w in generate.MEMBERS:
        tk.get_action("organization_create")(
            {"user": user}, {"name": name, "title": title, "title_en": title_en,
                             "website": f"https://{host}/"})


@contextmanager
def solr_commit_off():
    # One Solr commit per dataset would dominate the load; commit once at the end instead.
    from ckan.common import config

    before = config.get("ckan.search.solr_commit")
    config["ckan.search.solr_commit"] = False
    try:
        yield
    finally:
        config["ckan.search.solr_commit"] = before


def solr_commit(core: str) -> None:
    solr_get(core, "update?commit=true&waitSearcher=true&wt=json")


@contextmanager
def no_automatic_indexing():
    """Stop CKAN indexing each dataset as it commits; the bench indexes explicitly.

    The synchronous_search system plugin indexes a new dataset twice per commit
    (as new, and as changed through its resources); unloading it for the bulk load
    halves the work. It is loaded again afterwards.
    """
    import ckan.plugins as p

    p.unload("synchronous_search")
    try:
        yield
    finally:
        p.load("synchronous_search")


def create_datasets(datasets: list[dict], user: str, batch: int = 500) -> list[str]:
    """What package_create does, minus activities, default views and a commit per dataset.

    Each dict goes through the dataset type's create schema (scheming) and
    model_save.package_dict_save, so the database holds what package_create would store.
    """
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import plugins as lib_plugins
    from ckan.lib.dictization import model_save

    plugin = lib_plugins.lookup_package_plugin("dataset")
    user_obj = model.User.by_name(user)
    ids = []
    for i, d in enumerate(datasets, 1):
        context = {"model": model, "session": model.Session, "user": user,
                   "auth_user_obj": user_obj, "ignore_auth": True, "defer_commit": True}
        # A fresh schema each time: validation mutates the one it is given.
        schema = plugin.create_package_schema()
        data, errors = lib_plugins.plugin_validate(
            plugin, context, dict(d, type="dataset"), schema, "package_create")
        if errors:
            raise tk.ValidationError(errors)
        data["creator_user_id"] = user_obj.id
        pkg = model_save.package_dict_save(data, context, False)
        model.Session.flush()
        tk.get_action("package_owner_org_update")(
            dict(context), {"id": pkg.id, "organization_id": pkg.owner_org})
        ids.append(pkg.id)
        if i % batch == 0 or i == len(datasets):
            model.repo.commit()
        if i % 2000 == 0:
            log.info("  created %d/%d", i, len(datasets))
    return ids


class _BatchConnection:
    """Stands in for CKAN's Solr connection while indexing: keeps the documents that
    index_package would send one HTTP request each for, to be sent in batches."""

    def __init__(self):
        self.docs: list[dict] = []

    def add(self, docs, commit=False, **_kw):
        self.docs.extend(docs)


def index_datasets(ids: list[str], batch: int = 250, commit: bool = True) -> None:
    """Index each dataset into both cores with CKAN's indexer (rebuild's package_show and
    PackageSearchIndex.index_package, so the same documents as CKAN's), built once and
    sent to each core in batches of ``batch`` instead of one request per dataset and core."""
    import ckan.lib.search.index as ckan_index
    import ckan.plugins.toolkit as tk
    import pysolr

    index = ckan_index.PackageSearchIndex()
    context = {"ignore_auth": True, "validate": False, "use_cache": False}
    collector = _BatchConnection()
    real_connection = ckan_index.make_connection
    ckan_index.make_connection = lambda *a, **k: collector
    solrs = {core: pysolr.Solr(core_url(core), timeout=120) for core in CORES.values()}
    try:
        for i, pkg_id in enumerate(ids, 1):
            pkg_dict = tk.get_action("package_show")(dict(context), {"id": pkg_id})
            index.index_package(pkg_dict, defer_commit=True)
            if len(collector.docs) >= batch or i == len(ids):
                for solr in solrs.values():
                    solr.add(collector.docs, commit=False)
                collector.docs = []
            if i % 2000 == 0:
                log.info("  indexed %d/%d", i, len(ids))
    finally:
        ckan_index.make_connection = real_connection
    if commit:
        for core in CORES.values():
            solr_commit(core)
    use_core(CORES["ours"])


def load(datasets: list[dict], user: str, workers: int = 1, ini: Path | None = None) -> dict:
    """Create and index ``datasets``; with ``workers`` > 1 and the ``ini`` of this process,
    split among that many processes (load_parallel)."""
    if workers > 1 and ini is not None and len(datasets) >= 2 * workers:
        return load_parallel(datasets, user, workers, ini)
    timings = {}
    with no_automatic_indexing(), solr_commit_off():
        t0 = time.perf_counter()
        ids = create_datasets(datasets, user)
        timings["create_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        index_datasets(ids)
        timings["index_both_s"] = round(time.perf_counter() - t0, 1)
    return timings


def precreate_tags(datasets: list[dict]) -> None:
    """Every tag the datasets use, made once here: processes creating datasets side by side
    would otherwise race to insert the same new tag (a unique violation)."""
    from ckan import model

    names = {t["name"] for d in datasets for t in d.get("tags") or []}
    existing = {t.name for t in model.Session.query(model.Tag).filter(model.Tag.name.in_(names))}
    for name in sorted(names - existing):
        model.Session.add(model.Tag(name=name))
    model.repo.commit()


def load_parallel(datasets: list[dict], user: str, workers: int, ini: Path) -> dict:
    """The same create and index path as load(), in ``workers`` processes (each loads CKAN
    from ``ini``, creates its share with create_datasets and sends its index documents to
    both cores without committing); one Solr commit per core at the end. The database and
    the cores end up as with load(): only the work is spread over processes."""
    import tempfile

    precreate_tags(datasets)
    t0 = time.perf_counter()
    procs, parts = [], []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for i in range(workers):
            part = Path(tmp) / f"part-{i}.json"
            part.write_text(json.dumps({"user": user, "datasets": datasets[i::workers]},
                                       ensure_ascii=False), encoding="utf-8")
            procs.append(subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--ini", str(ini),
                 "--load-part", str(part)], stdout=subprocess.PIPE, text=True))
        for proc in procs:
            out, _ = proc.communicate()
            if proc.returncode != 0:
                for other in procs:
                    other.kill()
                sys.exit(f"bench: a loading process failed (exit {proc.returncode})")
            parts.append(json.loads(out.strip().splitlines()[-1]))
    for core in CORES.values():
        solr_commit(core)
    use_core(CORES["ours"])
    return {"workers": workers, "create_and_index_wall_s": round(time.perf_counter() - t0, 1),
            "create_s_per_worker": [p["create_s"] for p in parts],
            "index_both_s_per_worker": [p["index_both_s"] for p in parts]}


def load_part(ini: Path, part: Path) -> None:
    """A loading process of load_parallel: its share, created and sent to both cores
    uncommitted; prints its timings as the last line of stdout."""
    data = json.loads(part.read_text(encoding="utf-8"))
    app = load_ckan(ini)
    logging.getLogger("ckan").setLevel(logging.WARNING)
    logging.getLogger("ckanext").setLevel(logging.WARNING)
    with app.test_request_context(), no_automatic_indexing(), solr_commit_off():
        use_core(CORES["ours"])
        t0 = time.perf_counter()
        ids = create_datasets(data["datasets"], data["user"])
        create_s = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        index_datasets(ids, commit=False)
        index_s = round(time.perf_counter() - t0, 1)
    print(json.dumps({"create_s": create_s, "index_both_s": index_s}), flush=True)


def indexed_count(core: str) -> int:
    return solr_get(core, "select?q=*:*&rows=0&wt=json")["response"]["numFound"]


# --------------------------------------------------------------------- measuring

def search(user: str, q: str, **params) -> dict:
    import ckan.plugins.toolkit as tk

    return tk.get_action("package_search")({"user": user}, {"q": q, **params})


def all_names(user: str, q: str) -> tuple[set[str], int]:
    """Every dataset package_search returns for q (paged), and its reported count."""
    from ckan.common import config

    page = config.get("ckan.search.rows_max")
    names, start = set(), 0
    while True:
        r = search(user, q, rows=page, start=start, fl="name")
        names.update(x["name"] if isinstance(x, dict) else x for x in r["results"])
        start += page
        if start >= r["count"] or not r["results"]:
            return names, r["count"]


def percentile(samples: list[float], p: float) -> float:
    s = sorted(samples)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def time_queries(user: str, queries: list[str], repeats: int, warmup: int, rows: int,
                 seed: int) -> dict[str, dict[str, list[float]]]:
    """Latency samples in ms: {core label: {query: [ms, ...]}}."""
    samples = {label: {q: [] for q in queries} for label in CORES}
    for core in CORES.values():
        use_core(core)
        for _ in range(warmup):
            for q in queries:
                search(user, q, rows=rows)
    rng = random.Random(seed)
    for _ in range(repeats):
        # Interleave the cores and shuffle the queries each round, so that GC pauses,
        # segment merges or a busy neighbour fall on both schemas alike.
        labels = list(CORES)
        rng.shuffle(labels)
        for label in labels:
            use_core(CORES[label])
            order = queries[:]
            rng.shuffle(order)
            for q in order:
                t0 = time.perf_counter()
                search(user, q, rows=rows)
                samples[label][q].append((time.perf_counter() - t0) * 1000)
    use_core(CORES["ours"])
    return samples


def quality(user: str, datasets: list[dict], queries: list[str]) -> dict:
    out = {}
    for q in queries:
        relevant = generate.relevant(datasets, q)
        row = {"relevant": len(relevant)}
        for label, core in CORES.items():
            use_core(core)
            found, count = all_names(user, q)
            hit = len(found & relevant)
            row[label] = {
                "found": len(found),
                "count": count,
                "hits": hit,
                "recall": hit / len(relevant) if relevant else None,
                "precision": hit / len(found) if found else None,
                # A few names, so a miss can be looked at without rerunning.
                "missed_examples": sorted(relevant - found)[:3],
                "extra_examples": sorted(found - relevant)[:3],
            }
            if label == "ours" and not found:
                row[label]["did_you_mean"] = did_you_mean(user, q, relevant)
        out[q] = row
    use_core(CORES["ours"])
    return out


def did_you_mean(user: str, q: str, relevant: set[str]) -> dict | None:
    """The 「もしかして」 ours offers for a query that found nothing, and what following it
    finds (recall/precision against the original query's ground truth)."""
    suggestion = search(user, q, rows=0).get("regionaliot_did_you_mean")
    if not suggestion:
        return None
    found, _count = all_names(user, suggestion)
    hit = len(found & relevant)
    return {"q": suggestion, "found": len(found), "hits": hit,
            "recall": hit / len(relevant) if relevant else None,
            "precision": hit / len(found) if found else None}


def summarise(samples, quality_rows, queries_by_lang, rows: int) -> dict:
    summary = {}
    for lang, queries in queries_by_lang.items():
        s = {}
        for label in CORES:
            pooled = [ms for q in queries for ms in samples[label][q]]
            rel = sum(quality_rows[q]["relevant"] for q in queries)
            hits = sum(quality_rows[q][label]["hits"] for q in queries)
            found = sum(quality_rows[q][label]["found"] for q in queries)
            s[label] = {
                "p50_ms": round(percentile(pooled, 50), 2),
                "p95_ms": round(percentile(pooled, 95), 2),
                "samples": len(pooled),
                # Micro-averaged over the language's queries.
                "recall": round(hits / rel, 4) if rel else None,
                "precision": round(hits / found, 4) if found else None,
            }
        # Queries ours answers with nothing: where following its 「もしかして」 leads.
        empty = [q for q in queries if not quality_rows[q]["ours"]["found"]]
        if empty:
            followed = [quality_rows[q]["ours"].get("did_you_mean") for q in empty]
            rel = sum(quality_rows[q]["relevant"] for q in empty)
            hits = sum(f["hits"] for f in followed if f)
            found = sum(f["found"] for f in followed if f)
            s["did_you_mean"] = {
                "empty_queries": len(empty),
                "offered": sum(1 for f in followed if f),
                "recall": round(hits / rel, 4) if rel else None,
                "precision": round(hits / found, 4) if found else None,
            }
        s["ratio_ours_over_stock"] = {
            k: round(s["ours"][k] / s["stock"][k], 2) for k in ("p50_ms", "p95_ms")
        }
        # A query the stock schema answers with nothing is cheaper for CKAN (no page of
        # results to load); compare like with like over queries where both cores fill a page.
        same = [q for q in queries
                if min(quality_rows[q][label]["found"] for label in CORES) >= rows]
        if same:
            pooled = {label: [ms for q in same for ms in samples[label][q]] for label in CORES}
            s["full_page_queries"] = {
                "queries": same,
                **{f"{label}_{k}": round(percentile(pooled[label], p), 2)
                   for label in CORES for k, p in (("p50_ms", 50), ("p95_ms", 95))},
            }
            s["full_page_queries"]["ratio_p50"] = round(
                s["full_page_queries"]["ours_p50_ms"] / s["full_page_queries"]["stock_p50_ms"], 2)
            s["full_page_queries"]["ratio_p95"] = round(
                s["full_page_queries"]["ours_p95_ms"] / s["full_page_queries"]["stock_p95_ms"], 2)
        summary[lang] = s
    return summary


def trial_ratios(trials, quality_rows, queries_by_lang, rows: int) -> dict:
    """Per group, the ours/stock ratio of p50 and p95 in each trial (its spread)."""
    out = {}
    for lang, queries in queries_by_lang.items():
        same = [q for q in queries
                if min(quality_rows[q][label]["found"] for label in CORES) >= rows]
        for key, subset in ((lang, queries), (f"{lang} (both fill a page)", same)):
            if not subset:
                continue
            ratios = {"p50": [], "p95": []}
            for t in trials:
                pooled = {label: [ms for q in subset for ms in t[label][q]] for label in CORES}
                for name, p in (("p50", 50), ("p95", 95)):
                    ratios[name].append(round(percentile(pooled["ours"], p)
                                              / percentile(pooled["stock"], p), 3))
            out[key] = ratios
    return out


# --------------------------------------------------------------------- report

def fmt(x, pct=False):
    if x is None:
        return "  n/a"
    return f"{x * 100:5.1f}" if pct else f"{x:6.1f}"


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK and full-width letters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_size(n: int, result: dict) -> None:
    print(f"\n== {n} datasets  (load: {result['load']}; 1-minute load average at each"
          f" timing trial: {result['loadavg_per_trial']} on {os.cpu_count()} CPUs)")
    print(f"{'query':<24}{'rel':>6} | {'ours: p50  rec%  prec%':>24} | {'stock: p50  rec%  prec%':>24}")
    for q, row in result["queries"].items():
        cells = []
        for label in CORES:
            qs = row[label]
            cells.append(f"{qs['p50_ms']:8.1f}ms {fmt(qs['recall'], True)} {fmt(qs['precision'], True)}")
        dym = row["ours"].get("did_you_mean")
        note = (f"  もしかして {dym['q']}: rec {fmt(dym['recall'], True)} prec {fmt(dym['precision'], True)}"
                if dym else "")
        print(f"{q}{' ' * max(1, 24 - _width(q))}{row['relevant']:>6} | {cells[0]:>24} | {cells[1]:>24}{note}")
    print()
    for lang, s in result["summary"].items():
        o, st, r = s["ours"], s["stock"], s["ratio_ours_over_stock"]
        print(f"{lang:<17} ours p50 {o['p50_ms']:.1f} p95 {o['p95_ms']:.1f} ms"
              f" | stock p50 {st['p50_ms']:.1f} p95 {st['p95_ms']:.1f} ms"
              f" | ratio p50 {r['p50_ms']:.2f} p95 {r['p95_ms']:.2f}"
              f" | recall ours {fmt(o['recall'], True)}% stock {fmt(st['recall'], True)}%"
              f" | precision ours {fmt(o['precision'], True)}% stock {fmt(st['precision'], True)}%")
        if "did_you_mean" in s:
            d = s["did_you_mean"]
            print(f"{'':<17} ours found nothing for {d['empty_queries']}, 「もしかして」 offered for"
                  f" {d['offered']}; following it: recall {fmt(d['recall'], True)}%"
                  f" precision {fmt(d['precision'], True)}%")
        if "full_page_queries" in s:
            f = s["full_page_queries"]
            print(f"{'':<17} queries where both fill a page ({len(f['queries'])}): "
                  f"ours p50 {f['ours_p50_ms']:.1f} p95 {f['ours_p95_ms']:.1f} ms"
                  f" | stock p50 {f['stock_p50_ms']:.1f} p95 {f['stock_p95_ms']:.1f} ms"
                  f" | ratio p50 {f['ratio_p50']:.2f} p95 {f['ratio_p95']:.2f}")
    if "trial_ratios" in result:
        print("\nratio ours/stock per trial: median (min-max)")
        for key, r in result["trial_ratios"].items():
            cells = [f"{name} {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})"
                     for name, v in r.items()]
            print(f"{key:<36} " + "  ".join(cells))


def environment() -> dict:
    import ckan

    env = {"ckan": ckan.__version__, "python": platform.python_version(),
           "cpus": os.cpu_count(), "machine": platform.machine()}
    try:
        # A node-level handler (the core-level path answers 404 on Solr 9).
        base = core_url(CORES["ours"]).rsplit("/", 1)[0]
        with urllib.request.urlopen(f"{base}/admin/info/system?wt=json", timeout=30) as r:
            info = json.load(r)
        env["solr"] = info["lucene"]["solr-spec-version"]
    except Exception as e:  # the version is nice to have, not worth failing the run
        env["solr"] = f"unknown ({e})"
    # The schema changes under us (deploy/solr is someone else's): record what was measured.
    for label, core in CORES.items():
        try:
            env[f"text_type_{label}"] = solr_get(core, "schema/fieldtypes/text?wt=json")["fieldType"]
        except Exception as e:
            env[f"text_type_{label}"] = f"unknown ({e})"
    return env


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.load_part:
        load_part(args.ini, args.load_part)
        return
    # CKAN's ini configures the root logger; the bench's progress lines get their own handler.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    started = time.perf_counter()
    app = load_ckan(args.ini)
    # CKAN's logging.config.fileConfig disables loggers created before it (ours).
    log.disabled = False
    # CKAN's own INFO logging per request would swamp the output and cost time.
    logging.getLogger("ckan").setLevel(logging.WARNING)
    logging.getLogger("ckanext").setLevel(logging.WARNING)

    citizen = generate.CITIZEN_QUERIES
    queries_by_lang = {"ja": list(generate.JAPANESE_QUERIES), "en": list(generate.ENGLISH_QUERIES),
                       "citizen": list(citizen)}
    queries = [q for group in queries_by_lang.values() for q in group]
    # Summaries per kind of citizen query as well (reading, variant, synonym, ...).
    for kind in dict.fromkeys(k for k, _ in citizen.values()):
        queries_by_lang[f"citizen:{kind}"] = [q for q, (k, _) in citizen.items() if k == kind]
    report = {"started": datetime.now().isoformat(timespec="seconds"),
              "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "cores": CORES, "sizes": {}}

    with app.test_request_context():
        import ckan.plugins.toolkit as tk

        if args.cache_seconds is not None:
            tk.config["ckanext.regionaliot.search.reading_cache_seconds"] = args.cache_seconds

        report["environment"] = environment()
        if not args.reuse:
            migrate()
            reset()
        user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        if not args.reuse:
            create_organizations(user)
        all_datasets = generate.generate(max(args.sizes), args.seed)
        loaded = 0
        for n in args.sizes:
            if args.reuse:
                timings = {"reused": True}
            else:
                log.info("loading datasets %d..%d", loaded, n)
                timings = load(all_datasets[loaded:n], user, args.load_workers, args.ini)
            loaded = n
            counts = {label: indexed_count(core) for label, core in CORES.items()}
            if set(counts.values()) != {n}:
                sys.exit(f"bench/search: indexed counts {counts}, expected {n} in both cores")
            trials, loadavg = [], []
            for trial in range(args.trials):
                # The machine is shared: what else ran shows in the 1-minute load average.
                loadavg.append(round(os.getloadavg()[0], 1))
                log.info("timing %d queries x %d repeats on both cores (trial %d/%d)",
                         len(queries), args.repeats, trial + 1, args.trials)
                trials.append(time_queries(user, queries, args.repeats, args.warmup, args.rows,
                                           args.seed + trial))
            # All trials pooled for the figures; each trial's ratios for the spread.
            samples = {label: {q: [ms for t in trials for ms in t[label][q]] for q in queries}
                       for label in CORES}
            log.info("recall and precision")
            qual = quality(user, all_datasets[:n], queries)
            for q in queries:
                for label in CORES:
                    qual[q][label]["p50_ms"] = round(percentile(samples[label][q], 50), 2)
                    qual[q][label]["p95_ms"] = round(percentile(samples[label][q], 95), 2)
            result = {"load": timings, "indexed": counts, "loadavg_per_trial": loadavg,
                      "queries": qual,
                      "summary": summarise(samples, qual, queries_by_lang, args.rows)}
            if len(trials) > 1:
                result["trial_ratios"] = trial_ratios(trials, qual, queries_by_lang, args.rows)
            report["sizes"][n] = result
            print_size(n, result)

    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"search-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"\nTotal {report['elapsed_s']} s; wrote {shown}")


if __name__ == "__main__":
    main()
