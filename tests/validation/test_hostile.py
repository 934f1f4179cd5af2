"""Hostile input: random bytes, huge lines, empty and binary files.

Whatever the bytes, validation either returns a Report or raises ReadError,
and the CLI exits 0, 1 or 2 — with exactly one line on stderr for 2 and
never a traceback. A refusal names the ReadError's code and reason, so it can
be told from a crash (exit 3, code ``internal-error``).
"""
from __future__ import annotations

import contextlib
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regionaliot.validation import cli as cli_module
from regionaliot.validation.cli import (
    EXIT_INTERNAL,
    EXIT_UNREADABLE,
    INTERNAL_ERROR,
    exit_status,
    main,
)
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


def refusal(err: str) -> tuple[str, str]:
    """(code, message) of the CLI's one stderr line ``regionaliot: <code>: <message>``."""
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    prefix, code, message = lines[0].split(": ", 2)
    assert prefix == "regionaliot", err
    return code, message


def assert_refused_as_library(status, out, err, exc: ReadError):
    """The CLI refused the file exactly as the library did: exit 2, the same code and reason."""
    assert (status, out) == (EXIT_UNREADABLE, ""), err
    assert refusal(err) == (exc.code, exc.reason("ja"))


@SETTINGS
@given(content=st.binary(max_size=3000))
def test_random_bytes(tmp_path, content):
    path = tmp_path / "random.csv"
    path.write_bytes(content)
    result = outcome(path)
    status, out, err = cli(path)
    # The CLI and the library agree: unreadable is exit 2 with the library's code and
    # reason (a crash would be exit 3, internal-error); anything read gives a complete
    # JSON report whose verdict matches the exit status.
    if isinstance(result, ReadError):
        assert_refused_as_library(status, out, err, result)
    else:
        report = json.loads(out)
        assert status == exit_status(result)
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
    result = outcome(path)
    status, out, err = cli(path)
    if isinstance(result, ReadError):
        assert_refused_as_library(status, out, err, result)
    else:
        assert status == exit_status(result), err
        assert json.loads(out)["valid"] is result.valid and err == ""


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=st.integers(min_value=1, max_value=5), quoted=st.booleans())
def test_huge_lines_are_a_clean_error(tmp_path, monkeypatch, length, quoted):
    from regionaliot.validation import reader
    monkeypatch.setattr(reader, "MAX_LINE_CHARS", 2000)
    body = "x" * (2000 * length + 7)
    path = tmp_path / "huge.csv"
    path.write_text("a,b\n" + (f'"{body}"' if quoted else body) + ",1\n", encoding="utf-8")
    status, out, err = cli(path)
    assert (status, out) == (EXIT_UNREADABLE, "")
    code, message = refusal(err)
    assert code == "too-long" and "2000" in message


def test_empty_and_binary_files(tmp_path):
    for name, content, code in (
            ("empty.csv", b"", "empty"),
            ("zip.xlsx", b"PK\x03\x04garbage", "xlsx"),
            ("elf.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), "binary")):
        path = tmp_path / name
        path.write_bytes(content)
        expected = outcome(path)
        assert isinstance(expected, ReadError) and expected.code == code, (name, expected)
        status, out, err = cli(path)
        assert_refused_as_library(status, out, err, expected)
        # Whatever the output format, a refusal is the same single stderr line.
        for fmt in ("text", "html"):
            done = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(done[0]), contextlib.redirect_stderr(done[1]):
                assert main(["validate", str(path), "--format", fmt]) == status
            assert (done[0].getvalue(), done[1].getvalue()) == (out, err), (name, fmt)


def test_a_crash_is_not_a_refusal(tmp_path, monkeypatch):
    """The catch-all: a bug in the engine exits 3 with internal-error, never 2, and still
    prints one line and no traceback."""
    def crash(*args, **kwargs):
        raise RuntimeError("boom\non two lines")

    monkeypatch.setattr(cli_module, "validate_file", crash)
    path = tmp_path / "good.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    for lang, words in (("ja", "内部エラー"), ("en", "internal error")):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["validate", str(path), "--format", "json", "--lang", lang])
        assert (status, out.getvalue()) == (EXIT_INTERNAL, "")
        code, message = refusal(err.getvalue())
        assert code == INTERNAL_ERROR
        assert words in message and "RuntimeError: boom on two lines" in message
