"""Generate a CSV for ANY Table Schema, with injected errors of every kind Frictionless knows.

    python bench/validate/gen_schema.py schemas/tableschema/standard/public_toilet.json \
        --rows 2000 --error-rate 0.3 --seed 5 --out bench/out/toilet.csv [--keyed]

Good values come from the field's type, format, constraints and ``x-check``; each
injected row gets one problem: type errors (words, full-width digits, grouping commas,
exponents, signs and spaces where numbers go, dates written with slashes), every
constraint (required, pattern, enum, minimum, maximum, minLength, maxLength), unique and
primary-key duplicates and empty keys, short and long rows, blank rows, and our own
Japanese cases (○, 和暦, 9:00, hiragana kana, half-width kana, ― in kana).

``keyed(descriptor)`` returns a copy of a schema with a primaryKey and length constraints
added, so that the differential meets primary-key, minLength and maxLength too (no shipped
schema declares them).
"""
from __future__ import annotations

import argparse
import copy
import csv
import json
import random
import re
from collections import Counter
from typing import Any

_CANDIDATES = {
    "lgcode": ["332020", "331007", "222127", "372013"],
    "id": ["0001", "A12", "77"],
    "kana": ["クラシキ", "シヤクショ", "トショカン"],
    "phone": ["086-426-3030", "(054)626-1139", "0120-123-456"],
    "time": ["09:00", "17:15", "08:30"],
    "url": ["https://example.jp/a", "http://example.jp/b?x=1"],
    "postal_code": ["710-0001", "7100001"],
    "email": ["info@example.jp"],
    "date": ["2020-04-01", "1999-12-31", "2024-02-29"],
}
_FREE_TEXT = ["倉敷市役所", "中央公民館", "本町1-2-3", "備考あり", "ABC", "テスト"]
_PATTERNED = ["1234567890123", "月火水木金", "1234567", "abc", "0001", "332020", "月", ""]


def good_value(spec: dict[str, Any], rng: random.Random, number: int) -> str:
    kind, ftype = spec.get("x-check"), spec.get("type", "string")
    c = spec.get("constraints") or {}
    if "enum" in c:
        return str(rng.choice(c["enum"]))
    if ftype in ("number", "integer"):
        lo, hi = c.get("minimum", 0), c.get("maximum", 1000)
        if kind == "latitude":
            lo, hi = 33.5, 35.5
        elif kind == "longitude":
            lo, hi = 132.5, 139.0
        value = rng.uniform(max(lo, -1e6), min(hi, 1e6))
        return str(int(value)) if ftype == "integer" else f"{value:.6f}"
    if ftype == "date":
        return rng.choice(_CANDIDATES["date"])
    if c.get("unique"):
        return f"{number:06d}"
    pool = _CANDIDATES.get(kind or "") or (_PATTERNED if "pattern" in c else _FREE_TEXT)
    options = [v for v in pool if _fits(v, c)]
    if not options:
        options = [v for v in _PATTERNED + _FREE_TEXT if _fits(v, c) and (v or not c.get("required"))]
    return rng.choice(options) if options else ""


def _fits(value: str, c: dict[str, Any]) -> bool:
    if c.get("required") and not value:
        return False
    if "pattern" in c and value and not re.match("^" + c["pattern"] + "$", value):
        return False
    if "minLength" in c and value and len(value) < c["minLength"]:
        return False
    return not ("maxLength" in c and len(value) > c["maxLength"])


INJECTIONS = [
    "type", "required", "pattern", "enum", "minimum", "maximum", "min_length", "max_length",
    "unique", "primary_key_dup", "primary_key_empty", "missing_cells", "extra_cell", "blank_row",
    "whitespace", "own_japanese",
]
_BAD_NUMBERS = ["abc", "１２", "1,234", "1e3", " 5", "5 ", "+5", "-0", "1.", ".5", "NaN", "0x10",
                "1_000", "٣", "34.5N", "-1", "-2", "00012", "1.50", "1.0", "12.000"]
_BAD_DATES = ["2020/04/01", "令和2年4月1日", "2020-02-30", "20200401", "2020-4-1", " 2020-04-01"]


def keyed(descriptor: dict[str, Any]) -> dict[str, Any]:
    """A copy with a primaryKey (an id-like field and one more) and length constraints."""
    out = copy.deepcopy(descriptor)
    fields = out["fields"]
    names = [f["name"] for f in fields]
    first = next((f["name"] for f in fields if (f.get("constraints") or {}).get("unique")), names[0])
    second = next((n for n in names if n != first), first)
    out["primaryKey"] = [first, second] if second != first else [first]
    free = [f for f in fields if f.get("type", "string") == "string" and not f.get("constraints")
            and not f.get("x-check")]
    if free:
        free[0]["constraints"] = {"maxLength": 6}
    if len(free) > 1:
        free[1]["constraints"] = {"minLength": 2}
    return out


