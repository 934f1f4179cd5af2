"""xlsx as Excel writes it (shared strings) and the limits that keep a zip bomb out.

Every package is built here, in memory or in tmp_path: no large file is committed.
"""
from __future__ import annotations

import random
import zipfile
from xml.sax.saxutils import escape

import pytest
from conftest import MIN_HEADER, MIN_SCHEMA, good_row
from regionaliot.validation import engine, reader
from regionaliot.validation.engine import validate_file
from regionaliot.validation.reader import ReadError, open_table

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def sheet_rows(rows: list[list[str]], strings: dict[str, int]) -> bytes:
    """<row> elements whose cells point into the shared-strings table, as Excel writes them."""
    out = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{_column(i)}{number}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>'
                        for i, value in enumerate(row) if value != "")
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out).encode()


def write_xlsx(path, rows: list[list[str]] | None = None, *, sheet_data: bytes | None = None,
               shared_strings: bytes | None = None, styles: bytes | None = None,
               level: int = 9):
    """A minimal package: content types, workbook, one worksheet, shared strings (+ styles)."""
    strings: dict[str, int] = {}
    if sheet_data is None:
        sheet_data = sheet_rows(rows or [], strings)
    if shared_strings is None:
        shared_strings = (f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                          + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>").encode()
    overrides = [("/xl/workbook.xml", f"{CT}.sheet.main+xml"),
                 ("/xl/worksheets/sheet1.xml", f"{CT}.worksheet+xml"),
                 ("/xl/sharedStrings.xml", f"{CT}.sharedStrings+xml")]
    if styles is not None:
        overrides.append(("/xl/styles.xml", f"{CT}.styles+xml"))
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides) + "</Types>"),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{DOC_RELS}/officeDocument"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{DOC_RELS}/worksheet"/>'
            f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{DOC_RELS}/sharedStrings"/>'
            "</Relationships>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as package:
        for name, text in parts.items():
            package.writestr(name, text)
        package.writestr("xl/worksheets/sheet1.xml",
                         f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + sheet_data
                         + b"</sheetData></worksheet>")
        package.writestr("xl/sharedStrings.xml", shared_strings)
        if styles is not None:
            package.writestr("xl/styles.xml", styles)
    return path


def refusal(path) -> ReadError:
    with pytest.raises(ReadError) as caught:
        validate_file(path, MIN_SCHEMA)
    assert "\n" not in caught.value.reason("ja") and "\n" not in caught.value.reason("en")
    return caught.value


def test_shared_strings_as_excel_writes_them(tmp_path):
    # openpyxl itself writes inline strings; Excel and LibreOffice write a shared-strings table.
    path = write_xlsx(tmp_path / "upload", [MIN_HEADER, good_row(1), good_row(2, 小児対応設備の有無="○")])
    report = validate_file(path, MIN_SCHEMA)
    assert (report.dialect, report.rows) == ("xlsx", 2)
    # One finding for the cell: our fix leads, Frictionless's enum error stays with it.
    assert [f["codes"] for f in report.findings() if f["severity"] == "error"] == \
        [["flag-symbol", "constraint-error:enum"]]


def test_zip_bomb_in_the_shared_strings_is_refused_before_parsing(tmp_path):
    # 4 MiB of shared strings packed into a few kilobytes: refused by its compression ratio,
    # with the default limits.
    table = f'<sst xmlns="{MAIN}">'.encode() + b"<si><t>x</t></si>" * ((4 << 20) // 17) + b"</sst>"
    path = write_xlsx(tmp_path / "bomb.xlsx", [MIN_HEADER, good_row(1)], shared_strings=table)
    assert path.stat().st_size < 64 << 10
    error = refusal(path)
    assert error.code == "xlsx-too-large"
    assert "展開後のサイズが大きすぎます" in error.reason("ja")
    assert "sharedStrings.xml" in error.reason("en") and "too large once unpacked" in error.reason("en")


def test_shared_strings_over_their_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "XLSX_MAX_SHARED_STRINGS", 64 << 10)
    strings = [f"倉敷市{i:06d}" for i in range(8000)]  # ~250 KB, under the ratio grace
    path = write_xlsx(tmp_path / "upload", [MIN_HEADER, *[good_row(1, 名称=s) for s in strings]])
    error = refusal(path)
    assert error.code == "xlsx-too-large" and "文字列表" in error.reason("ja")
    assert "shared-strings" in error.reason("en")


def test_total_unpacked_size_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "XLSX_MAX_UNCOMPRESSED", 200 << 10)
    rows = [MIN_HEADER, *[good_row(i, 名称=f"倉敷市役所{i}") for i in range(1, 3000)]]
    path = write_xlsx(tmp_path / "upload", rows)
    with zipfile.ZipFile(path) as package:
        assert sum(i.file_size for i in package.infolist()) > 200 << 10
    error = refusal(path)
    assert error.code == "xlsx-too-large" and "xlsx の展開後のサイズが大きすぎます" in error.reason("ja")


