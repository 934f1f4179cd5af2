"""Frictionless Table Schemas of Japan's standard open datasets (pure, no CKAN).

Run: .venv/bin/python -m pytest -p no:ckan -p no:ckan_fixtures tests/schemas -q
"""
from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import frictionless
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regionaliot.validation import lgcode
from regionaliot.validation.headers import label_key, match_header
from regionaliot.validation.registry import Registry

REPO = Path(__file__).resolve().parents[2]
TABLESCHEMA = REPO / "schemas" / "tableschema"
SAMPLES = Path(__file__).resolve().parent / "samples"
GENERATIONS = ("legacy", "standard")
X_CHECKS = {
    "lgcode", "latitude", "longitude", "date", "time", "phone", "flag", "id",
    "kana", "url", "postal_code", "email",
}
TOP_KEYS_REQUIRED = {"name", "title", "title_en", "generation", "description", "fields",
                     "missingValues"}
TOP_KEYS_ALLOWED = TOP_KEYS_REQUIRED | {"primaryKey"}
FIELD_KEYS_ALLOWED = {"name", "title_en", "type", "format", "constraints", "description",
                      "x-check"}
# Minimum set the task asks for in the new generation.
STANDARD_REQUIRED = {"fire_hydrant", "public_toilet", "evacuation_space", "food_business_license"}
LEGACY_ALL = {
    "aed", "care_service", "hospital", "cultural_property", "tourism", "event",
    "public_wireless_lan", "public_toilet", "fire_hydrant", "evacuation_space", "population",
    "public_facility", "preschool", "opendata_list",
}

SCHEMA_PATHS = sorted(p for g in GENERATIONS for p in (TABLESCHEMA / g).glob("*.json"))
SCHEMA_IDS = [f"{p.parent.name}/{p.stem}" for p in SCHEMA_PATHS]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def schema_path(generation: str, name: str) -> Path:
    return TABLESCHEMA / generation / f"{name}.json"


def field_names(path: Path) -> list[str]:
    return [f["name"] for f in load(path)["fields"]]


def sample_for(path: Path) -> Path:
    return SAMPLES / path.parent.name / f"{path.stem}.csv"


def read_rows(path: Path) -> list[list[str]]:
    # utf-8-sig strips a BOM if there is one.
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


lgcode_ok = lgcode.is_valid


ALIASES = load(TABLESCHEMA / "aliases.json")
# The engine's own header matching (validation/headers.py), with the alias table the
# engine's registry loads from this folder's aliases.json: what these tests prove is
# what the validator does, not a copy of it.
ENGINE_ALIASES = Registry(extra_dirs=[TABLESCHEMA], include_package=False).aliases


def resolve(header: str, names: list[str]) -> str | None:
    """The field of the target schema the engine maps one header cell to, or None."""
    column_of = match_header([header], names, ENGINE_ALIASES).column_of
    hits = [name for name, column in zip(names, column_of, strict=True) if column == 0]
    assert len(hits) <= 1
    return hits[0] if hits else None


# -- descriptors -------------------------------------------------------------

def test_expected_schemas_exist():
    legacy = {p.stem for p in (TABLESCHEMA / "legacy").glob("*.json")}
    standard = {p.stem for p in (TABLESCHEMA / "standard").glob("*.json")}
    assert legacy == LEGACY_ALL
    assert STANDARD_REQUIRED <= standard


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_schema_loads(path):
    schema = frictionless.Schema.from_descriptor(load(path))
    assert schema.fields


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_descriptor_contract(path):
    desc = load(path)
    assert TOP_KEYS_REQUIRED <= set(desc) <= TOP_KEYS_ALLOWED
    assert desc["name"] == path.stem
    assert desc["generation"] == path.parent.name
    for key in ("title", "title_en", "description"):
        assert isinstance(desc[key], str) and desc[key].strip()
    assert desc["missingValues"] == [""]
    for field in desc["fields"]:
        assert set(field) <= FIELD_KEYS_ALLOWED, field["name"]
        assert field["title_en"].strip(), field["name"]


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_field_names_unique(path):
    names = field_names(path)
    assert len(names) == len(set(names))
    keys = [label_key(n) for n in names]
    assert len(keys) == len(set(keys)), "two fields collide after header normalisation"


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_x_check_values(path):
    for field in load(path)["fields"]:
        if "x-check" in field:
            assert field["x-check"] in X_CHECKS, field["name"]


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_field_conventions(path):
    for field in load(path)["fields"]:
        check = field.get("x-check")
        cons = field.get("constraints", {})
        if check in {"lgcode", "id", "phone", "postal_code", "kana", "time"}:
            assert field["type"] == "string", field["name"]
        if check == "lgcode":
            assert cons["pattern"] == "^[0-9]{6}$"
        if check == "latitude":
            assert (field["type"], cons["minimum"], cons["maximum"]) == ("number", 20, 46)
        if check == "longitude":
            assert (field["type"], cons["minimum"], cons["maximum"]) == ("number", 122, 154)
        if check == "id":
            assert cons.get("unique") is True
        if check == "url":
            assert field.get("format") == "uri"
        if check == "date":
            assert field["type"] == "date"
        if check == "flag":
            assert cons["enum"] in (["有", "無"], ["1"])
            if cons["enum"] == ["1"]:
                assert not cons.get("required"), "1-or-blank flags cannot be required"
        # Python's \d also matches full-width digits; patterns must spell [0-9].
        assert "\\d" not in cons.get("pattern", ""), field["name"]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_names_unique_per_generation(generation):
    names = [load(p)["name"] for p in (TABLESCHEMA / generation).glob("*.json")]
    assert len(names) == len(set(names))


