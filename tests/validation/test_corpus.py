"""Every real municipal file gets the verdict its README implies.

The corpus is tests/corpus/municipal (override with REGIONALIOT_CORPUS). The corpus
files and the schemas are committed, so a missing one fails the test instead of
skipping it.
"""
from __future__ import annotations

import pytest
from regionaliot.validation.engine import default_registry, validate_file


def run(corpus_dir, relative):
    path = corpus_dir / relative
    assert path.is_file(), f"{relative} is missing from the corpus at {corpus_dir}"
    return validate_file(path)


def need(key):
    # A schema file that is missing or does not load (the registry drops it) fails here.
    assert key in default_registry().names(), f"schema {key} is not in the registry"


def codes(report, severity=None):
    return {f["code"] for f in report.findings() if severity is None or f["severity"] == severity}


@pytest.mark.parametrize("relative, key, rows", [
    ("yaizu-222127/222127_aed.csv", "legacy/aed", 82),
    ("yaizu-222127/222127_public_toilet.csv", "standard/public_toilet", 112),
    ("yaizu-222127/222127_fire_hydrant.csv", "standard/fire_hydrant", 193),
    ("yaizu-222127/222127_public_wireless_lan.csv", "legacy/public_wireless_lan", 17),
])
def test_clean_standard_files_are_detected_and_valid(corpus_dir, relative, key, rows):
    need(key)
    report = run(corpus_dir, relative)
    assert f"{report.generation}/{report.schema}" == key
    assert report.encoding == "utf-8" and report.rows == rows
    assert report.valid, report.to_text()


def test_yaizu_aed_tolerates_its_phone_style_and_fullwidth_position(corpus_dir):
    need("legacy/aed")
    report = run(corpus_dir, "yaizu-222127/222127_aed.csv")
    assert report.findings() == []  # (054)626-1139 and ２階正面入口 are both acceptable


def test_evacuation_space_circles_should_be_one(corpus_dir):
    need("legacy/evacuation_space")
    report = run(corpus_dir, "yaizu-222127/222127_evacuation_space.csv")
    assert not report.valid
    flags = [f for f in report.findings() if f["code"] == "flag-symbol"]
    assert flags and all(f["cell"] == "○" and f["fix"] == "1" for f in flags)
    assert all(f["field"].startswith("災害種別_") or f["field"] == "指定避難所との重複" for f in flags)
    # The same cells are Frictionless enum violations: one finding per cell, with both codes,
    # so the 62 cells give 62 errors (124 before findings on one cell were merged).
    assert all(f["codes"] == ["flag-symbol", "constraint-error:enum"] for f in flags)
    assert report.error_count == len(flags) == 62 and report.table_schema_keys() == \
        {(f["row"], f["field"], "constraint-error") for f in flags}


def test_preschool_header_with_horizontal_bar(corpus_dir):
    need("legacy/preschool")
    report = run(corpus_dir, "yaizu-222127/222127_preschool.csv")
    assert report.schema == "preschool" and report.generation == "legacy"
    (header,) = [f for f in report.findings() if f["code"] == "header-normalized"]
    assert header["cell"] == "都道府県コ\u2015ド又は市区町村コ\u2015ド"
    assert header["fix"] == "都道府県コード又は市区町村コード"
    # Its remaining errors all come with a sure fix (trailing spaces, ― inside kana).
    fixable = {f["row"] for f in report.findings() if "fix" in f and f["row"] != 1}
    assert {f["row"] for f in report.findings() if f["severity"] == "error"} <= fixable


def test_municipal_shelter_list_is_not_a_standard_dataset(corpus_dir):
    report = run(corpus_dir, "yaizu-222127/222127_hinannjo.csv")
    assert report.schema is None and "schema-not-detected" in codes(report)
    # Only general checks ran: no errors, but never "valid" (issue 16: an undetected
    # 文化財一覧 passed as valid).
    assert not report.valid and report.error_count == 0
    data = report.to_dict()
    assert data["checked"] is False and data["summary_key"].startswith("unchecked")


def test_takamatsu_fiware_file_with_metadata_lines(corpus_dir):
    report = run(corpus_dir, "takamatsu-372013/0002_aed_legacy.csv")
    assert report.encoding == "utf-8-sig" and report.schema is None
    assert report.header_row == 7 and report.labels[:3] == ["#property", "name", "address"]
    packed = [f for f in report.findings() if f["code"] == "latlng-packed"]
    assert packed and packed[0]["row"] == 10  # 6 metadata lines, header, 2 type rows
    assert "metadata-rows" in codes(report)


def test_takamatsu_hospital_english_header_is_checked_as_hospital(corpus_dir):
    # English column names (aliases.json "english") make it a 医療機関一覧, one rename each.
    report = run(corpus_dir, "takamatsu-372013/hospital.csv")
    assert report.schema == "hospital"
    renames = [f for f in report.findings() if f["code"] == "header-alias"]
    assert len(renames) == len({f["column"] for f in renames}) == 11
    (phone,) = [f for f in renames if f["cell"] == "telephone\u3000number"]
    assert phone["fix"] == "電話番号"
    assert "lgcode-no-check-digit" not in codes(report)  # 372013 is already 6 digits


def test_takamatsu_toilets_five_digit_code(corpus_dir):
    report = run(corpus_dir, "takamatsu-372013/public_toilet.csv")
    codes_found = [f for f in report.findings() if f["code"] == "lgcode-no-check-digit"]
    assert codes_found and {f["cell"] for f in codes_found} == {"37201"}
    assert {f["fix"] for f in codes_found} == {"372013"}
    # English header: now checked as 公衆トイレ一覧, so the code is an error of the standard
    assert report.schema == "public_toilet"
    assert {f["severity"] for f in codes_found} == {"error"}


def test_takamatsu_hospital_blank_bed_counts_read_as_one_finding(corpus_dir):
    # Its 555 clinics and dental surgeries leave the required 病床数 (numberOfBeds, in the
    # header) blank: one finding with the count and the first rows, not one a row; the
    # required columns the header lacks are one missing-label each and nothing per row.
    report = run(corpus_dir, "takamatsu-372013/hospital.csv")
    assert report.rows == 628 and report.counts["constraint-error:required"] == 555  # cells, complete
    data = report.to_dict("en")
    required = [f for f in data["errors"] if f["code"] == "constraint-error:required"]
    assert [(f["field"], f["repeated"]) for f in required] == [("病床数", 554)]
    assert "555 cells" in required[0]["message"]
    missing = {f["field"] for f in data["errors"] if f["code"] == "missing-label"}
    assert missing == {"名称_カナ", "医療機関の種類", "診療曜日", "診療開始時間", "診療終了時間", "URL"}
    assert not [f for f in report.findings() if f["field"] in missing and f["row"] != report.header_row]
    assert len(data["errors"]) == 10  # 6 columns missing, the blank 病床数, 3 cells 「19（休床中）」
