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


# Cells where a plain reader could drift from Frictionless's: spaces, exponents, NaN and
# infinities, full-width digits (Decimal reads them), bounds, enum members, patterns.
TRICKY_CELLS = ["", "1", "01", "-0", "1.5", " 2 ", "1e5", "NaN", "nan", "Infinity", "-inf", "１２",
                "abc", "20", "46", "46.0", "19.99", "154", "122", "有", "無", "○", "08:30", "9:00",
                "086-123-4567", "https://a.jp/x", "http://", "/rel", "mailto:x@y", "ht tp://a", "ｱｲｳ", "アイウ", "x" * 300, "1_000", "0x10", "+3", "\u3000", "NA", "-"]


def test_plain_cell_reader_is_frictionlesss():
    # Text and number fields skip importing Frictionless (checks/field.py): the reader they
    # get must answer as Frictionless's own, value and notes, on every shipped field.
    from regionaliot.validation.checks import field

    specs = [spec for path in sorted((REPO / "schemas" / "tableschema").glob("*/*.json"))
             for spec in json.loads(path.read_text(encoding="utf-8"))["fields"]]
    specs += [{"name": "n", "type": "number", "constraints": {"minimum": "1.5", "maximum": 10, "enum": [1, "2.0", 3]}},
              {"name": "s", "type": "string", "constraints": {"minLength": 2, "maxLength": 3, "enum": ["ab", "abc", 5],
                                                              "required": True, "pattern": "[a-z]+"}}]
    compared = 0
    for spec in specs:
        for missing in ([""], ["", "-", "NA"]):
            plain = field._plain_reader(spec, missing)  # noqa: SLF001 - the copy under test
            if plain is None:
                continue
            theirs = field._frictionless_reader(spec, missing)  # noqa: SLF001
            for cell in TRICKY_CELLS:
                assert str(plain(cell)) == str(theirs(cell)), (spec["name"], cell)
                compared += 1
    assert compared > 5000


def test_text_and_number_fields_never_import_frictionless(tmp_path):
    import subprocess

    path = tmp_path / "aed.csv"
    generate(str(path), 300, 23, 0.2)
    code = ("import sys; from regionaliot.validation.engine import validate_file; "
            f"r = validate_file({str(path)!r}, {str(SCHEMA)!r}, max_findings=None); "
            "assert r.error_count > 20; print('frictionless' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