def test_a_part_openpyxl_parses_whole_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "XLSX_MAX_PART", 64 << 10)
    styles = f'<styleSheet xmlns="{MAIN}">'.encode() + b"<numFmts/>" * 10_000 + b"</styleSheet>"
    path = write_xlsx(tmp_path / "upload", [MIN_HEADER, good_row(1)], styles=styles)
    error = refusal(path)
    assert error.code == "xlsx-too-large" and "xl/styles.xml" in error.reason("ja")


def test_one_huge_row_is_refused_but_many_rows_are_not(tmp_path, monkeypatch):
    # openpyxl streams a worksheet row by row, but builds each row whole.
    monkeypatch.setattr(reader, "XLSX_MAX_ROW_BYTES", 64 << 10)
    strings: dict[str, int] = {}
    data = sheet_rows([MIN_HEADER, good_row(1)], strings)
    wide = b'<row r="3">' + b"".join(b'<c t="n"><v>%d</v></c>' % i for i in range(5000)) + b"</row>"
    path = write_xlsx(tmp_path / "wide", sheet_data=data + wide, shared_strings=(
        f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>").encode())
    error = refusal(path)
    assert error.code == "xlsx-too-large" and "行" in error.reason("ja") and "row" in error.reason("en")

    many = write_xlsx(tmp_path / "many", [MIN_HEADER, *[good_row(i) for i in range(1, 2000)]])
    with zipfile.ZipFile(many) as package:
        assert package.getinfo("xl/worksheets/sheet1.xml").file_size > 64 << 10
    assert validate_file(many, MIN_SCHEMA).rows == 1999


def test_a_worksheet_with_a_dtd_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "dtd", [MIN_HEADER, good_row(1)])
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]>' \
        + parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    error = refusal(path)
    assert error.code == "xlsx" and "DTD" in error.reason("ja") and "DTD" in error.reason("en")


def test_a_wrong_dimension_does_not_cut_the_sheet(tmp_path):
    # Some writers leave <dimension ref="A1"/>: openpyxl would stop after row 1.
    strings: dict[str, int] = {}
    data = sheet_rows([MIN_HEADER, good_row(1), good_row(2)], strings)
    path = write_xlsx(tmp_path / "dim", sheet_data=data, shared_strings=(
        f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>").encode())
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<sheetData>", b'<dimension ref="A1"/><sheetData>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    assert validate_file(path, MIN_SCHEMA).rows == 2


def _chunk_sizes(monkeypatch) -> list[int]:
    sizes: list[int] = []
    original = engine.Plan._chunk
    monkeypatch.setattr(engine.Plan, "_chunk",
                        lambda self, chunk, base: (sizes.append(len(chunk)), original(self, chunk, base)))
    return sizes


def test_xlsx_chunks_are_bounded_by_size_as_csv_chunks_are(tmp_path, monkeypatch):
    noise = random.Random(6)  # text that does not compress 100:1, unlike "長" * 20,000
    rows = [good_row(i, 備考="".join(chr(0x4E00 + noise.randrange(20_000)) for _ in range(20_000)))
            for i in range(1, 61)]
    path = write_xlsx(tmp_path / "long", [MIN_HEADER, *rows], level=1)
    whole = validate_file(path, MIN_SCHEMA)
    sizes = _chunk_sizes(monkeypatch)
    monkeypatch.setattr(engine, "CHUNK_CHARS", 50_000)
    monkeypatch.setattr(engine, "CHUNK_STEP", 2)
    capped = validate_file(path, MIN_SCHEMA)
    assert sizes[0] <= reader.HEADER_SEARCH_ROWS + 4 and max(sizes[1:]) <= 4 and sum(sizes) == 60
    assert capped.rows == whole.rows == 60 and capped.counts == whole.counts


def test_chunks_are_bounded_by_cells_for_a_wide_header(write_csv, monkeypatch):
    # Short rows are padded to the header's width: rows × width is what a chunk holds.
    header = MIN_HEADER + [f"列{i}" for i in range(989)]  # 1,000 columns
    path = write_csv([good_row(i) for i in range(1, 101)], header=header)
    sizes = _chunk_sizes(monkeypatch)
    monkeypatch.setattr(engine, "CHUNK_CELLS", 10_000)
    report = validate_file(path, MIN_SCHEMA, max_findings=None)
    assert max(sizes) <= 10 and sum(sizes) == report.rows == 100
    with open_table(path) as table:
        assert len(table.labels) == 1000
