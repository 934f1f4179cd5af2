"""The portal's adapter to the validation engine; no CKAN, no services (link fetching: test_fetch.py).

Run with ``-p no:ckan -p no:ckan_fixtures`` (make test-unit).
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ckanext.regionaliot.validation import service as validation_service

SAMPLE = Path(__file__).resolve().parents[1] / "schemas" / "samples" / "legacy" / "aed.csv"


def cp932_sample(path, *, row: int, column: int, value: str):
    """The AED sample with one cell changed, saved as cp932 (as many municipalities do)."""
    rows = list(csv.reader(SAMPLE.open(encoding="utf-8")))
    rows[row][column] = value
    with path.open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_valid_sample_report_has_no_server_path():
    report = validation_service.validate(SAMPLE, "aed")
    assert report["valid"] is True
    assert report["schema"] == "aed" and report["generation"] == "legacy"
    assert report["rows"] == 4
    assert "path" not in report


def test_invalid_file_gives_findings_with_rows_and_fields(tmp_path):
    bad = cp932_sample(tmp_path / "bad.csv", row=1, column=0, value="332021")
    report = validation_service.validate(bad, "aed")
    assert report["valid"] is False
    assert report["encoding"] == "cp932"
    error = next(e for e in report["errors"] if e["code"] == "lgcode-check-digit")
    assert error["row"] == 2 and error["field"] == "都道府県コード又は市区町村コード"
    assert "332020" in error["message"]


def test_findings_are_capped_but_counted(tmp_path):
    rows = list(csv.reader(SAMPLE.open(encoding="utf-8")))
    for row in rows[1:]:
        row[0] = "332021"
        row[19] = "○"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = validation_service.validate(bad, "aed", max_findings=2)
    assert len(report["errors"]) + len(report["warnings"]) == 2
    assert report["counts"]["errors"] > 2
    assert report["truncated"] is True


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\x03" * 200])
def test_unreadable_file_is_a_report_not_an_exception(tmp_path, content):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    report = validation_service.validate(path, "aed")
    assert report["valid"] is False
    assert report["counts"]["errors"] == 1
    assert report["errors"][0]["code"].startswith("file-")
    assert report["errors"][0]["message"]


def test_unknown_schema_raises_our_exception():
    with pytest.raises(validation_service.UnknownSchema):
        validation_service.validate(SAMPLE, "no_such_dataset")


def test_normalize_writes_utf8_csv_with_fixes(tmp_path):
    source = cp932_sample(tmp_path / "in.csv", row=2, column=19, value="○")
    output = tmp_path / "out.csv"
    summary = validation_service.normalize(source, output, "aed")
    fixed = list(csv.reader(output.open(encoding="utf-8")))
    assert fixed[2][19] == "有"
    assert summary["encoding"] == "cp932" and "output" not in summary


def test_normalize_unreadable_raises_with_message(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(validation_service.Unreadable) as info:
        validation_service.normalize(path, tmp_path / "out.csv", "aed")
    assert info.value.message


def test_schema_choices_include_aed():
    assert ("aed", "AED設置箇所一覧") in validation_service.schema_choices()


def test_a_stored_report_is_rendered_again_in_the_readers_language(tmp_path):
    bad = cp932_sample(tmp_path / "bad.csv", row=1, column=0, value="332021")
    stored = validation_service.validate(bad, "aed", lang="ja")
    japanese = next(e for e in stored["errors"] if e["code"] == "lgcode-check-digit")
    assert "検査数字" in japanese["message"]

    english = validation_service.in_language(stored, "en")
    finding = next(e for e in english["errors"] if e["code"] == "lgcode-check-digit")
    assert "check digit" in finding["message"] and "検査数字" not in finding["message"]
    assert english["summary"] != stored["summary"]
    assert validation_service.in_language(stored, "ja")["errors"] == stored["errors"]
    # The stored report itself is left as it was.
    assert "検査数字" in japanese["message"]
