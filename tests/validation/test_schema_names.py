"""A schema named on the web resolves known names only (issue 15, item 6).

The command line may pass a schema JSON path; the portal's anonymous API passes what a
visitor typed, which must never open a server file or tell whether one exists.
"""
from __future__ import annotations

import json
import os

import pytest
from conftest import MIN_SCHEMA, good_row
from regionaliot.validation.engine import default_registry, validate_file
from regionaliot.validation.fixer import normalize
from regionaliot.validation.registry import SchemaNotFound


@pytest.fixture
def secret_schema(tmp_path):
    """A real schema file somewhere on the server, whose title must not leak."""
    descriptor = json.loads(open(MIN_SCHEMA, encoding="utf-8").read())
    descriptor["title"] = descriptor["title_en"] = "SECRET-TITLE"
    path = tmp_path / "private" / "secret.json"
    path.parent.mkdir()
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return path


def test_paths_are_unknown_names_when_paths_are_not_allowed(write_csv, secret_schema, tmp_path,
                                                           monkeypatch):
    data = write_csv([good_row(1)])
    not_a_schema = tmp_path / "private" / "notes.json"
    not_a_schema.write_text("[1, 2, 3]", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "private")
    relative = os.path.relpath(secret_schema, tmp_path / "private")
    # With paths allowed (the command line) the file is read: the leak this guards against.
    assert validate_file(data, str(secret_schema)).schema_title == "SECRET-TITLE"

    answers = []
    for name in (str(secret_schema), relative, f"../private/{relative}", str(not_a_schema),
                 str(tmp_path / "missing.json"), "/etc/passwd", "no_such_dataset", "legacy/../aed"):
        with pytest.raises(SchemaNotFound) as caught:
            validate_file(data, name, allow_schema_paths=False)
        answers.append((type(caught.value), caught.value.args))
        assert "SECRET" not in str(caught.value)
    # Existing schema, existing non-schema, missing file, unknown name: the same answer,
    # naming only what was asked.
    assert {kind for kind, _ in answers} == {SchemaNotFound}
    assert [args for _, args in answers] == [(name,) for name in (
        str(secret_schema), relative, f"../private/{relative}", str(not_a_schema),
        str(tmp_path / "missing.json"), "/etc/passwd", "no_such_dataset", "legacy/../aed")]

    with pytest.raises(SchemaNotFound):
        normalize(data, tmp_path / "out.csv", str(secret_schema), allow_schema_paths=False)
    assert not (tmp_path / "out.csv").exists() or "SECRET" not in (tmp_path / "out.csv").read_text()


def test_known_names_still_resolve_without_paths(tmp_path):
    header = ["都道府県コード又は市区町村コード", "NO", "名称"]
    path = tmp_path / "aed.csv"
    path.write_text(",".join(header) + "\n332020,1,倉敷市役所\n", encoding="utf-8")
    for name in ("aed", "legacy/aed"):
        report = validate_file(path, name, allow_schema_paths=False)
        assert (report.schema, report.generation) == ("aed", "legacy")
    # A bare name with both generations still takes the one the header carries.
    registry = default_registry()
    standard = registry.by_name("standard/public_toilet")
    assert registry.get_matching("public_toilet", standard.field_names, allow_paths=False) is standard


def test_registry_by_name_never_touches_the_filesystem(monkeypatch, secret_schema):
    registry = default_registry()
    assert registry.by_name("legacy/aed").key == "legacy/aed"

    def no_filesystem(*args, **kwargs):
        raise AssertionError("by_name looked at the filesystem")

    monkeypatch.setattr(os.path, "isfile", no_filesystem)
    monkeypatch.setattr("builtins.open", no_filesystem)
    for name in (str(secret_schema), "aed_min.json", "../x.json", "", "legacy/"):
        with pytest.raises(SchemaNotFound):
            registry.by_name(name)
    with pytest.raises(SchemaNotFound):
        registry.get(str(secret_schema), allow_paths=False)
