"""Pure tests of the scheming validators, the schema YAML, the licence list, the seed
content and the ja catalogue. No database: run with ``-p no:ckan -p no:ckan_fixtures``."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
import yaml
from ckan.lib.navl.dictization_functions import missing
from ckanext.regionaliot.logic import validators as v

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas" / "ckan"
PLUGIN = REPO / "ckanext-regionaliot" / "ckanext" / "regionaliot"
SEED = PLUGIN / "seed"

# japan-open-data-standards.md §1.4, 14_オープンデータ一覧 分類.
STANDARD_BUNRUI = (
    "国土・気象 人口・世帯 労働・賃金 農林水産業 鉱工業 商業・サービス業 企業・家計・経済 "
    "住宅・土地・建設 エネルギー・水 運輸・観光 情報通信・科学技術 教育・文化・スポーツ・生活 "
    "行財政 司法・安全・環境 社会保障・衛生 国際 その他"
).split()
# §3: the ten members and their 6-digit codes.
MEMBERS = {"倉敷市": "332020", "笠岡市": "332054", "井原市": "332071", "総社市": "332089",
           "高梁市": "332097", "新見市": "332101", "浅口市": "332160", "早島町": "334235",
           "里庄町": "334456", "矢掛町": "334618"}


def presets():
    data = yaml.safe_load((SCHEMAS / "presets.yaml").read_text(encoding="utf-8"))
    return {p["preset_name"]: p["values"] for p in data["presets"]}


# --- 全国地方公共団体コード ------------------------------------------------------

@pytest.mark.parametrize("code", ["332020", "332071", "011002", "334618"])
def test_lg_code_accepts_valid_codes(code):
    assert v.regionaliot_lg_code(code, {}) == code


def test_lg_code_normalises_full_width_digits():
    assert v.regionaliot_lg_code("３３２０２０", {}) == "332020"


def test_lg_code_wrong_check_digit_names_the_expected_code():
    with pytest.raises(tk.Invalid) as e:
        v.regionaliot_lg_code("332021", {})
    assert "33202" in e.value.error and "332020" in e.value.error


def test_lg_code_five_digits_suggests_the_six_digit_code():
    with pytest.raises(tk.Invalid) as e:
        v.regionaliot_lg_code("33207", {})
    assert "332071" in e.value.error


@pytest.mark.parametrize("code", ["abcdef", "3320201", "3320", "33-202"])
def test_lg_code_rejects_malformed(code):
    with pytest.raises(tk.Invalid):
        v.regionaliot_lg_code(code, {})


@pytest.mark.parametrize("empty", ["", None, missing])
def test_lg_code_is_optional(empty):
    assert v.regionaliot_lg_code(empty, {}) == empty


def _run(validator, data, key):
    errors = {k: [] for k in data}
    errors.setdefault(key, [])
    validator(key, data, errors, {})
    return errors[key]


def test_lg_code_must_match_prefecture():
    assert _run(v.regionaliot_lg_code_prefecture,
                {("lg_code",): "332020", ("prefecture",): "33"}, ("lg_code",)) == []
    errs = _run(v.regionaliot_lg_code_prefecture,
                {("lg_code",): "332020", ("prefecture",): "34"}, ("lg_code",))
    assert errs and "34" in errs[0]


# --- katakana, licence, GeoJSON, temporal ------------------------------------

def test_katakana_widens_half_width_and_rejects_kanji():
    assert v.regionaliot_katakana("ｸﾗｼｷｼ", {}) == "クラシキシ"
    assert v.regionaliot_katakana("ハヤシマチョウ", {}) == "ハヤシマチョウ"
    with pytest.raises(tk.Invalid):
        v.regionaliot_katakana("倉敷市", {})


@pytest.fixture
def license_register(monkeypatch):
    from ckan.model.license import LicenseRegister

    register = LicenseRegister.__new__(LicenseRegister)
    register.load_licenses("file://" + str(SCHEMAS / "licenses.json"))
    monkeypatch.setattr(v, "_license_ids", lambda: list(register.keys()))
    return register


def test_licence_file_loads_in_ckan_with_the_required_licences(license_register):
    titles = {lic.id: lic.title for lic in license_register.values()}
    assert set(titles) == {"cc-by-4.0", "pdl-1.0", "cc0-1.0", "gsl-2.0", "cc-by-2.1-jp"}
    assert "PDL1.0" in titles["pdl-1.0"] and "第2.0版" in titles["gsl-2.0"]
    assert license_register["cc-by-4.0"].isopen()


def test_licence_validator(license_register):
    assert v.regionaliot_license_id("pdl-1.0", {}) == "pdl-1.0"
    with pytest.raises(tk.Invalid) as e:
        v.regionaliot_license_id("cc-by", {})  # CKAN's stock id is not in our list
    assert "cc-by-4.0" in e.value.error


BOX = {"type": "Polygon", "coordinates": [[[133.7, 34.5], [133.85, 34.5], [133.85, 34.65],
                                           [133.7, 34.65], [133.7, 34.5]]]}


def test_geojson_accepts_geometry_as_text_or_dict():
    assert json.loads(v.regionaliot_geojson(json.dumps(BOX), {})) == BOX
    assert json.loads(v.regionaliot_geojson(BOX, {})) == BOX
    point = {"type": "Point", "coordinates": [133.77, 34.58]}
    assert json.loads(v.regionaliot_geojson(point, {})) == point


@pytest.mark.parametrize("bad", [
    "{not json",
    json.dumps({"type": "Feature", "geometry": BOX, "properties": {}}),
    json.dumps({"type": "Polygon", "coordinates": [[[133.7, 34.5], [133.8, 34.5], [133.8, 34.6]]]}),
    json.dumps({"type": "Point", "coordinates": [200.0, 10.0]}),
    json.dumps([133.7, 34.5]),
])
def test_geojson_rejects(bad):
    with pytest.raises(tk.Invalid):
        v.regionaliot_geojson(bad, {})


def test_geojson_detects_swapped_axes():
    swapped = {"type": "Point", "coordinates": [34.58, 133.77]}
    with pytest.raises(tk.Invalid) as e:
        v.regionaliot_geojson(swapped, {})
    assert "swapped" in e.value.error


def test_temporal_end_not_before_start():
    ok = {("temporal_start",): "2025-04-01", ("temporal_end",): "2026-03-31"}
    assert _run(v.regionaliot_temporal_end, ok, ("temporal_end",)) == []
    bad = {("temporal_start",): "2025-04-01", ("temporal_end",): "2024-03-31"}
    assert _run(v.regionaliot_temporal_end, bad, ("temporal_end",))


# --- schema YAML --------------------------------------------------------------

def _validator_names(values: dict):
    for key in ("validators", "output_validators", "create_validators"):
        for token in values.get(key, "").split():
            yield token.split("(", 1)[0]


def test_every_validator_named_in_the_yaml_exists():
    from ckan.lib.navl import validators as navl
    from ckan.logic import converters
    from ckan.logic import validators as core
    from ckanext.scheming.validation import all_validators as scheming

    known = set(v.__all__) | set(scheming) | {
        n for mod in (navl, core, converters) for n in dir(mod) if not n.startswith("_")}
    fields = list(presets().values())
    for name in ("dataset.yaml", "organization.yaml", "group.yaml"):
        schema = yaml.safe_load((SCHEMAS / name).read_text(encoding="utf-8"))
        for group in ("fields", "dataset_fields", "resource_fields"):
            fields += schema.get(group, [])
    unknown = {n for f in fields for n in _validator_names(f)} - known
    assert not unknown


def test_presets_referenced_by_the_schemas_exist():
    scheming_presets = {p["preset_name"] for p in json.loads(
        (Path(tk.__file__).parents[2] / "ckanext" / "scheming" / "presets.json").read_text()
    )["presets"]}
    available = scheming_presets | set(presets())
    for name in ("dataset.yaml", "organization.yaml", "group.yaml"):
        schema = yaml.safe_load((SCHEMAS / name).read_text(encoding="utf-8"))
        for group in ("fields", "dataset_fields", "resource_fields"):
            for f in schema.get(group, []):
                assert f.get("preset", "select") in available, (name, f["field_name"])


def test_labels_are_japanese_and_english():
    for name in ("dataset.yaml", "organization.yaml", "group.yaml"):
        schema = yaml.safe_load((SCHEMAS / name).read_text(encoding="utf-8"))
        for group in ("fields", "dataset_fields", "resource_fields"):
            for f in schema.get(group, []):
                assert set(f["label"]) == {"ja", "en"}, (name, f["field_name"])
                if "help_text" in f:
                    assert set(f["help_text"]) == {"ja", "en"}, (name, f["field_name"])


def test_category_choices_are_the_17_standard_bunrui():
    choices = presets()["regionaliot_category"]["choices"]
    assert [c["label"]["ja"] for c in choices] == STANDARD_BUNRUI
    names = [c["value"] for c in choices]
    assert len(set(names)) == 17
    assert all(n.isascii() and n == n.lower() and " " not in n for n in names)


def test_standard_dataset_choices():
    values = {c["value"] for c in presets()["regionaliot_standard_dataset"]["choices"]}
    assert values == {
        "aed", "care_service", "hospital", "cultural_property", "tourism", "event",
        "public_wireless_lan", "public_toilet", "fire_hydrant", "evacuation_space",
        "population", "public_facility", "preschool", "opendata_list",
        "food_business_license", "waste_sorting", "none"}


def test_encoding_choices_are_python_codecs():
    import codecs

    for c in presets()["regionaliot_encoding"]["choices"]:
        codecs.lookup(c["value"])


# --- seed content ---------------------------------------------------------------

def test_seed_members_match_the_standard_codes():
    from ckanext.regionaliot import seed

    members = {o["title"]: o["lg_code"] for o in seed.organizations()
               if o["body_type"] == "municipality"}
    assert members == MEMBERS
    for o in seed.organizations():
        if o.get("lg_code"):
            assert v.regionaliot_lg_code(o["lg_code"], {}) == o["lg_code"]
            assert o["lg_code"][:2] == o["prefecture"]
        assert v.regionaliot_katakana(o["title_kana"], {}) == o["title_kana"]


def test_seed_demo_datasets_are_consistent_with_the_schema():
    from ckanext.regionaliot import seed

    datasets = seed.demo_datasets()
    titles = {d["title"] for d in datasets}
    assert {"指定緊急避難場所一覧", "公衆トイレ一覧", "地域・年齢別人口"} <= titles
    assert any(d["title"].isascii() for d in datasets)  # one English-titled dataset
    assert len({d["owner_org"] for d in datasets}) >= 5
    p = presets()
    choice = {k: {c["value"] for c in p[k]["choices"]}
              for k in ("regionaliot_category", "regionaliot_standard_dataset", "regionaliot_frequency")}
    for d in datasets:
        assert d["category"] in choice["regionaliot_category"]
        assert d["standard_dataset"] in choice["regionaliot_standard_dataset"]
        assert d["frequency"] in choice["regionaliot_frequency"]
        assert {"name": "demo"} in d["tags"] and d["is_demo"] is True
        assert v.regionaliot_geojson(d["spatial"], {})
        assert (SEED / "demo" / d["_resource"]["file"]).exists()


def _legacy_columns(kind):
    path = REPO / "schemas" / "tableschema" / "legacy" / f"{kind}.json"
    assert path.is_file(), f"no legacy Table Schema for the demo dataset kind {kind}"
    return json.loads(path.read_text(encoding="utf-8"))


def demo_generator():
    """deploy/dev/generate_demo_csv.py: a development tool, not in the installed package."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_demo_csv", REPO / "deploy" / "dev" / "generate_demo_csv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_csvs_have_the_standard_columns_and_valid_codes():
    from ckanext.regionaliot import seed
    COLUMNS = demo_generator().COLUMNS
    from regionaliot.validation import lgcode

    for d in seed.demo_datasets():
        kind = d["standard_dataset"]
        with open(SEED / "demo" / d["_resource"]["file"], encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows, d["name"]
        assert list(rows[0]) == COLUMNS[kind]
        schema = _legacy_columns(kind)
        assert list(rows[0]) == [fl["name"] for fl in schema["fields"]]
        code_col = "市区町村コード" if kind == "evacuation_space" else "都道府県コード又は市区町村コード"
        for row in rows:
            assert lgcode.is_valid(row[code_col])
            if "緯度" in row:
                assert 34.3 < float(row["緯度"]) < 35.4 and 133.2 < float(row["経度"]) < 134.1


def test_demo_csvs_are_regenerated_identically(tmp_path):
    for path in demo_generator().generate(tmp_path):
        assert path.read_bytes() == (SEED / "demo" / path.name).read_bytes(), path.name


# --- ja catalogue ------------------------------------------------------------------

def test_ja_catalogue_translates_every_msgid():
    from babel.messages.pofile import read_po

    with open(PLUGIN / "i18n" / "ckanext-regionaliot.pot", "rb") as f:
        pot = read_po(f)
    with open(PLUGIN / "i18n" / "ja" / "LC_MESSAGES" / "ckanext-regionaliot.po", "rb") as f:
        po = read_po(f, locale="ja")
    ids = {m.id for m in pot if m.id}
    assert ids
    untranslated = {i for i in ids if not (po.get(i) and po.get(i).string)}
    assert not untranslated
    import re

    for m in po:
        if not m.id:
            continue
        # placeholders must survive translation, or .format() raises at runtime; a plural
        # entry (msgid, msgid_plural) keeps those of its forms in each translated form
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set().union(*(re.findall(r"{\w+}", i) for i in ids))
        for string in strings:
            assert set(re.findall(r"{\w+}", string)) <= wanted, m.id
        assert set(re.findall(r"{\w+}", ids[0])) <= set(re.findall(r"{\w+}", strings[0])), m.id


def test_ja_check_digit_message():
    from babel.messages.pofile import read_po

    with open(PLUGIN / "i18n" / "ja" / "LC_MESSAGES" / "ckanext-regionaliot.po", "rb") as f:
        po = read_po(f, locale="ja")
    msgid = ("The check digit of the local government code is wrong: "
             "for {five} the code is {expected}.")
    assert po.get(msgid).string.format(five="33202", expected="332020") == (
        "全国地方公共団体コードのチェックディジットが正しくありません。33202 の場合は 332020 です")
