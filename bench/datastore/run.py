"""DataStore search for Japanese words: our substring search against the stock full text.

Builds, in the bench DataStore (database ``datastore_bench`` of ``var/bench.ini``; the script
refuses any other), an AED-shaped table the way CKAN and xloader leave it: text columns,
``_id``, ``_full_text`` filled with ``to_tsvector`` over every column and its GIN index.
Then it times, interleaved round by round after a warm-up, the two statements that
``datastore_search`` runs for a ``q`` (the page of rows and the total), as SQL:

- stock: ``_full_text @@ plainto_tsquery(...)`` (what CKAN does for any q);
- ours: ``_full_text @@ <bigram phrase>`` (what regionaliot_datastore's IDatastore hook
  substitutes for a q with Japanese), after the rows got their bigrams as the plugin adds
  them after a load (jpsearch.doc_vector, the same code; the time to add them is reported);
- like: ``CAST(_full_text AS text) LIKE '%term%'``, the plugin's fallback for tables that
  have no bigrams (created through the API);
- a numeric range on 緯度: text cast at query time (the stock all-text table) against the
  numeric column of a typed table with a btree index.

Recall: rows found against the rows that contain the word (counted in Python while the
rows are generated). The tables are dropped at the end unless --keep.

    .venv/bin/python bench/datastore/run.py                  # 100,000 rows
    .venv/bin/python bench/datastore/run.py --rows 1000000 --repeats 20
"""
from __future__ import annotations

import argparse
import configparser
import io
import json
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ckanext-regionaliot"))

from ckanext.regionaliot.datastore import jpsearch  # noqa: E402  (pure: no CKAN)

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
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ROOT / "var" / "bench.ini")
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
    """What hooks.add_japanese_grams does, with psycopg2."""
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


def statements(table: str, variant: str, q: str) -> tuple[str, str, list]:
    if variant == "stock":
        src = f"FROM \"{table}\", plainto_tsquery('english', %s) query WHERE _full_text @@ query"
        params = [q]
    elif variant == "ours":
        src = f'FROM "{table}" WHERE _full_text @@ CAST(%s AS tsquery)'
        params = [jpsearch.query(q)]
    else:
        terms = jpsearch.terms(q)
        src = f'FROM "{table}" WHERE ' + " AND ".join(
            "CAST(_full_text AS text) LIKE %s" for _ in terms)
        params = [jpsearch.like_pattern(t.lower()) for t in terms]
    return f"SELECT * {src} LIMIT 100", f"SELECT count(*) {src}", params


def timed(cur, sql: str, params: list) -> tuple[float, object]:
    start = time.perf_counter()
    cur.execute(sql, params)
    rows = cur.fetchall()
    return (time.perf_counter() - start) * 1000, rows


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    conn = psycopg2.connect(bench_url())
    conn.autocommit = True
    cur = conn.cursor()
    data, truth = generate(args.rows)
    t0 = time.perf_counter()
    create(cur, "bench_jp_text", data, typed=False)
    load_s = time.perf_counter() - t0
    create(cur, "bench_jp_typed", data, typed=True)
    cur.execute("SELECT pg_total_relation_size('bench_jp_typed')")
    size_before = cur.fetchone()[0]
    t0 = time.perf_counter()
    add_grams(cur, "bench_jp_typed")
    grams_s = time.perf_counter() - t0
    cur.execute("SELECT pg_total_relation_size('bench_jp_typed')")
    size_after = cur.fetchone()[0]
    # stock and like on the table as xloader leaves it; ours on the one with bigrams.
    variants = {"stock": "bench_jp_text", "like": "bench_jp_text", "ours": "bench_jp_typed"}
    results: dict = {"rows": args.rows, "repeats": args.repeats, "load_s": round(load_s, 2),
                     "add_grams_s": round(grams_s, 2), "size_mb_before": round(size_before / 1e6, 1),
                     "size_mb_after": round(size_after / 1e6, 1), "queries": {}}
    for label, q in QUERIES:
        times = {v: [] for v in variants}
        found = {}
        for rnd in range(args.repeats + 2):
            for variant, table in variants.items():
                page, count, params = statements(table, variant, q)
                t1, _ = timed(cur, page, params)
                t2, total = timed(cur, count, params)
                found[variant] = total[0][0]
                if rnd >= 2:  # warm-up
                    times[variant].append(t1 + t2)
        results["queries"][label] = {
            "truth": truth[label],
            **{v: {"p50_ms": round(statistics.median(t), 2), "p95_ms": round(pct(t, 95), 2),
                   "found": found[v], "recall": round(found[v] / truth[label], 3) if truth[label] else None}
               for v, t in times.items()},
        }
        r = results["queries"][label]
        r["ratio_p50_ours_vs_stock"] = round(r["ours"]["p50_ms"] / max(r["stock"]["p50_ms"], 0.01), 1)
    # Numeric range: text table casts at query time; typed table compares numbers (btree).
    ranges = {"text_cast": ('SELECT count(*) FROM "bench_jp_text" '
                            "WHERE NULLIF(btrim(\"緯度\"), '')::numeric BETWEEN 34.60 AND 34.61"),
              "typed": 'SELECT count(*) FROM "bench_jp_typed" WHERE "緯度" BETWEEN 34.60 AND 34.61'}
    rtimes = {k: [] for k in ranges}
    for rnd in range(args.repeats + 2):
        for k, sql in ranges.items():
            t, rows = timed(cur, sql, [])
            if rnd >= 2:
                rtimes[k].append(t)
    results["numeric_range"] = {k: {"p50_ms": round(statistics.median(t), 2),
                                    "p95_ms": round(pct(t, 95), 2)} for k, t in rtimes.items()}
    if not args.keep:
        cur.execute('DROP TABLE IF EXISTS "bench_jp_text", "bench_jp_typed"')
    OUT.mkdir(exist_ok=True)
    path = OUT / f"datastore-{args.rows}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
