"""The columnar path (validation/columnar.py) gives exactly the row path's findings.

Every finding is compared whole (row, column, field, code, every code of the cell,
severity, cell text, params), with the counts and the verdict: on the differential
corpus (the AED files of gen_aed.py and every shipped schema, as shipped and keyed, from
gen_schema.py), on the real municipal corpus (each file against its own standard and
against every other one, also re-encoded as Shift_JIS and with a BOM), and on files with
the quirks a CSV reader can get wrong. ``engine="columnar"`` raises instead of falling
back, so a test that uses it shows the columnar path really ran.
"""
from __future__ import annotations

import codecs
import json
import re
import sys
from pathlib import Path

import pytest
from regionaliot.validation import columnar
from regionaliot.validation.engine import validate_file
from regionaliot.validation.reader import ReadError

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "validate"))

from gen_aed import HEADER as AED_HEADER  # noqa: E402
from gen_aed import generate  # noqa: E402
from gen_schema import generate as generate_for_schema  # noqa: E402
from gen_schema import keyed  # noqa: E402

AED = str(REPO / "schemas" / "tableschema" / "legacy" / "aed.json")
SCHEMAS = sorted((REPO / "schemas" / "tableschema").glob("*/*.json"))


def everything(report):
    findings = [(f["row"], f["column"], f["field"], f["code"], tuple(f["codes"]), f["severity"],
                 f["cell"], json.dumps(f["params"], sort_keys=True, ensure_ascii=False, default=str))
                for f in report.findings()]
    return findings, (report.rows, report.error_count, report.warning_count, dict(report.counts),
                      report.truncated, report.encoding, report.schema)


