"""Japanese search against the real Solr core (schema derived by deploy/solr/make_configset.py).

CKAN's stock schema tokenises on whitespace, so 避難 would not find 指定緊急避難場所一覧;
ours analyses Japanese with Kuromoji plus CJK bigrams.
"""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

TITLES = {
    "evacuation": "指定緊急避難場所一覧",
    "toilet": "公衆トイレ一覧",
    "population": "地域・年齢別人口",
    "wifi": "Public Wi-Fi access points",
    "aed": "AED設置箇所一覧",
}


@pytest.fixture
def catalogue():
    org = factories.Organization()
    return {
        key: factories.Dataset(name=f"ds-{key}", title=title, owner_org=org["id"])["name"]
        for key, title in TITLES.items()
    }


def found(q, **params):
    result = call_action("package_search", q=q, rows=50, **params)
    return {d["name"] for d in result["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("避難", "evacuation"),
        ("避難場所", "evacuation"),
        ("緊急", "evacuation"),
        ("トイレ", "toilet"),
        ("人口", "population"),
        ("年齢", "population"),
        ("access point", "wifi"),  # English still stems: points → point
        ("wi-fi", "wifi"),
        ("AED", "aed"),  # protected from the stemmer, which would make it "a"
        ("ＡＥＤ", "aed"),  # full-width letters fold to ASCII
    ],
)
def test_query_finds_the_dataset(catalogue, query, expected):
    assert found(query) == {catalogue[expected]}


def test_words_must_be_adjacent_in_bigram_field(catalogue):
    # 避 and 難 both occur in 指定緊急避難場所一覧, but 難避 is not a word there.
    assert found("難避") == set()


def test_unrelated_japanese_query_finds_nothing(catalogue):
    assert found("図書館") == set()


def test_facets_and_sorting_still_work(catalogue):
    result = call_action(
        "package_search",
        q="一覧",
        sort="title_string asc",
        rows=50,
        **{"facet.field": '["organization"]'},
    )
    titles = [d["title"] for d in result["results"]]
    assert set(titles) == {TITLES[k] for k in ("evacuation", "toilet", "aed")}
    assert titles == sorted(titles)
    org_facet = result["search_facets"]["organization"]["items"]
    assert [item["count"] for item in org_facet] == [3]


def test_split_query_word_matches_as_phrase():
    org = factories.Organization()
    shelter = factories.Dataset(title="指定避難所一覧", owner_org=org["id"])
    factories.Dataset(title="介護サービス事業所一覧", owner_org=org["id"])
    # Kuromoji splits 避難所 into 避難 + 所; OR-ing them would also find 事業所.
    assert found("避難所") == {shelter["name"]}


def test_word_inside_running_text_is_found_through_bigrams():
    org = factories.Organization()
    nursery = factories.Dataset(
        title="子育て施設一覧", notes="市内の認可保育園の所在地", owner_org=org["id"]
    )
    # In running text Kuromoji yields 認可/保育/園, while the query 保育園 is one token;
    # the text_cjk bigram field still matches.
    assert found("保育園") == {nursery["name"]}


# --- words apart (issue 14, item 3) -------------------------------------------------

def _ranked(q):
    return [d["name"] for d in call_action("package_search", q=q, rows=50)["results"]]


def test_split_query_word_matches_its_parts_a_word_apart_exact_phrase_first():
    org = factories.Organization()
    exact = factories.Dataset(title="河川水位観測データ", owner_org=org["id"])["name"]
    apart = factories.Dataset(title="雨量と河川の水位", owner_org=org["id"])["name"]
    factories.Dataset(title="河川一覧", notes="水位計の設置場所は別のデータです。", owner_org=org["id"])
    # 河川水位 → 河川 水位: the parts must stand in order, at most one word apart.
    assert _ranked("河川水位") == [exact, apart]


def test_two_words_match_anywhere_and_rank_by_how_close_they_stand():
    org = factories.Organization()
    far = factories.Dataset(title="河川一覧", notes="水位計の設置場所は別のデータです。",
                            owner_org=org["id"])["name"]
    near = factories.Dataset(title="雨量と河川の水位", owner_org=org["id"])["name"]
    exact = factories.Dataset(title="河川水位観測データ", owner_org=org["id"])["name"]
    factories.Dataset(title="水位計一覧", owner_org=org["id"])
    assert _ranked("河川 水位") == [exact, near, far]


def test_split_word_does_not_match_its_parts_in_different_places():
    org = factories.Organization()
    shelter = factories.Dataset(title="指定避難所一覧", owner_org=org["id"])["name"]
    factories.Dataset(title="介護サービス事業所一覧", notes="災害時の避難訓練の記録を含みます。",
                      owner_org=org["id"])
    # 避難 and 所 both occur in the care providers' dataset, but not as 避難所.
    assert found("避難所") == {shelter}


def test_the_exact_phrase_ranks_above_the_same_words_apart():
    org = factories.Organization()
    apart = factories.Dataset(title="河川と水位", owner_org=org["id"])["name"]
    phrase = factories.Dataset(title="河川水位観測所の一覧表", owner_org=org["id"])["name"]
    # Without the phrase boost (pf), the shorter title would come first.
    assert _ranked("河川 水位") == [phrase, apart]
