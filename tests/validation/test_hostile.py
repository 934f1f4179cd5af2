"""Hostile input: random bytes, huge lines, empty and binary files.

Whatever the bytes, validation either returns a Report or raises ReadError,
and the CLI exits 0, 1 or 2 — with exactly one line on stderr for 2 and
never a traceback.
"""
from __future__ import annotations

import contextlib
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regionaliot.validation.cli import main
from regionaliot.validation.engine import validate_file
from regionaliot.validation.reader import ReadError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def cli(path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["validate", str(path), "--format", "json"])
    return status, out.getvalue(), err.getvalue()


def outcome(path):
    try:
        return validate_file(path)
    except ReadError as exc:
        return exc


@SETTINGS
@given(content=st.binary(max_size=3000))
def test_random_bytes(tmp_path, content):
    path = tmp_path / "random.csv"
    path.write_bytes(content)
    result = outcome(path)
    status, out, err = cli(path)
    # The CLI and the library agree: unreadable is exit 2 with one line, anything read
    # gives a complete JSON report whose verdict matches the exit status.
    if isinstance(result, ReadError):
        assert status == 2
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    else:
        report = json.loads(out)
        assert status == (0 if result.valid else 1)
        assert report["valid"] is result.valid and report["rows"] == result.rows
        assert {"schema", "generation", "encoding", "errors", "warnings"} <= report.keys()


csv_cell = st.text(alphabet=st.sampled_from(list('ab1,"\n\r\t=＋○令和元年 ー―') + ["\x00", "\ufeff"]), max_size=30)


@SETTINGS
@given(rows=st.lists(st.lists(csv_cell, max_size=8), max_size=12),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp932"]))
def test_random_csv_like_text(tmp_path, rows, encoding):
    text = "\n".join(",".join(row) for row in rows)
    path = tmp_path / "text.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    status, out, err = cli(path)
    assert status in (0, 1, 2) and "Traceback" not in err
    if status == 2:
        assert len(err.strip().splitlines()) == 1 and out == ""


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=st.integers(min_value=1, max_value=5), quoted=st.booleans())
def test_huge_lines_are_a_clean_error(tmp_path, monkeypatch, length, quoted):
    from regionaliot.validation import reader
    monkeypatch.setattr(reader, "MAX_LINE_CHARS", 2000)
    body = "x" * (2000 * length + 7)
    path = tmp_path / "huge.csv"
    path.write_text("a,b\n" + (f'"{body}"' if quoted else body) + ",1\n", encoding="utf-8")
    status, _, err = cli(path)
    assert status == 2 and len(err.strip().splitlines()) == 1


def test_empty_and_binary_files(tmp_path):
    for name, content in (("empty.csv", b""), ("zip.xlsx", b"PK\x03\x04garbage"),
                          ("elf.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))):
        path = tmp_path / name
        path.write_bytes(content)
        status, out, err = cli(path)
        assert status == 2 and out == "" and len(err.strip().splitlines()) == 1, (name, err)
