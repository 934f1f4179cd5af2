"""Generate an AED-shaped CSV (legacy 推奨データセット header, 22 columns).

    python bench/validate/gen_aed.py --rows 1000000 --out bench/out/aed_1m.csv
    python bench/validate/gen_aed.py --rows 20000 --error-rate 0.02 --seed 3 --out bench/out/aed_err.csv

Seeded, so the same arguments give the same bytes. ``--error-rate`` is the
fraction of rows that get one injected problem, drawn from INJECTIONS: both
Table-Schema errors (type, pattern, enum, required, unique, missing/extra
cells, blank rows) and Japanese-specific ones (check digit, ○, full-width
digits, swapped lat/lon, 9:00, formula cells).
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

HEADER = [
    "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ", "住所", "方書",
    "緯度", "経度", "設置位置", "電話番号", "内線番号", "法人番号", "団体名", "利用可能曜日", "開始時間",
    "終了時間", "利用可能日時特記事項", "小児対応設備の有無", "URL", "備考",
]
CITIES = [("332020", "岡山県", "倉敷市"), ("331007", "岡山県", "岡山市"), ("332071", "岡山県", "井原市"),
          ("222127", "静岡県", "焼津市"), ("372013", "香川県", "高松市")]
PLACES = [("市役所本館", "シヤクショホンカン"), ("中央公民館", "チュウオウコウミンカン"),
          ("市立図書館", "シリツトショカン"), ("体育館", "タイイクカン"), ("保健センター", "ホケンセンター")]
POSITIONS = ["1階正面入口", "2階事務室前", "受付横", "エントランスホール", "1階ロビー"]
DAYS = ["月火水木金", "月火水木金土", "月火水木金土日", ""]

INJECTIONS = [
    "type_lat", "pattern_code5", "check_digit", "enum_flag_symbol", "required_name", "duplicate_no",
    "missing_cells", "extra_cell", "blank_row", "latlon_swapped", "fullwidth_lat", "time_unpadded",
    "formula", "kana_hiragana", "phone_fullwidth", "url_relative",
]


def base_row(rng: random.Random, number: int) -> list[str]:
    code, pref, city = rng.choice(CITIES)
    name, kana = rng.choice(PLACES)
    lat = f"{rng.uniform(33.5, 35.5):.6f}"
    lon = f"{rng.uniform(132.5, 139.0):.6f}"
    opening = rng.choice(["", "08:30", "09:00"])
    return [
        code, f"{number:010d}", pref, city, f"{name}{number % 97}", kana,
        f"{city}本町{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 40)}", "",
        lat, lon, rng.choice(POSITIONS), f"086-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}", "",
        "", rng.choice(["管財課", ""]), rng.choice(DAYS), opening, "17:15" if opening else "", "",
        rng.choice(["有", "無"]), f"https://example.jp/a/{number}" if rng.random() < 0.3 else "", "",
    ]


def inject(kind: str, row: list[str], rng: random.Random, previous_no: str) -> list[str] | None:
    if kind == "type_lat":
        row[8] = rng.choice(["abc", "34.5N", "北緯34度"])
    elif kind == "pattern_code5":
        row[0] = row[0][:5]
    elif kind == "check_digit":
        row[0] = row[0][:5] + str((int(row[0][5]) + 1) % 10)
    elif kind == "enum_flag_symbol":
        row[19] = "○"
    elif kind == "required_name":
        row[4] = ""
    elif kind == "duplicate_no":
        row[1] = previous_no
    elif kind == "missing_cells":
        return row[: rng.randint(3, 20)]
    elif kind == "extra_cell":
        return row + ["余分"]
    elif kind == "blank_row":
        return [""] * len(row) if rng.random() < 0.5 else []
    elif kind == "latlon_swapped":
        row[8], row[9] = row[9], row[8]
    elif kind == "fullwidth_lat":
        row[8] = row[8].translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    elif kind == "time_unpadded":
        row[16], row[17] = "9:00", "17:15"
    elif kind == "formula":
        row[21] = "=HYPERLINK(\"http://evil.example\")"
    elif kind == "kana_hiragana":
        row[5] = "しやくしょ"
    elif kind == "phone_fullwidth":
        row[11] = "０８６－４２６－３０３０"
    elif kind == "url_relative":
        row[20] = "www.city.example.jp/aed"
    return row


def generate(path: str, rows: int, seed: int = 1, error_rate: float = 0.0,
             kinds: list[str] | None = None) -> dict[str, int]:
    """Write the file; return how many of each injection were made."""
    rng = random.Random(seed)
    kinds = kinds or INJECTIONS
    counts: dict[str, int] = {}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        previous_no = f"{1:010d}"
        for number in range(1, rows + 1):
            row = base_row(rng, number)
            if error_rate and rng.random() < error_rate:
                kind = rng.choice(kinds)
                row = inject(kind, row, rng, previous_no)
                counts[kind] = counts.get(kind, 0) + 1
            if row and len(row) > 1:
                previous_no = row[1] or previous_no
            writer.writerow(row)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--out", default="bench/out/aed.csv")
    args = parser.parse_args()
    counts = generate(args.out, args.rows, args.seed, args.error_rate)
    size = os.path.getsize(args.out)
    print(f"wrote {args.out}: {args.rows} rows, {size / 1e6:.1f} MB, injected {sum(counts.values())}: {counts}")


if __name__ == "__main__":
    main()
