"""Checks as a registry (issue 16, item 3): a check is one registration, read by the engine,
the report, the fixer, the messages and the schema registry alike."""
from __future__ import annotations

import json
import re

import pytest
from regionaliot.validation import checks, messages
from regionaliot.validation.checks import Check, Code, finding, register, unregister
from regionaliot.validation.engine import validate_file
from regionaliot.validation.fixer import normalize
from regionaliot.validation.registry import Registry


def test_every_code_is_declared_once_with_severity_and_both_languages():
    for code, info in checks.CODES.items():
        assert info.severity in ("error", "warning"), code
        ja, en = messages.render(code, "ja"), messages.render(code, "en")
        assert en == messages._fill(info.message, {}) and ja != en, code
    with pytest.raises(ValueError):
        register(Check("again", (Code("flag-symbol", "error", "x"),)))


def test_every_x_check_of_the_shipped_schemas_is_served_by_a_registered_check():
    used = {f["x-check"] for s in Registry().schemas for f in s.fields if "x-check" in f}
    assert used and used <= set(checks.BY_KIND)


@pytest.fixture
def shout_check():
    """A check of our own, registered the way a new module of checks/ registers itself."""

    def check_shout(value):
        if value.isupper() or not value.isascii():
            return []
        return [finding("shout-lower", fix=value.upper())]

    check = register(Check(
        "shout",
        (Code("shout-lower", "warning", 'Write "{cell}" in capitals: "{fix}".', fixable=True),),
        kinds=("shout",),
        make=lambda spec: check_shout,
        predicate=str.isupper,
        headers=(("shout", re.compile(r"^code$")),),
    ))
    yield check
    unregister("shout")


def test_one_registration_is_all_a_new_check_needs(tmp_path, shout_check):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"name": "t", "fields": [{"name": "code", "type": "string",
                                                           "x-check": "shout"}]}), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("code\nABC\nabc\n", encoding="utf-8")
    # The schema registry accepts the kind, the engine runs it, the report renders its message.
    (found,) = validate_file(data, str(schema)).findings("en")
    assert (found["row"], found["code"], found["severity"], found["fix"]) == (3, "shout-lower", "warning", "ABC")
    assert found["message"] == 'Write "abc" in capitals: "ABC".'
    # The fixer applies its sure fix.
    result = normalize(data, tmp_path / "out.csv", str(schema))
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines() == ["code", "ABC", "ABC"]
    assert [c["code"] for c in result.changes] == ["shout-lower"]
    # A file of no known standard gets it by its column name.
    generic = tmp_path / "g.csv"
    generic.write_text("code,other\nabc,x\n", encoding="utf-8")
    assert "shout-lower" in validate_file(generic).counts


def test_an_unregistered_kind_is_refused_by_the_schema_registry(tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "s.json").write_text(json.dumps(
        {"name": "s", "fields": [{"name": "code", "x-check": "shout"}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="shout"):
        Registry(extra_dirs=[tmp_path])
