"""The console script, run as a user runs it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MIN_SCHEMA, good_row
from regionaliot.validation.engine import validate_file
from regionaliot.validation.reader import ReadError


def regionaliot(*args, cwd=None):
    script = shutil.which("regionaliot") or str(Path(sys.executable).with_name("regionaliot"))
    return subprocess.run([script, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60)


def refusal(done) -> tuple[str, str]:
    """(code, message) of a failure: nothing on stdout, one stderr line
    ``regionaliot: <code>: <message>``, no traceback."""
    assert done.stdout == "" and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    prefix, code, message = lines[0].split(": ", 2)
    assert prefix == "regionaliot"
    return code, message


def test_valid_file_exits_0(write_csv):
    done = regionaliot("validate", write_csv([good_row(1)]), "--schema", MIN_SCHEMA)
    assert done.returncode == 0, done.stderr


def test_invalid_file_exits_1_with_json(write_csv):
    done = regionaliot("validate", write_csv([good_row(1, 名称="")]), "--schema", MIN_SCHEMA,
                       "--format", "json", "--lang", "en")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["valid"] is False and data["errors"][0]["field"] == "名称"
    assert "required" in data["errors"][0]["message"]


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty"),
    (b"\x00\x01\x02\x03binary\x00" * 10, "binary"),
    (b"\x80\xfd\xfe\xa0" * 100, "encoding"),
], ids=["empty", "binary", "random"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_unreadable_file_exits_2_with_its_reason(tmp_path, content, code, lang):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError) as library:
        validate_file(path)
    assert library.value.code == code
    done = regionaliot("validate", path, "--lang", lang)
    assert done.returncode == 2
    assert refusal(done) == (code, library.value.reason(lang))


def test_missing_file_and_unknown_schema_exit_2(tmp_path, write_csv):
    done = regionaliot("validate", tmp_path / "nope.csv", "--lang", "en")
    assert done.returncode == 2 and refusal(done) == ("io", "no such file.")
    done = regionaliot("validate", write_csv([good_row(1)]), "--schema", "no_such_dataset", "--lang", "en")
    assert done.returncode == 2 and refusal(done) == ("unknown-schema", "unknown schema: no_such_dataset")


@pytest.mark.parametrize("descriptor", ["not json", '{"fields": "a"}',
                                        '{"fields": [{"name": "a", "type": "nonsense"}]}',
                                        '{"fields": [{"name": "a", "constraints": {"pattern": "("}}]}'])
def test_broken_schema_file_is_a_refusal_not_a_crash(tmp_path, write_csv, descriptor):
    schema = tmp_path / "mine.json"
    schema.write_text(descriptor, encoding="utf-8")
    data = write_csv([good_row(1)])
    for command in (["validate", data], ["normalize", data, "-o", tmp_path / "out.csv"]):
        done = regionaliot(*command, "--schema", schema)
        assert done.returncode == 2
        assert refusal(done)[0] == "bad-schema"


def test_a_crash_exits_3_with_internal_error(write_csv):
    """The catch-all, through a real process: a bug in the engine is not a refusal."""
    crash = ("import sys; from regionaliot.validation import cli\n"
             "def broken(*a, **k): raise ZeroDivisionError('engine bug')\n"
             "cli.validate_file = broken\n"
             "sys.exit(cli.main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", crash, "validate", str(write_csv([good_row(1)])),
                           "--lang", "en"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    code, message = refusal(done)
    assert code == "internal-error" and "ZeroDivisionError: engine bug" in message


def test_normalize_and_schemas(tmp_path, write_csv):
    out = tmp_path / "fixed.csv"
    done = regionaliot("normalize", write_csv([good_row(1, 小児対応設備の有無="○")]), "-o", out,
                       "--schema", MIN_SCHEMA)
    assert done.returncode == 0, done.stderr
    assert ",有," in out.read_text(encoding="utf-8")
    listing = regionaliot("schemas")
    assert listing.returncode == 0 and "legacy/aed" in listing.stdout