def same_both_ways(path, schema=None, columnar_must_run=True, **kwargs):
    rows = validate_file(path, schema, engine="rows", **kwargs)
    cols = validate_file(path, schema, engine="columnar" if columnar_must_run else "auto", **kwargs)
    a, b = everything(rows), everything(cols)
    assert a[1] == b[1]
    assert a[0] == b[0], (sorted(set(a[0]) - set(b[0]))[:3], sorted(set(b[0]) - set(a[0]))[:3])
    return rows


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of a few hundred bytes, so records, quoted cells and ragged rows meet block ends."""
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 300)


# --- the differential corpus ----------------------------------------------------------------


@pytest.mark.parametrize("seed, rate", [(31, 0.02), (32, 0.2), (33, 0.6)])
def test_aed_files_same_as_row_path(tmp_path, seed, rate):
    path = tmp_path / "aed.csv"
    injected = generate(str(path), 2500, seed, rate)
    assert sum(injected.values()) > 40
    report = same_both_ways(path, AED, max_findings=None, chunk_rows=300)
    assert report.error_count > 40


def test_aed_file_in_small_blocks(tmp_path, small_blocks):
    path = tmp_path / "aed.csv"
    generate(str(path), 600, 34, 0.4)
    same_both_ways(path, AED, max_findings=None, chunk_rows=70)


def test_capped_report_keeps_the_same_findings(tmp_path):
    # max_findings keeps the first findings in the order the checks emit them.
    path = tmp_path / "aed.csv"
    generate(str(path), 3000, 35, 0.3)
    report = same_both_ways(path, AED, max_findings=150, chunk_rows=500)
    assert report.truncated


@pytest.mark.parametrize("variant", ["as-shipped", "keyed"])
@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_schema_same_as_row_path(tmp_path, schema_path, variant):
    descriptor = json.loads(schema_path.read_text(encoding="utf-8"))
    if variant == "keyed":
        descriptor = keyed(descriptor)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / "data.csv"
    generate_for_schema(descriptor, str(path), 300, len(schema_path.stem), 0.4)
    same_both_ways(path, str(schema), max_findings=None, chunk_rows=40)


# --- the real municipal corpus --------------------------------------------------------------


def corpus_files(corpus_dir):
    files = sorted(corpus_dir.glob("*/*.csv"))
    assert len(files) >= 10, f"municipal corpus incomplete at {corpus_dir}"
    return files


def test_municipal_corpus_same_as_row_path(corpus_dir):
    for path in corpus_files(corpus_dir):
        same_both_ways(path)  # the detected standard (or none)
        for schema in SCHEMAS:  # and every other one: many findings of every kind
            same_both_ways(path, str(schema), max_findings=None, chunk_rows=25)


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_municipal_corpus_reencoded_same_as_row_path(corpus_dir, tmp_path, encoding):
    done = 0
    for path in corpus_files(corpus_dir):
        text = path.read_bytes().decode("utf-8-sig")
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue  # a character Shift_JIS lacks
        copy = tmp_path / path.name
        copy.write_bytes(data)
        report = same_both_ways(copy, max_findings=None, chunk_rows=30)
        assert report.encoding == encoding
        done += 1
    assert done >= 6


# --- what a CSV reader can get wrong ----------------------------------------------------------

HEAD = ",".join(AED_HEADER)
GOOD = "332020,0001,岡山県,倉敷市,倉敷市役所,クラシキシヤクショ,倉敷市西中新田640,,34.585,133.772,1階,086-426-3030,,,,月火水木金,09:00,17:00,,有,https://example.jp/,"


def rows_like(n, start=1):
    return [GOOD.replace("0001", f"{i:04d}") for i in range(start, start + n)]


QUIRKS = {
    # rows of the wrong width, blank lines and rows of empty cells, among good rows
    "ragged": "\r\n".join([HEAD, *rows_like(3), "1,2,3", *rows_like(2, 10), "", ",,,,",
                          GOOD + ",extra,cells", *rows_like(2, 20), ""]),
    # quoted cells: commas, doubled quotes, line breaks (CRLF and LF) inside a cell
    "quoted": "\r\n".join([HEAD, *rows_like(2), GOOD.replace("1階", '"1階,入口""A""\r\n横"'),
                          GOOD.replace("倉敷市役所", '"倉敷\n市役所"').replace("0001", "0099"),
                          *rows_like(3, 30)]) + "\r\n",
    # a quote inside an unquoted cell, and text after a closing quote: Python's csv reads them
    # its own way, so the columnar path leaves the file to the row path
    "stray-quotes": "\n".join([HEAD, *rows_like(2), GOOD.replace("1階", '1"階'),
                              GOOD.replace("1階", '"1"階'), *rows_like(2, 40)]),
    # old Mac line ends, and a last line without one
    "cr-only": "\r".join([HEAD, *rows_like(4)]),
    "no-final-newline": "\n".join([HEAD, *rows_like(4)]),
    # a title line and a blank line above the header
    "metadata-above": "\r\n".join(["AED一覧（令和6年4月1日現在）", "", HEAD, *rows_like(5)]) + "\r\n",
    # a trailing empty column in the header, with and without cells under it
    "trailing-column": "\n".join([HEAD + ",", *[r + "," for r in rows_like(3)], GOOD + ",x",
                                  GOOD, GOOD + ",,", ""]),
    # tab-separated
    "tsv": "\n".join(line.replace(",", "\t") for line in [HEAD, *rows_like(5), "a\tb"]) + "\n",
    # formula-like cells, full-width digits, cells with surrounding spaces
    "cells": "\n".join([HEAD, GOOD.replace("1階", "=HYPERLINK(1)"), GOOD.replace("1階", "+81"),
                        GOOD.replace("34.585", "３４.５８５"), GOOD.replace("09:00", " 09:00"),
                        GOOD.replace("133.772", "34.585").replace("34.585,", "133.772,", 1), ""]),
}
FALLS_BACK = {"stray-quotes"}


@pytest.mark.parametrize("name", sorted(QUIRKS))
@pytest.mark.parametrize("blocks", ["big", "small"])
def test_quirks_same_as_row_path(tmp_path, monkeypatch, name, blocks):
    if blocks == "small":
        monkeypatch.setattr(columnar, "BLOCK_BYTES", 200)
    path = tmp_path / "quirk.csv"
    path.write_bytes(QUIRKS[name].encode("utf-8"))
    if name in FALLS_BACK:
        with pytest.raises(columnar.Fallback):
            validate_file(path, AED, engine="columnar", chunk_rows=3)
    same_both_ways(path, AED, columnar_must_run=name not in FALLS_BACK, max_findings=None,
                   chunk_rows=3)


@pytest.mark.parametrize("damage", ["nul", "undecodable", "long-line"])
def test_unreadable_files_give_the_row_paths_error(tmp_path, damage):
    # past the first MiB, which the reader reads (and checks) to find the header
    lines = [HEAD, *rows_like(12_000)]
    if damage == "nul":
        lines[11_000] = lines[11_000].replace("1階", "1\x00階")
    elif damage == "long-line":
        lines[11_000] = lines[11_000].replace("1階", "a" * 1_100_000)
    data = "\n".join(lines).encode("utf-8")
    if damage == "undecodable":
        at = data.index("倉敷".encode(), len(data) - 50_000)
        data = data[:at] + b"\xff" + data[at + 1:]
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(columnar.Fallback):
        validate_file(path, AED, engine="columnar")
    with pytest.raises(ReadError) as rows:
        validate_file(path, AED, engine="rows")
    with pytest.raises(ReadError) as auto:
        validate_file(path, AED)
    assert (auto.value.code, auto.value.reason("en")) == (rows.value.code, rows.value.reason("en"))


def test_shift_jis_file_runs_columnar(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("\r\n".join([HEAD, *rows_like(50), GOOD.replace("有", "○")]).encode("cp932"))
    report = same_both_ways(path, AED, max_findings=None)
    assert report.encoding == "cp932"
    assert any(f["code"] == "flag-symbol" for f in report.findings())


# --- regular expressions: RE2 never vouches for a value Python's re refuses -----------------


def test_re2_refuses_what_it_reads_more_loosely():
    for pattern in [r"^\D+$", r"^\W$", r"^a\b", r"^[^\d]+$", r"^[[:alpha:]]+$", r"^a{,3}$",
                    r"(?i)^abc$", r"^(?=a)a$", r"^(?:x(?i:a))$", r"^(a)\1$"]:
        assert columnar.re2_pattern(re.compile(pattern), True) is None, pattern


SAMPLES = ["", "0", "12", "１２", "٣", "a b", "a\u3000b", "a\u00a0b", "a\n", "a\nb", "x\u2028",
           "https://ex.jp/a b", "https://ex.jp/\u3000", "09:00", "9:00", "24:00", "ア", "ｱ",
           "カタカナ\u3000ー", "086-426-3030", "０８６-426-3030", "+81 86-426-3030", "abc_", "é",
           "333", "3330", "3330\n", "123456", "1234567890123", "AbC9", "2020-04-01", "月火", "有", "○", "-1.5", "1e5", "𠮷"]


def test_re2_never_accepts_what_python_refuses():
    import pyarrow as pa
    import pyarrow.compute as pc

    patterns = []
    for schema_path in SCHEMAS:
        for spec in json.loads(schema_path.read_text(encoding="utf-8"))["fields"]:
            if "pattern" in (spec.get("constraints") or {}):
                patterns.append(re.compile("^" + spec["constraints"]["pattern"] + "$"))
    patterns += [re.compile(p) for p in (r"\s+\S", r"[^\s,]+", r"\d{2}\w", r"[\u30a0-\u30ff]+",
                                          r"^a|b$", r"(?:ab)+", r"[!-~]+@\w+")]
    assert len(patterns) > 20
    values = pa.array(SAMPLES)
    translated = 0
    for pattern in patterns:
        for full in (False, True):
            rx = columnar.re2_pattern(pattern, full)
            if rx is None:
                continue
            translated += 1
            python = pattern.fullmatch if full else pattern.match
            for value, vouched in zip(SAMPLES, pc.match_substring_regex(values, rx).to_pylist(),
                                      strict=True):
                assert not vouched or python(value), (pattern.pattern, full, value)
    assert translated > 20
    simple = 0
    for pattern in patterns + [re.compile(p) for p in ("^[0-9]{2,4}$", "^[A-Za-z0-9]+$")]:
        kernel = columnar.ascii_class_kernel(pattern)
        if kernel is None:
            continue
        simple += 1
        for value, vouched in zip(SAMPLES, kernel(values).to_pylist(), strict=True):
            assert not vouched or pattern.match(value), (pattern.pattern, value)
    assert simple >= 4


def test_space_class_is_pythons():
    assert not re.findall(r"\s", "".join(map(chr, range(0x3001, sys.maxunicode + 1))))
    spaces = re.findall(r"\s", "".join(map(chr, range(0x3100))))
    import pyarrow as pa
    import pyarrow.compute as pc

    rx = columnar.re2_pattern(re.compile(r"\s"), True)
    found = pc.match_substring_regex(pa.array([chr(c) for c in range(0x3100)]), rx)
    assert sorted(c for c, hit in zip(map(chr, range(0x3100)), found.to_pylist(), strict=True)
                  if hit) == sorted(spaces)
    assert codecs.lookup("cp932")  # the encodings the columnar path reads
    assert columnar.ENCODINGS == {"utf-8", "utf-8-sig", "cp932"}


def test_text_in_the_coordinates_of_a_file_of_no_standard(tmp_path):
    # Without a schema type only str.isascii vouched for a 緯度 cell, and the row path's
    # Japan-bounds test then called float("abc") (ValueError): text is checked, not a crash.
    path = tmp_path / "points.csv"
    path.write_text("名前,緯度,経度\nA,abc,133.5\nB,34.5,xyz\nC,91,200\nD,35.0,135.0\n", encoding="utf-8")
    report = same_both_ways(path, max_findings=None)
    assert {(f["row"], f["code"]) for f in report.findings()} >= {
        (4, "latitude-out-of-japan"), (4, "longitude-out-of-japan")}


def test_columnar_path_never_imports_pandas(tmp_path):
    # pa.array()/pa.scalar() import pandas to inspect their argument: 0.4 s of CPU for each
    # process that validates a file (more than the checks of 100,000 rows).
    import subprocess

    path = tmp_path / "aed.csv"
    generate(str(path), 3000, 36, 0.3)  # every injection: ragged rows, quotes, formulas …
    code = ("import sys; from regionaliot.validation.engine import validate_file; "
            f"r = validate_file({str(path)!r}, {AED!r}, engine='columnar', max_findings=None); "
            "assert r.error_count > 100; print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_small_file_never_imports_pyarrow(tmp_path):
    # The row path's files (under 1 MiB) start faster without pyarrow (0.2 s of CPU a process).
    import subprocess

    path = tmp_path / "aed.csv"
    generate(str(path), 300, 38, 0.1)
    code = ("import sys; from regionaliot.validation.engine import validate_file; "
            f"r = validate_file({str(path)!r}, {AED!r}, max_findings=None); "
            "assert r.error_count > 10; print('pyarrow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_auto_takes_the_columnar_path_from_a_size_on(tmp_path, monkeypatch):
    from regionaliot.validation import engine

    runs = []
    real = columnar.ColumnarRun.run
    monkeypatch.setattr(columnar.ColumnarRun, "run", lambda self, *a: (runs.append(1), real(self, *a)))
    path = tmp_path / "aed.csv"
    generate(str(path), 300, 37, 0.1)
    rows = everything(validate_file(path, AED, max_findings=None))
    assert runs == []  # small: the row path starts faster
    monkeypatch.setattr(engine, "COLUMNAR_MIN_BYTES", path.stat().st_size)
    assert everything(validate_file(path, AED, max_findings=None)) == rows
    assert runs == [1]


# --- cheaper ways to the same parse and the same checks -------------------------------------


@pytest.mark.parametrize("few", [True, False], ids=["few", "many"])
def test_ragged_rows_and_quoted_cells_either_way(tmp_path, monkeypatch, few):
    # A block's few ragged rows go back to their place as slices, many by one take; its few
    # quoted cells are matched one by one, many in one regex pass: the same findings.
    monkeypatch.setattr(columnar, "SPLICE_MAX", 10**6 if few else 0)
    monkeypatch.setattr(columnar, "QUOTED_ONE_BY_ONE", 10**6 if few else 0)
    path = tmp_path / "aed.csv"
    generate(str(path), 2000, 37, 0.3)
    same_both_ways(path, AED, max_findings=None, chunk_rows=150)
    for name in ("ragged", "quoted"):
        path.write_bytes(QUIRKS[name].encode("utf-8"))
        same_both_ways(path, AED, max_findings=None, chunk_rows=3)


def test_line_breaks_in_quoted_cells_are_seen_in_every_block(tmp_path, small_blocks):
    # pyarrow is told about line breaks inside quoted cells only for the blocks that have
    # one; a block of quoted cells without any is parsed without (both kinds here).
    rows = rows_like(40)
    rows[5] = rows[5].replace("1階", '"1階,入口"')
    rows[30] = rows[30].replace("1階", '"1階\r\n入口"')
    path = tmp_path / "aed.csv"
    path.write_bytes("\r\n".join([HEAD, *rows]).encode("utf-8") + b"\r\n")
    report = same_both_ways(path, AED, max_findings=None, chunk_rows=7)
    assert report.rows == 40
    from types import SimpleNamespace

    parser = SimpleNamespace(quoted_field=columnar._quoted_field_re(b","))  # noqa: SLF001
    quoted_cells = columnar.BlockParser._quoted_cells  # noqa: SLF001
    assert quoted_cells(parser, b'a,"x,""y""",b\n"c",d\n') is False
    assert quoted_cells(parser, b'a,"x\r\ny",b\n') is True
    assert quoted_cells(parser, b'a,"x\ry",b\n') is True
    with pytest.raises(columnar.Fallback):
        quoted_cells(parser, b'a,"x",b\na,x"y,b\n')


