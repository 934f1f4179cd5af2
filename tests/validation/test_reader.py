"""Encodings, dialects, metadata lines, trailing columns and xlsx, written in tmp_path."""
from __future__ import annotations

import codecs

import openpyxl
import pytest
from conftest import MIN_HEADER, MIN_SCHEMA, good_row
from regionaliot.validation.engine import validate_file
from regionaliot.validation.reader import ReadError, open_table


def read_all(path):
    with open_table(path) as table:
        return table, list(table.rows())


def test_cp932_round_trip(write_csv):
    path = write_csv([good_row(1, 名称="髙島屋ビル①")], encoding="cp932")
    table, rows = read_all(path)
    assert table.encoding == "cp932" and rows[0][2] == "髙島屋ビル①"
    report = validate_file(path, MIN_SCHEMA)
    assert report.valid and "encoding-not-utf8" in report.counts


def test_utf8_bom(write_csv):
    path = write_csv([good_row(1)], encoding="utf-8-sig")
    table, rows = read_all(path)
    assert table.encoding == "utf-8-sig" and table.labels[0] == MIN_HEADER[0]
    assert validate_file(path, MIN_SCHEMA).valid


def test_utf16_tsv(write_csv):
    path = write_csv([good_row(1), good_row(2)], encoding="utf-16", delimiter="\t")
    assert path.read_bytes()[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    table, rows = read_all(path)
    assert (table.encoding, table.dialect) == ("utf-16", "tsv") and len(rows) == 2
    assert validate_file(path, MIN_SCHEMA).valid


def test_lf_line_endings(write_csv):
    path = write_csv([good_row(1)], lineterminator="\n")
    assert validate_file(path, MIN_SCHEMA).valid


def test_metadata_lines_above_header_are_skipped(write_csv):
    before = "#title,AED一覧,,\n#license,CC BY 4.0,,\n"
    path = write_csv([good_row(1)], before=before)
    table, rows = read_all(path)
    assert table.header_row == 3 and table.labels == MIN_HEADER
    report = validate_file(path, MIN_SCHEMA)
    assert "metadata-rows" in report.counts and report.valid


def test_rows_are_numbered_physically_under_metadata(write_csv):
    path = write_csv([good_row(1), good_row(2, 名称="")], before="タイトル行\n\n")
    (finding,) = [f for f in validate_file(path, MIN_SCHEMA).findings() if f["code"].startswith("constraint")]
    assert finding["row"] == 5  # title, blank, header, row 4, row 5


def test_trailing_empty_column_is_tolerated(write_csv):
    path = write_csv([good_row(1) + [""], good_row(2) + [""]], header=MIN_HEADER + [""])
    report = validate_file(path, MIN_SCHEMA)
    assert report.valid and "trailing-empty-column" in report.counts
    assert "extra-cell" not in report.counts


def test_xlsx_first_sheet(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(MIN_HEADER)
    row = good_row(1)
    row[4] = 34.585  # numbers as spreadsheets store them
    sheet.append(row)
    sheet.append(good_row(2, 小児対応設備の有無="○"))
    book.create_sheet("メモ").append(["ignored"])
    path = tmp_path / "aed.xlsx"
    book.save(path)
    report = validate_file(path, MIN_SCHEMA)
    assert report.encoding == "xlsx" and report.rows == 2
    # One finding for the cell: our fix leads, Frictionless's enum error stays with it.
    assert [f["codes"] for f in report.findings() if f["severity"] == "error"] == \
        [["flag-symbol", "constraint-error:enum"]]


@pytest.mark.parametrize("content, code", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"\x80\xfd\xfe\xa0" * 50, "encoding"),
    (b"\n\n\n", "no-header"),
], ids=["empty", "png", "not-utf8-nor-cp932", "only-newlines"])
def test_unreadable_files_raise_read_error(tmp_path, content, code):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        validate_file(path, MIN_SCHEMA)
    assert caught.value.code == code
    assert "\n" not in caught.value.reason("ja") and "\n" not in caught.value.reason("en")