# -- samples ---------------------------------------------------------------

@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_sample_header_matches(path):
    sample = sample_for(path)
    assert sample.is_file(), f"missing sample {sample}"
    rows = read_rows(sample)
    assert rows[0] == field_names(path)
    assert 3 <= len(rows) - 1 <= 5


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_sample_validates(path):
    sample = sample_for(path)
    schema = frictionless.Schema.from_descriptor(load(path))
    resource = frictionless.Resource(
        path=sample.name, basepath=str(sample.parent), schema=schema, encoding="utf-8"
    )
    report = frictionless.validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_sample_lgcodes_have_check_digit(path):
    rows = read_rows(sample_for(path))
    header, body = rows[0], rows[1:]
    lg_columns = [f["name"] for f in load(path)["fields"] if f.get("x-check") == "lgcode"]
    for name in lg_columns:
        i = header.index(name)
        for row in body:
            if row[i]:
                assert lgcode_ok(row[i]), (name, row[i])


def test_sample_rejects_bad_values():
    """The schema is not vacuous: typical municipal mistakes fail."""
    path = schema_path("legacy", "aed")
    rows = read_rows(sample_for(path))
    header = rows[0]
    bad = list(rows[1])
    bad[header.index("都道府県コード又は市区町村コード")] = "33202"
    bad[header.index("開始時間")] = "9:00"
    bad[header.index("緯度")] = "133.771998"
    bad[header.index("小児対応設備の有無")] = "○"
    dup = list(rows[1])
    schema = frictionless.Schema.from_descriptor(load(path))
    resource = frictionless.Resource(data=[header, bad, dup], schema=schema)
    report = frictionless.validate(resource)
    errors = {(e[0], e[1]) for e in report.flatten(["fieldName", "type"])}
    assert ("都道府県コード又は市区町村コード", "constraint-error") in errors
    assert ("開始時間", "constraint-error") in errors
    assert ("緯度", "constraint-error") in errors
    assert ("小児対応設備の有無", "constraint-error") in errors
    assert ("NO", "unique-error") in errors


# -- aliases -----------------------------------------------------------------

def all_field_names() -> set[str]:
    return {n for p in SCHEMA_PATHS for n in field_names(p)}


def test_aliases_structure():
    names = all_field_names()
    assert set(ALIASES["normalization"]) == {"strip_bom", "unicode_form", "char_map",
                                             "remove_whitespace"}
    for variant, canonical in ALIASES["aliases"].items():
        assert canonical in names, canonical
        # A variant may be another dataset's own column (市区町村コード in 指定緊急避難場所一覧),
        # never a column of a schema that also has the canonical one: exact names match first.
        for p in SCHEMA_PATHS:
            assert not {variant, canonical} <= set(field_names(p)), (p.stem, variant)
    for group in ALIASES["equivalents"]:
        assert len(group) >= 2 and len(set(group)) == len(group)
        assert names & set(group), group
        for p in SCHEMA_PATHS:
            assert len(set(field_names(p)) & set(group)) <= 1, (p.stem, group)
    for rename in ALIASES["renamed_between_generations"]:
        assert rename["legacy"] in names and rename["standard"] in names, rename


