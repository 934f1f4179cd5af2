"""Report rendering: JSON shape, HTML escaping, message catalogue completeness."""
from __future__ import annotations

import json

from conftest import MIN_HEADER, MIN_SCHEMA, good_row
from regionaliot.validation import checks, messages
from regionaliot.validation.engine import validate_file

HOSTILE = '<script>alert("x")</script>&<img src=x onerror=alert(1)>'


def test_json_report_has_the_contract_keys(write_csv):
    report = validate_file(write_csv([good_row(1, 名称="")]), MIN_SCHEMA)
    data = json.loads(report.to_json())
    for key in ("valid", "schema", "generation", "encoding", "rows", "errors", "warnings"):
        assert key in data
    assert data["valid"] is False and data["rows"] == 1 and data["schema"] == "aed_min"
    for item in data["errors"]:
        assert {"row", "field", "code", "message", "severity"} <= set(item)


def test_html_escapes_every_cell_and_label(write_csv):
    header = MIN_HEADER + [HOSTILE]
    path = write_csv([good_row(1, 小児対応設備の有無=HOSTILE, 備考="=" + HOSTILE) + [HOSTILE]], header=header)
    page = validate_file(path, MIN_SCHEMA).to_html()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


def test_text_report_keeps_one_line_per_finding(write_csv):
    path = write_csv([good_row(1, 小児対応設備の有無="x\r\nE 99:99 [fake] injected")])
    lines = validate_file(path, MIN_SCHEMA).to_text().splitlines()
    assert not any(line.startswith("E 99:99") for line in lines)


def test_every_code_has_japanese_and_english_text():
    for code in list(checks.SEVERITY) + ["type-error", "constraint-error:required", "unique-error",
                                         "missing-cell", "extra-cell", "blank-row", "missing-label"]:
        ja, en = messages.render(code, "ja"), messages.render(code, "en")
        assert messages.template(code) is not None and ja and en and ja != en


def test_messages_fill_parameters():
    text = messages.render("wareki-date", "ja", field="設置日", cell="令和元年5月1日", fix="2019-05-01")
    assert "2019-05-01" in text and "{" not in text
    assert messages.render("no-such-code") == "no-such-code"
    assert messages.N_("x") == "x"


def test_pattern_error_explains_the_format_in_words(tmp_path):
    path = tmp_path / "code.csv"
    header = ("全国地方公共団体コード,ID,地方公共団体名,種別,所在地_全国地方公共団体コード,町字ID,所在地_連結表記,"
              "所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,建物名等(方書),緯度,経度,口径,備考")
    path.write_text(header + "\nabc,1,静岡県焼津市,消火栓,222127,0003000,静岡県焼津市本町,静岡県,焼津市,本町,1,,"
                    "34.86,138.32,150,\n", encoding="utf-8")
    (finding,) = [f for f in validate_file(path, "standard/fire_hydrant").findings()
                  if f["code"] == "constraint-error:pattern"]
    assert "^[0-9]{6}$" not in finding["message"]
    assert "6桁" in finding["message"] and "半角数字" in finding["message"]


def test_text_report_does_not_print_none_for_a_finding_without_a_column(write_csv):
    # Row-level findings (blank-row, encoding, schema-not-detected) have no column.
    report = validate_file(write_csv([good_row(1), [""] * len(MIN_HEADER)]), MIN_SCHEMA)
    text = report.to_text("ja")
    assert "[blank-row]" in text and "None" not in text
