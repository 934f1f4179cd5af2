"""The console script, run as a user runs it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MIN_SCHEMA, good_row


def regionaliot(*args, cwd=None):
    script = shutil.which("regionaliot") or str(Path(sys.executable).with_name("regionaliot"))
    return subprocess.run([script, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60)


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


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\x03binary\x00" * 10, b"\x80\xfd\xfe\xa0" * 100])
def test_unreadable_file_exits_2_with_one_line(tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    done = regionaliot("validate", path)
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_missing_file_and_unknown_schema_exit_2(tmp_path, write_csv):
    assert regionaliot("validate", tmp_path / "nope.csv").returncode == 2
    done = regionaliot("validate", write_csv([good_row(1)]), "--schema", "no_such_dataset")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_normalize_and_schemas(tmp_path, write_csv):
    out = tmp_path / "fixed.csv"
    done = regionaliot("normalize", write_csv([good_row(1, 小児対応設備の有無="○")]), "-o", out,
                       "--schema", MIN_SCHEMA)
    assert done.returncode == 0, done.stderr
    assert ",有," in out.read_text(encoding="utf-8")
    listing = regionaliot("schemas")
    assert listing.returncode == 0 and "legacy/aed" in listing.stdout