def generate(descriptor: dict[str, Any], path: str, rows: int, seed: int, rate: float) -> Counter:
    rng = random.Random(seed)
    fields = descriptor["fields"]
    names = [f["name"] for f in fields]
    width = len(fields)
    pk = [names.index(n) for n in descriptor.get("primaryKey") or []]
    injected: Counter = Counter()
    seen_rows: list[list[str]] = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(names)
        for number in range(1, rows + 1):
            row = [good_value(spec, rng, number) for spec in fields]
            if rng.random() < rate:
                kind = rng.choice(INJECTIONS)
                row = _inject(kind, row, fields, rng, seen_rows, pk, width)
                if row is not None:
                    injected[kind] += 1
                else:
                    row = [good_value(spec, rng, number) for spec in fields]
            writer.writerow(row)
            if len(seen_rows) < 50 and row and len(row) == width:
                seen_rows.append(row)
    return injected


def _pick(fields, rng, test) -> int | None:
    options = [i for i, f in enumerate(fields) if test(f, f.get("constraints") or {})]
    return rng.choice(options) if options else None


def _inject(kind, row, fields, rng, seen_rows, pk, width):  # noqa: C901 - one branch per kind
    if kind == "type":
        i = _pick(fields, rng, lambda f, c: f.get("type") in ("number", "integer", "date"))
        if i is None:
            return None
        row[i] = rng.choice(_BAD_DATES if fields[i].get("type") == "date" else _BAD_NUMBERS)
    elif kind == "required":
        i = _pick(fields, rng, lambda f, c: c.get("required"))
        if i is None:
            return None
        row[i] = ""
    elif kind == "pattern":
        i = _pick(fields, rng, lambda f, c: "pattern" in c)
        if i is None:
            return None
        row[i] = rng.choice(["x!", "３３２０２０", "33202", "086 426 3030", "9:00", "ｸﾗｼｷ", "くらしき",
                             "クラシ―キ", "www.example.jp", "24:00", "１２３", "1.23E+11", "月曜"])
    elif kind == "enum":
        i = _pick(fields, rng, lambda f, c: "enum" in c)
        if i is None:
            return None
        row[i] = rng.choice(["○", "あり", "1.0", "x", "１", " 1"])
    elif kind == "minimum":
        i = _pick(fields, rng, lambda f, c: "minimum" in c)
        if i is None:
            return None
        row[i] = str(fields[i]["constraints"]["minimum"] - rng.choice([1, 0.5, 0]))
    elif kind == "maximum":
        i = _pick(fields, rng, lambda f, c: "maximum" in c)
        if i is None:
            return None
        row[i] = rng.choice([str(fields[i]["constraints"]["maximum"]), "999.9", "133.7", "34.5"])
    elif kind == "min_length":
        i = _pick(fields, rng, lambda f, c: "minLength" in c)
        if i is None:
            return None
        row[i] = "a"
    elif kind == "max_length":
        i = _pick(fields, rng, lambda f, c: "maxLength" in c)
        if i is None:
            return None
        row[i] = "とても長い文字列です"
    elif kind == "unique":
        i = _pick(fields, rng, lambda f, c: c.get("unique"))
        if i is None or not seen_rows:
            return None
        row[i] = rng.choice(seen_rows)[i]
    elif kind == "primary_key_dup":
        if not pk or not seen_rows:
            return None
        source = rng.choice(seen_rows)
        for i in pk:
            row[i] = source[i]
    elif kind == "primary_key_empty":
        if not pk:
            return None
        for i in pk:
            row[i] = ""
    elif kind == "missing_cells":
        return row[: rng.randint(1, width - 1)] if width > 1 else None
    elif kind == "extra_cell":
        return row + [rng.choice(["extra", ""])] * rng.randint(1, 2)
    elif kind == "blank_row":
        return rng.choice([[], [""] * width])
    elif kind == "whitespace":
        i = rng.randrange(width)
        row[i] = rng.choice([" ", "\u3000"]) + row[i]
    elif kind == "own_japanese":
        i = _pick(fields, rng, lambda f, c: f.get("x-check") in ("flag", "date", "time", "kana", "lgcode",
                                                                 "phone", "latitude", "longitude"))
        if i is None:
            return None
        row[i] = {"flag": "○", "date": "令和元年5月1日", "time": "9:00", "kana": "くらしき",
                  "lgcode": "33202", "phone": "０８６－４２６－３０３０", "latitude": "３４．５",
                  "longitude": "１３３．７"}[fields[i]["x-check"]]
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--error-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keyed", action="store_true", help="add a primaryKey and length constraints")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.schema, encoding="utf-8") as handle:
        descriptor = json.load(handle)
    if args.keyed:
        descriptor = keyed(descriptor)
    print(dict(generate(descriptor, args.out, args.rows, args.seed, args.error_rate)))


if __name__ == "__main__":
    main()