def test_huge_line_is_a_read_error(tmp_path, monkeypatch):
    from regionaliot.validation import reader
    monkeypatch.setattr(reader, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "long.csv"
    path.write_text(",".join(MIN_HEADER) + "\n" + "x" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        validate_file(path, MIN_SCHEMA)
    assert caught.value.code == "too-long"


def test_undecodable_bytes_after_the_sample(tmp_path):
    from regionaliot.validation.reader import SNIFF_BYTES
    body = (",".join(good_row(1)) + "\n").encode() * (SNIFF_BYTES // 50)
    path = tmp_path / "late.csv"
    path.write_bytes(",".join(MIN_HEADER).encode() + b"\n" + body + b"\xff\xfe,broken\n")
    with pytest.raises(ReadError) as caught:
        validate_file(path, MIN_SCHEMA)
    assert caught.value.code == "encoding"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(write_csv, encoding):
    # Saved without a BOM the file is still text: not "a binary file".
    path = write_csv([good_row(1, 名称="倉敷市役所"), good_row(2)], encoding=encoding, delimiter="\t")
    table, rows = read_all(path)
    assert table.encoding == encoding and table.labels[0] == MIN_HEADER[0]
    assert len(rows) == 2 and "倉敷市役所" in rows[0]
    report = validate_file(path, MIN_SCHEMA)
    assert report.valid and "encoding-not-utf8" in report.counts


def test_random_bytes_with_zeros_stay_binary(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ReadError) as caught:
        open_table(path)
    assert caught.value.code == "binary"


def test_stray_nul_in_text_is_named_not_called_binary(write_csv):
    path = write_csv([good_row(1, 名称="倉敷\x00市役所"), good_row(2)])
    with pytest.raises(ReadError) as caught:
        open_table(path)
    assert "NUL" in caught.value.reason("ja") and "バイナリ" not in caught.value.reason("ja")


def _aed_book() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.active.append(MIN_HEADER)
    book.active.append(good_row(1))
    book.active.append(good_row(2, 名称=""))
    return book


@pytest.mark.parametrize("name", ["upload", "tmpa1b2c3.download", "aed.csv"])
def test_xlsx_is_read_by_content_whatever_its_name(tmp_path, name):
    # /validate uploads, CKAN's storage and download temp files carry no .xlsx extension,
    # which openpyxl refuses when given a path.
    path = tmp_path / name
    _aed_book().save(path)
    report = validate_file(path, MIN_SCHEMA)
    assert (report.dialect, report.rows) == ("xlsx", 2)
    assert [f["code"] for f in report.findings()] == ["constraint-error:required"]


@pytest.mark.parametrize("encoding, bad", [
    ("utf-8", b"\xff\xfe"),
    ("cp932", b"\x81\x20"),  # a lead byte without its trail byte
    ("utf-16-le", b"\x00\xdc"),  # a lone low surrogate
], ids=["utf-8", "cp932", "utf-16"])
def test_undecodable_byte_is_located_in_the_file_not_in_a_block(tmp_path, encoding, bad):
    # The text layer decodes in blocks of a few kilobytes: the position it reports is
    # relative to the block (the probe saw 5,090 for a byte near 300,000).
    line = (",".join(good_row(1, 名称="倉敷市役所")) + "\r\n").encode(encoding)
    head = (",".join(MIN_HEADER) + "\r\n").encode(encoding)
    body = line * (300_000 // len(line) + 1)
    before_bad = "332020,0002,".encode(encoding)
    content = head + body + before_bad + bad + ",x\r\n".encode(encoding)
    if encoding == "utf-16-le":
        content = codecs.BOM_UTF16_LE + content
    offset = len(content) - len(bad + ",x\r\n".encode(encoding))
    lineno = 2 + len(body) // len(line)
    path = tmp_path / "late.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        validate_file(path, MIN_SCHEMA)
    assert caught.value.code == "encoding" and offset > 300_000
    # Bytes are numbered from 1, as in the declared-encoding message.
    assert f"（{lineno:,}行目、{offset + 1:,} バイト目）" in caught.value.reason("ja")
    assert f"(line {lineno:,}, byte {offset + 1:,})" in caught.value.reason("en")


@pytest.mark.parametrize("block_size", [1, 2, 3, 5, 7, 4096])
def test_locating_an_undecodable_byte_does_not_depend_on_block_boundaries(tmp_path, block_size):
    from regionaliot.validation.reader import locate_undecodable
    # Multibyte characters and CRLF pairs cut by block boundaries; one CR-only line break.
    text = "見出し,列\r\n倉敷,1\r\n高梁\r総社,2\r\n".encode("cp932")
    path = tmp_path / "cut.csv"
    path.write_bytes(text + b"\x81\x20rest\r\n")
    assert locate_undecodable(path, "cp932", block_size) == (len(text), 5)
    path.write_bytes(text)
    assert locate_undecodable(path, "cp932", block_size) is None