def test_a_predicate_another_one_implies_gets_no_kernel():
    from regionaliot.validation.checks import ID_RE, PHONE_RE, FieldCheck

    aed = {spec["name"]: spec for spec in json.loads(Path(AED).read_text(encoding="utf-8"))["fields"]}
    phone = re.compile("^" + aed["電話番号"]["constraints"]["pattern"] + "$")
    # the schema's phone pattern and the phone check's are the same rule
    assert columnar.implies(phone.match, PHONE_RE.fullmatch) and columnar.implies(PHONE_RE.fullmatch, phone.match)
    # an ID of ASCII letters and digits is what the ID check wants; not the other way round
    assert columnar.implies(re.compile("^[0-9A-Za-z]+$").match, ID_RE.fullmatch)
    assert not columnar.implies(ID_RE.fullmatch, re.compile("^[0-9A-Za-z]+$").match)
    for kept, other in [
        ("^a|b$", "a|b"),                   # the anchors hold one alternative each
        ("^ab", "ab"),                      # a prefix match
        (r"^(a)\1$", r"(a)\1"),             # a back reference
        ("^[0-9]{6}$", "[0-9]"),            # six characters, not one
        ("^[0-9A-Z]+$", "[0-9a-z]+"),       # a class that lacks some of them
        ("^[0-9]+$", "[0-9][a-z]*"),        # a second class that lacks them
        ("^ab\\$", "ab"),                   # an escaped dollar is a character
        ("^[^,]+$", "[!-~]+"),              # a negated class holds every other character
        (r"^[\w]+$", "[0-9A-Za-z_]+"),     # Python's \w is Unicode (漢字 too)
    ]:
        assert not columnar.implies(re.compile(kept).match, re.compile(other).fullmatch), kept
    # each field of the AED file: one kernel for its phone rule, one for its ID rule
    for name, kernels in (("電話番号", 1), ("NO", 1), ("URL", 2)):
        check = FieldCheck(aed[name], 0, [""])
        assert len(columnar.ColumnCheck(check).kernels) == kernels, name


