"""Synonyms and variant spellings (issue 14, item 1), against the real Solr core.

deploy/solr/synonyms_ja.txt is applied at query time by Solr's SynonymGraphFilter on the
``text`` field type, so editing it needs a core reload, not a re-index.
"""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

TITLES = {
    "kodomo_shokudo": "子ども食堂一覧",
    "playground": "子供の遊び場マップ",
    "kodomo110": "こども110番の家一覧",
    "kosodate": "子育て施設一覧",
    "garbage": "ごみ収集日程",
    "wheelchair": "車椅子貸出施設一覧",
    "nursery": "保育所一覧",
    "wifi": "公衆無線LANアクセスポイント一覧",
    "dayservice": "通所介護事業所一覧",
    "serviced_housing": "サービス付き高齢者向け住宅一覧",
    "toilet": "公衆トイレ一覧",
    "evacuation": "指定緊急避難場所一覧",
    "shelter": "指定避難所一覧",
    "aed": "AED設置箇所一覧",
    "bicycle": "駐輪場一覧",
}
NOTES = {
    "toilet": "多目的トイレとおむつ交換台の有無を含みます。",
    "wheelchair": "バリアフリーのため、公共施設で車椅子を貸し出しています。",
    # Both words of 避難所, far apart: a search for 避難所 must not find it.
    "dayservice": "災害時の避難訓練の実施状況を含みます。",
}


@pytest.fixture
def catalogue():
    org = factories.Organization()
    return {
        key: factories.Dataset(name=f"ds-{key.replace('_', '-')}", title=title,
                               notes=NOTES.get(key, ""), owner_org=org["id"])["name"]
        for key, title in TITLES.items()
    }


def found(q):
    return {d["name"] for d in call_action("package_search", q=q, rows=50)["results"]}


def names(catalogue, *keys):
    return {catalogue[k] for k in keys}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # variant spellings: kanji, kana and mixed
        ("子ども", ("kodomo_shokudo", "playground", "kodomo110")),
        ("子供", ("kodomo_shokudo", "playground", "kodomo110")),
        ("こども", ("kodomo_shokudo", "playground", "kodomo110")),
        ("ゴミ", ("garbage",)),
        ("車いす", ("wheelchair",)),
        # the half-width form of a variant
        ("ｺﾞﾐ", ("garbage",)),
        # synonyms
        ("保育園", ("nursery",)),
        ("Wi-Fi", ("wifi",)),
        ("デイサービス", ("dayservice",)),
        ("バリアフリートイレ", ("toilet",)),
        ("避難所", ("evacuation", "shelter")),
        ("自転車置き場", ("bicycle",)),
        # a category name finds its standard datasets
        ("社会保障・衛生", ("kosodate", "nursery", "dayservice", "aed")),
    ],
)
def test_a_synonym_or_variant_finds_the_dataset(catalogue, query, expected):
    assert found(query) == names(catalogue, *expected)


@pytest.mark.parametrize(
    ("query", "not_expected"),
    [
        ("子ども", "kosodate"),  # 子育て is not a spelling of 子ども
        ("デイサービス", "serviced_housing"),  # サービス alone is not デイサービス
        ("避難所", "dayservice"),  # 避難 and 所 in different words of its notes
        ("保育所", "dayservice"),  # 所 of 事業所 is not 保育所
        ("バリアフリートイレ", "wheelchair"),  # バリアフリー alone is not the toilet
    ],
)
def test_a_synonym_does_not_bring_in_an_unrelated_dataset(catalogue, query, not_expected):
    assert catalogue[not_expected] not in found(query)


# --- the synonym file is read when the core reloads --------------------------------

def _core_admin(action: str, core: str) -> dict:
    base = tk.config["solr_url"].rstrip("/").rsplit("/", 1)[0]
    query = urllib.parse.urlencode({"action": action, "core": core, "wt": "json"})
    with urllib.request.urlopen(f"{base}/admin/cores?{query}", timeout=60) as answer:
        return json.load(answer)


def _solr_doc(core_url: str, name: str) -> dict:
    query = urllib.parse.urlencode({"q": f'name:"{name}"', "fl": "name,_version_,indexed_ts",
                                    "wt": "json"})
    with urllib.request.urlopen(f"{core_url}/select?{query}", timeout=30) as answer:
        return json.load(answer)["response"]["docs"][0]


@pytest.fixture
def test_core_synonyms():
    """The synonyms_ja.txt of the test core's conf/, restored (and reloaded) afterwards."""
    core_url = tk.config["solr_url"].rstrip("/")
    core = core_url.rsplit("/", 1)[1]
    status = _core_admin("STATUS", core)["status"][core]
    path = Path(status["instanceDir"]) / "conf" / "synonyms_ja.txt"
    original = path.read_bytes()
    try:
        yield path, core, core_url
    finally:
        path.write_bytes(original)
        _core_admin("RELOAD", core)


def test_an_edited_synonym_file_applies_after_a_core_reload_without_reindexing(test_core_synonyms):
    path, core, core_url = test_core_synonyms
    org = factories.Organization()
    venison = factories.Dataset(title="鹿肉処理施設一覧", owner_org=org["id"])["name"]
    before = _solr_doc(core_url, venison)
    assert found("ジビエ") == set()

    path.write_text(path.read_text(encoding="utf-8") + "\nジビエ,鹿肉\n", encoding="utf-8")
    assert found("ジビエ") == set()  # read only when the core (re)loads
    _core_admin("RELOAD", core)

    assert found("ジビエ") == {venison}
    # The same indexed document: nothing was re-indexed.
    assert _solr_doc(core_url, venison) == before
