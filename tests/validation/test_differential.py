"""Table-Schema findings equal Frictionless's on files with injected errors.

The full differential (several 20k-row files) is bench/validate/run.py; this is
a quick version of it for the test suite.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "validate"))

from gen_aed import generate  # noqa: E402
from regionaliot.validation.engine import validate_file  # noqa: E402

SCHEMA = REPO / "schemas" / "tableschema" / "legacy" / "aed.json"


def frictionless_keys(path):
    import frictionless
    from frictionless import system

    with system.use_context(trusted=True):
        report = frictionless.validate(str(path), schema=str(SCHEMA), limit_errors=10**9)
    return {(e.row_number, getattr(e, "field_name", "") or "", e.type)
            for e in report.tasks[0].errors if getattr(e, "row_number", None) is not None}


@pytest.mark.parametrize("seed, rate", [(21, 0.05), (22, 0.2)])
def test_same_findings_as_frictionless(tmp_path, seed, rate):
    assert SCHEMA.is_file(), f"committed schema {SCHEMA} is missing"
    path = tmp_path / "aed.csv"
    injected = generate(str(path), 1500, seed, rate)
    assert sum(injected.values()) > 30
    ours = validate_file(path, str(SCHEMA), max_findings=None, chunk_rows=400).table_schema_keys()
    theirs = frictionless_keys(path)
    assert ours == theirs
    if rate >= 0.2:  # enough injections to meet every structural kind
        assert {t for _, _, t in theirs} >= {"type-error", "constraint-error", "missing-cell",
                                             "extra-cell", "blank-row", "unique-error"}
