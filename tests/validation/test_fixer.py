"""normalize: corrected UTF-8 CSV, every change listed, nothing unsure touched."""
from __future__ import annotations

import csv
import json

import pytest
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


# --- the corrected file in memory (issue 16: /validate hands it back, stored nowhere) -------

def test_correct_gives_the_normalized_bytes_and_says_each_change(tmp_path, write_csv):
    from regionaliot.validation import correct

    source = write_csv([good_row(1, 小児対応設備の有無="○", 開始時間="9:00")], encoding="cp932")
    out = tmp_path / "fixed.csv"
    written = normalize(source, out, MIN_SCHEMA)
    corrected = correct(source, MIN_SCHEMA, lang="en", allow_schema_paths=True)
    assert corrected.content == out.read_bytes()
    assert [c["code"] for c in corrected.changes] == [c["code"] for c in written.changes]
    messages = {c["code"]: c["message"] for c in corrected.changes}
    assert messages["encoding"] == "Saved as UTF-8 (it was Shift_JIS)."
    assert "09:00" in messages["time-not-padded"] and "{" not in "".join(messages.values())
    japanese = correct(source, MIN_SCHEMA, lang="ja", allow_schema_paths=True)
    assert "Shift_JIS" in japanese.changes[0]["message"] and japanese.content == corrected.content
    assert json.dumps(corrected.to_dict())  # JSON-ready, without the content


def test_correct_refuses_schema_paths_from_the_web(write_csv):
    from regionaliot.validation import SchemaNotFound, correct

    with pytest.raises(SchemaNotFound):
        correct(write_csv([good_row(1)]), MIN_SCHEMA)


def test_corrected_upload_bytes_leave_no_file_and_validate_clean(corpus_dir, tmp_path, monkeypatch):
    import tempfile

    from regionaliot.validation import correct_bytes, validate_file

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = (corpus_dir / "yaizu-222127" / "222127_evacuation_space.csv").read_bytes()
    corrected = correct_bytes(data, "evacuation_space")
    assert list(tmp_path.iterdir()) == []
    assert len(corrected.changes) == 62 and {c["code"] for c in corrected.changes} == {"flag-symbol"}
    again = tmp_path / "again.csv"
    again.write_bytes(corrected.content)
    report = validate_file(again)
    assert (report.schema, report.error_count, report.warning_count) == ("evacuation_space", 0, 0)
