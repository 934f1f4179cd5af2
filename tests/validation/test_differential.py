"""Table-Schema findings equal Frictionless's on files with injected errors.

The full differential (several 20k-row files) is bench/validate/run.py; this is
a quick version of it for the test suite: the AED files of gen_aed.py, and every schema we
ship with files of gen_schema.py (every error kind Frictionless knows, primary-key included).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "validate"))

from gen_aed import generate  # noqa: E402
from regionaliot.validation.engine import validate_file  # noqa: E402

SCHEMA = REPO / "schemas" / "tableschema" / "legacy" / "aed.json"


def frictionless_keys(path, schema=SCHEMA):
    import frictionless
    from frictionless import system

    with system.use_context(trusted=True):
        report = frictionless.validate(str(path), schema=str(schema), limit_errors=10**9)
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


# --- every schema we ship (issue 16): the same (row, field, type) set as Frictionless -------

from gen_schema import generate as generate_for_schema  # noqa: E402
from gen_schema import keyed  # noqa: E402

SCHEMAS = sorted((REPO / "schemas" / "tableschema").glob("*/*.json"))


@pytest.mark.parametrize("variant", ["as-shipped", "keyed"])
@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_schema_gives_the_same_findings_as_frictionless(tmp_path, schema_path, variant):
    # "keyed" adds a primaryKey and minLength/maxLength, which no shipped schema declares.
    descriptor = json.loads(schema_path.read_text(encoding="utf-8"))
    if variant == "keyed":
        descriptor = keyed(descriptor)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / "data.csv"
    injected = generate_for_schema(descriptor, str(path), 240, len(schema_path.stem), 0.4)
    assert sum(injected.values()) > 20
    ours = validate_file(path, str(schema), max_findings=None, chunk_rows=50).table_schema_keys()
    theirs = frictionless_keys(path, schema)
    assert ours == theirs, (sorted(ours - theirs)[:5], sorted(theirs - ours)[:5])
    kinds = {t for _, _, t in theirs}
    assert {"constraint-error", "missing-cell", "blank-row"} <= kinds
    if variant == "keyed":
        assert "primary-key" in kinds
