"""normalize: corrected UTF-8 CSV, every change listed, nothing unsure touched."""
from __future__ import annotations

import csv

from conftest import MIN_HEADER, MIN_SCHEMA, good_row
from regionaliot.validation.engine import validate_file
from regionaliot.validation.fixer import normalize


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_sure_fixes_are_applied_and_listed(tmp_path, write_csv):
    rows = [
        good_row(1, 設置日="令和元年5月1日", 開始時間="9:00", 小児対応設備の有無="○"),
        good_row(2, 都道府県コード又は市区町村コード="33202", 緯度="３４．５８５"),
        good_row(3, 緯度="133.772", 経度="34.585", 名称_カナ="ｸﾗｼｷ"),
        [""] * len(MIN_HEADER),
    ]
    source = write_csv(rows, encoding="cp932", header=["都道府県コ―ド又は市区町村コ―ド"] + MIN_HEADER[1:])
    out = tmp_path / "fixed.csv"
    result = normalize(source, out, MIN_SCHEMA)
    data = read(out)
    assert data[0] == MIN_HEADER
    assert data[1][MIN_HEADER.index("設置日")] == "2019-05-01"
    assert data[1][MIN_HEADER.index("開始時間")] == "09:00"
    assert data[1][MIN_HEADER.index("小児対応設備の有無")] == "有"
    assert data[2][0] == "332020" and data[2][MIN_HEADER.index("緯度")] == "34.585"
    assert (data[3][4], data[3][5]) == ("34.585", "133.772")
    assert data[3][3] == "クラシキ"
    assert len(data) == 4  # the blank row is gone
    changed = {c["code"] for c in result.changes}
    assert {"encoding", "header", "wareki-date", "time-not-padded", "flag-symbol", "lgcode-no-check-digit",
            "fullwidth-chars", "latlon-swapped", "kana-halfwidth", "blank-row"} <= changed
    assert validate_file(out, MIN_SCHEMA).valid


def test_unsure_values_are_left_alone(tmp_path, write_csv):
    rows = [good_row(1, 都道府県コード又は市区町村コード="332021"),  # which digit is wrong?
            good_row(2, 都道府県コード又は市区町村コード="11002"),   # 110027 (埼玉) or 011002 (札幌)?
            good_row(3, 開始時間="日没"), good_row(4, 小児対応設備の有無="△"),
            good_row(5, 備考="=1+1")]
    out = tmp_path / "fixed.csv"
    result = normalize(write_csv(rows), out, MIN_SCHEMA)
    assert result.changes == []
    assert read(out)[1:] == rows


def test_decimal_comma_in_a_coordinate_is_left_alone(tmp_path, write_csv):
    source = write_csv([good_row(1, 緯度="34,585")])
    out = tmp_path / "fixed.csv"
    result = normalize(source, out, MIN_SCHEMA)
    assert read(out)[1][MIN_HEADER.index("緯度")] == "34,585"
    assert result.changes == []
