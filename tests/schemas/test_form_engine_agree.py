"""The dataset form and the validation engine agree on the standard datasets (issue 6, item 4).

Reads both sides as they are deployed: the choices an editor can pick in the scheming
dataset schema (schemas/ckan/dataset.yaml, fields ``standard_dataset`` and the resource's
``standard_schema``, through the preset of schemas/ckan/presets.yaml) and the schemas the
engine's registry loads from schemas/tableschema/. A type that can be picked but has no
Table Schema makes every file of the dataset fail as an unknown schema, so the dataset can
never be published; a schema that cannot be picked is never applied to an upload.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from regionaliot.validation.engine import validate_file
from regionaliot.validation.registry import Registry

REPO = Path(__file__).resolve().parents[2]
CKAN_SCHEMAS = REPO / "schemas" / "ckan"
TABLESCHEMA = REPO / "schemas" / "tableschema"
SAMPLES = Path(__file__).resolve().parent / "samples"
NOT_STANDARD = "none"  # the choice meaning "not a standard dataset": nothing to validate

# Pickable types that have no Table Schema yet, each with the reason. The test for such a
# type is a strict xfail: it is reported on every run, and it fails as soon as the schema
# exists, so the entry has to be removed then.
KNOWN_GAPS: dict[str, str] = {}


def _yaml(name: str) -> dict:
    return yaml.safe_load((CKAN_SCHEMAS / name).read_text(encoding="utf-8"))


def _field_choices(field: dict, presets: dict[str, dict]) -> list[dict]:
    """The choices scheming offers for a field: its own, else its preset's."""
    if "choices" in field:
        return field["choices"]
    return presets[field["preset"]]["choices"]


def form_fields() -> dict[str, dict]:
    """The dataset and resource fields that pick a standard dataset, with what scheming uses."""
    dataset = _yaml("dataset.yaml")
    presets = {p["preset_name"]: p["values"] for p in _yaml("presets.yaml")["presets"]}
    picked = {}
    for group, name in (("dataset_fields", "standard_dataset"), ("resource_fields", "standard_schema")):
        field = next(f for f in dataset[group] if f["field_name"] == name)
        values = {**presets.get(field.get("preset"), {}), **field}
        picked[name] = {"validators": values.get("validators", ""),
                        "choices": _field_choices(field, presets)}
    return picked


def pickable() -> dict[str, dict]:
    """value -> label ({ja, en}) of every standard type an editor can pick."""
    fields = form_fields()
    choices = fields["standard_dataset"]["choices"]
    return {c["value"]: c["label"] for c in choices}


def engine() -> Registry:
    """The engine's registry of the committed schemas only (no REGIONALIOT_SCHEMA_PATH)."""
    return Registry(extra_dirs=[TABLESCHEMA], include_package=False)


def test_both_form_fields_offer_the_same_closed_list():
    fields = form_fields()
    assert [c["value"] for c in fields["standard_dataset"]["choices"]] == \
        [c["value"] for c in fields["standard_schema"]["choices"]]
    for name, field in fields.items():
        # A value outside the list is refused, so the list is all there is to agree on.
        assert "scheming_choices" in field["validators"].split(), name
    assert NOT_STANDARD in pickable()


def test_the_engine_sees_every_committed_schema():
    # A schema file the registry cannot load is dropped silently; it must not go unnoticed.
    files = {(p.parent.name, p.stem) for p in TABLESCHEMA.glob("*/*.json")}
    assert {(s.generation, s.name) for s in engine().schemas} == files
    assert files


PICKABLE_TYPES = sorted(set(pickable()) - {NOT_STANDARD})


@pytest.mark.parametrize("value", [
    pytest.param(v, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN_GAPS[v]))
    if v in KNOWN_GAPS else v
    for v in PICKABLE_TYPES
])
def test_every_pickable_type_has_a_table_schema(value):
    registry = engine()
    assert value in {s.name for s in registry.schemas}, f"{value} can be picked but has no Table Schema"
    schema = registry.get(value)  # as the portal asks for it: the bare name, current generation first
    assert schema.title == pickable()[value]["ja"], "the form and the engine name the dataset alike"
    # End to end: the schema's committed sample validated under the picked name.
    sample = SAMPLES / schema.generation / f"{schema.name}.csv"
    report = validate_file(sample, value, registry=registry)
    assert (report.schema, report.generation) == (value, schema.generation)
    assert report.valid, report.to_text()


def test_every_engine_schema_can_be_picked():
    cannot = sorted({s.name for s in engine().schemas} - set(pickable()))
    assert cannot == [], f"schemas no editor can pick: {cannot}"


def test_known_gaps_are_still_pickable():
    # An entry of KNOWN_GAPS for a type that is no longer on the form is stale.
    assert set(KNOWN_GAPS) <= set(PICKABLE_TYPES)


def test_every_choice_is_labelled_in_both_languages():
    for value, label in pickable().items():
        assert set(label) == {"ja", "en"} and all(label.values()), value