@pytest.mark.parametrize(("header", "generation", "name", "expected"), [
    ("名称_英語", "standard", "evacuation_space", "名称_英字"),
    ("名称_英字", "legacy", "tourism", "名称_英語"),
    ("名称_英字", "standard", "public_toilet", "名称_英語"),
    ("所在地_連結標記", "standard", "fire_hydrant", "所在地_連結表記"),
    ("都道府県コ\u2015ド又は市区町村コ\u2015ド", "legacy", "preschool",
     "都道府県コード又は市区町村コード"),
    ("\ufeff全国地方公共団体コード", "standard", "fire_hydrant", "全国地方公共団体コード"),
    ("男性トイレ数(小便器)", "standard", "public_toilet", "男性トイレ数（小便器）"),
    ("建物名等（方書）", "standard", "public_toilet", "建物名等(方書)"),
    ("名称 _カナ", "legacy", "aed", "名称_カナ"),
    ("利用可能日時特記事項", "legacy", "public_toilet", "利用可能時間特記事項"),
    ("管理団体名", "legacy", "public_facility", "団体名"),
])
def test_alias_resolution(header, generation, name, expected):
    assert resolve(header, field_names(schema_path(generation, name))) == expected


# -- real corpus ---------------------------------------------------------------

# Real municipal files, byte for byte (tests/corpus/municipal/README.md).
CORPUS = Path(os.environ.get("REGIONALIOT_CORPUS", REPO / "tests" / "corpus" / "municipal"))
YAIZU = CORPUS / "yaizu-222127"


def corpus_header(filename: str) -> list[str]:
    path = YAIZU / filename
    assert path.is_file(), f"committed corpus file {path} is missing"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


@pytest.mark.parametrize(("filename", "generation", "name", "columns"), [
    ("222127_fire_hydrant.csv", "standard", "fire_hydrant", 16),
    ("222127_public_toilet.csv", "standard", "public_toilet", 39),
    ("222127_aed.csv", "legacy", "aed", 22),
    ("222127_evacuation_space.csv", "legacy", "evacuation_space", 26),
    ("222127_public_wireless_lan.csv", "legacy", "public_wireless_lan", 18),
])
def test_corpus_header_matches(filename, generation, name, columns):
    header = corpus_header(filename)
    assert len(header) == columns
    assert header == field_names(schema_path(generation, name))


def test_corpus_preschool_header_matches_after_normalisation():
    header = corpus_header("222127_preschool.csv")
    names = field_names(schema_path("legacy", "preschool"))
    assert header != names  # U+2015 in the first header cell
    assert [resolve(h, names) for h in header] == names


@pytest.mark.parametrize(("filename", "generation", "name"), [
    ("222127_fire_hydrant.csv", "standard", "fire_hydrant"),
    ("222127_public_toilet.csv", "standard", "public_toilet"),
    ("222127_aed.csv", "legacy", "aed"),
])
def test_corpus_file_validates(filename, generation, name):
    corpus_header(filename)  # fails when the committed corpus file is missing
    schema = frictionless.Schema.from_descriptor(load(schema_path(generation, name)))
    resource = frictionless.Resource(
        path=filename, basepath=str(YAIZU), schema=schema, encoding="utf-8"
    )
    report = frictionless.validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "cell"])[:10]


# -- properties ---------------------------------------------------------------

def _aed_field(name: str) -> frictionless.Field:
    return frictionless.Schema.from_descriptor(load(schema_path("legacy", "aed"))).get_field(name)


@settings(deadline=None)  # the first example imports Frictionless: seconds on a busy machine
@given(st.integers(0, 23), st.integers(0, 59))
def test_time_pattern_accepts_every_padded_time(hour, minute):
    value = f"{hour:02d}:{minute:02d}"
    for name in ("開始時間", "終了時間"):
        assert _aed_field(name).read_cell(value)[1] is None


@settings(deadline=None)  # the first example imports Frictionless: seconds on a busy machine
@given(st.text(alphabet="0123456789０１２３４５６７８９:：", min_size=4, max_size=5))
def test_time_pattern_rejects_full_width_and_unpadded(value):
    ok = re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value) is not None
    assert (_aed_field("開始時間").read_cell(value)[1] is None) == ok


@settings(deadline=None)  # the first example imports Frictionless: seconds on a busy machine
@given(st.integers(0, 99999))
def test_lgcode_pattern_accepts_codes_with_check_digit(n):
    five = f"{n:05d}"
    code = lgcode.with_check_digit(five)
    field = _aed_field("都道府県コード又は市区町村コード")
    assert field.read_cell(code)[1] is None
    assert field.read_cell(five)[1] is not None