def test_implied_predicates_are_implied_on_every_schema():
    # For every predicate a kernel makes redundant, in every shipped schema: whatever value
    # the kept predicate's kernel vouches for, the dropped predicate accepts (Python's re).
    from regionaliot.validation.checks import FieldCheck

    values = SAMPLES + ["0000000001", "AbC9", "A-1.b", "abc", "1", "12345678901234", "ア\u3000イ",
                        "086-426-3030", "(086)426-3030", "+81-86-426-3030", "12:00", "24:00",
                        "https://ex.jp/x", "http://a", "1234567", "-", "9" * 13]
    dropped = 0
    for schema_path in SCHEMAS:
        for spec in json.loads(schema_path.read_text(encoding="utf-8"))["fields"]:
            preds = FieldCheck(spec, 0, [""]).preds
            for i, other in enumerate(preds):
                for kept in preds[:i]:
                    kernel = columnar.arrow_kernel(kept)
                    if kernel is not None and columnar.implies(kept, other):
                        dropped += 1
                        vouched = kernel(columnar.strings(values)).to_pylist()
                        for value, ok in zip(values, vouched, strict=True):
                            assert not ok or other(value), (spec["name"], value)
    assert dropped >= 10


def test_a_few_missing_values_among_the_checked_ones(tmp_path):
    # A column with a few blank (or declared missing) cells is checked without copying it:
    # the kernels see the missing values too, which must never become findings, nor
    # coordinates outside Japan; a column mostly blank is still checked without them.
    descriptor = {"missingValues": ["", "-", "0"], "fields": [
        {"name": "名称", "type": "string", "constraints": {"required": True}},
        {"name": "コード", "type": "string", "constraints": {"pattern": "[0-9]{6}"}},
        {"name": "人数", "type": "integer", "constraints": {"minimum": 1, "maximum": 500}},
        {"name": "緯度", "type": "number", "x-check": "latitude"},
        {"name": "経度", "type": "number", "x-check": "longitude"},
        {"name": "曜日", "type": "string", "constraints": {"enum": ["月", "火"]}},
        {"name": "備考", "type": "string", "x-check": "phone"},
    ]}
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    lines = ["名称,コード,人数,緯度,経度,曜日,備考"]
    for n in range(300):
        code = ["332020", "-", "", "33202", "0"][n % 37 % 5] if n % 37 < 5 else "332020"
        people = ["12", "-", "", "0", "900", "abc"][n % 41 % 6] if n % 41 < 6 else str(n % 400 + 1)
        lat = ["34.5", "", "-", "0", "99", "x"][n % 43 % 6] if n % 43 < 6 else "34.6"
        lon = ["133.5", "", "0", "-", "200"][n % 47 % 5] if n % 47 < 5 else "133.7"
        day = ["", "-", "水"][n % 3] if n % 11 == 0 else "月"
        note = "086-426-3030" if n % 5 else ["", "0864263030", "-", "x"][n % 4]
        lines.append(f"施設{n},{code},{people},{lat},{lon},{day},{note}")
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = same_both_ways(path, str(schema), max_findings=None, chunk_rows=60)
    found = {(f["field"], f["cell"]) for f in report.findings()}
    assert {("コード", "33202"), ("人数", "900"), ("人数", "abc"), ("緯度", "99"), ("曜日", "水")} <= found
    # (the pair check reads a declared missing value such as "0" as a coordinate, by design)
    assert not [f for f in report.findings() if f["cell"] in ("", "-", "0")
                and not f["code"].endswith("-out-of-japan")]
