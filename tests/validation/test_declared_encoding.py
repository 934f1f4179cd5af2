"""The character encoding a publisher declares is used, and a file that is not in it is
refused with the encoding it seems to have (not silently read as something else)."""
from __future__ import annotations

import pytest
from regionaliot.validation.engine import validate_file
from regionaliot.validation.reader import ReadError

HEADER = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称\n"


def write(tmp_path, text, encoding):
    path = tmp_path / "upload"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_declared_encoding_wins_over_detection(tmp_path):
    # ASCII bytes: detection alone would call this UTF-8.
    path = write(tmp_path, "a,b\n1,2\n", "cp932")
    assert validate_file(path, None).encoding == "utf-8"
    assert validate_file(path, None, encoding="cp932").encoding == "cp932"


def test_declared_utf8_with_a_bom_reads_as_utf8_sig(tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER + "332020,1,岡山県,倉敷市,市役所\n", "utf-8")
    assert validate_file(path, "aed", encoding="utf-8").encoding == "utf-8-sig"


def test_a_file_not_in_the_declared_encoding_is_refused_naming_the_real_one(tmp_path):
    path = write(tmp_path, HEADER + "332020,1,岡山県,倉敷市,市役所\n", "cp932")
    with pytest.raises(ReadError) as caught:
        validate_file(path, "aed", encoding="utf-8")
    assert caught.value.code == "declared-encoding"
    # Named as people know them (issue 16), never as Python codecs (cp932, utf-8-sig).
    assert "Shift_JIS" in caught.value.reason("ja") and "UTF-8" in caught.value.reason("ja")
    assert "Shift_JIS" in caught.value.reason("en") and "cp932" not in caught.value.reason("en")


def test_an_unknown_declared_encoding_is_refused(tmp_path):
    path = write(tmp_path, HEADER, "utf-8")
    with pytest.raises(ReadError) as caught:
        validate_file(path, "aed", encoding="klingon")
    assert caught.value.code == "declared-encoding"


def test_without_a_declaration_the_encoding_is_detected(tmp_path):
    path = write(tmp_path, HEADER + "332020,1,岡山県,倉敷市,市役所\n", "cp932")
    assert validate_file(path, "aed").encoding == "cp932"
