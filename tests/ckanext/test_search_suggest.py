"""Suggestions and 「もしかして」 (issue 14, item 4), against the real Solr core.

regionaliot_search_suggest: titles from Solr's suggester (words of titles, or their kana
reading, as typed so far) and the 17 categories; package_search: regionaliot_did_you_mean
when a query finds nothing and a title word reads like it.
"""
from __future__ import annotations

import pytest
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot import search

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

SUGGEST = "/api/3/action/regionaliot_search_suggest"
REBUILD = f"{search.rebuild_suggestions.__module__}.rebuild_suggestions"


@pytest.fixture(autouse=True)
def no_rebuild_queued(monkeypatch):
    # Earlier tests leave the "rebuild queued" mark (their queue was emptied, not the mark).
    connect_to_redis().delete(search.rebuild_mark())
    monkeypatch.setattr(search, "SETTLE_SECONDS", 0)


def rebuild_queued() -> list:
    return [job for job in jobs.get_queue().jobs if job.func_name == REBUILD]


def run_rebuild():
    """What the jobs worker does with the queued rebuild."""
    (job,) = rebuild_queued()
    jobs.get_queue().remove(job)
    job.func(*job.args)


@pytest.fixture
def catalogue():
    org = factories.Organization()
    titles = {
        "evacuation": "倉敷市 指定緊急避難場所一覧",
        "shelter": "指定避難所一覧",
        "nursery": "保育所一覧",
        "nursery_en": "Nursery schools",
        "library": "図書館の利用状況",
        "hazard": "洪水ハザードマップ",
    }
    datasets = {key: factories.Dataset(name=f"ds-{key.replace('_', '-')}", title=title,
                                       owner_org=org["id"])["name"]
                for key, title in titles.items()}
    datasets["org"] = org
    run_rebuild()
    return datasets


def suggest(app, **params):
    # Anonymous, as the search box of a visitor calls it.
    answer = app.get(SUGGEST, params=params)
    assert answer.status_code == 200, answer.body
    return answer.json["result"]


def titles(result):
    return {t["title"] for t in result["titles"]}


# --- as-you-type suggestions ------------------------------------------------------

def test_titles_are_suggested_for_the_start_of_a_word_in_japanese(app, catalogue):
    result = suggest(app, q="避難")
    assert titles(result) == {"倉敷市 指定緊急避難場所一覧", "指定避難所一覧"}
    assert {t["name"] for t in result["titles"]} == {catalogue["evacuation"], catalogue["shelter"]}
    assert titles(suggest(app, q="指定緊")) == {"倉敷市 指定緊急避難場所一覧"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ひな", {"倉敷市 指定緊急避難場所一覧", "指定避難所一覧"}),  # the start of ひなん
        ("ほいく", {"保育所一覧"}),
        ("くらしきし", {"倉敷市 指定緊急避難場所一覧"}),
        ("はざーど", {"洪水ハザードマップ"}),
        ("nurs", {"Nursery schools"}),
    ],
)
def test_titles_are_suggested_for_a_reading_typed_in_kana(app, catalogue, typed, expected):
    assert titles(suggest(app, q=typed)) == expected


def test_nothing_is_suggested_for_text_no_title_starts_a_word_with(app, catalogue):
    assert suggest(app, q="難場")["titles"] == []  # inside a word, not at its start
    assert suggest(app, q="ぴかちゅう") == {"titles": [], "categories": []}


def test_categories_are_suggested_with_their_japanese_label(app, catalogue):
    result = suggest(app, q="安全")
    assert result["categories"] == [{"name": "shiho-anzen-kankyo", "label": "司法・安全・環境"}]


def test_a_private_dataset_is_never_suggested(app, catalogue):
    factories.Dataset(title="指定避難所の備蓄品（非公開）", owner_org=catalogue["org"]["id"], private=True)
    run_rebuild()
    assert titles(suggest(app, q="避難")) == {"倉敷市 指定緊急避難場所一覧", "指定避難所一覧"}


def test_a_new_dataset_is_suggested_after_the_one_queued_rebuild(app, catalogue):
    org = catalogue["org"]["id"]
    factories.Dataset(title="避難行動要支援者支援制度", owner_org=org)
    factories.Dataset(title="避難訓練の記録", owner_org=org)
    assert len(rebuild_queued()) == 1  # one rebuild for both changes
    # Not on the commit itself: until the job runs, the suggester has the old titles.
    assert titles(suggest(app, q="避難")) == {"倉敷市 指定緊急避難場所一覧", "指定避難所一覧"}
    run_rebuild()
    assert titles(suggest(app, q="避難")) == {"倉敷市 指定緊急避難場所一覧", "指定避難所一覧",
                                               "避難行動要支援者支援制度", "避難訓練の記録"}


def test_limit_and_input_are_checked(app, catalogue):
    assert len(suggest(app, q="一覧", limit=1)["titles"]) == 1
    for params in ({}, {"q": "避難", "limit": 0}, {"q": "避難", "limit": 21}, {"q": "あ" * 101}):
        answer = app.get(SUGGEST, params=params)
        assert answer.status_code == 409, params
        assert answer.json["success"] is False


# --- 「もしかして」 --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("query", "did_you_mean"),
    [
        ("非難所", "避難所"),  # a wrong kanji conversion: the same reading
        ("保育書", "保育所"),
        ("ほいくしよ", "保育所"),  # a kana slip: Solr's spellchecker on the readings
        ("ハザードマッブ", "ハザードマップ"),
        ("倉敷 非難所", "倉敷 避難所"),  # the word that finds nothing is replaced
    ],
)
def test_a_query_that_finds_nothing_gets_a_did_you_mean(catalogue, query, did_you_mean):
    result = call_action("package_search", q=query)
    assert result["count"] == 0
    assert result["regionaliot_did_you_mean"] == did_you_mean
    assert call_action("package_search", q=did_you_mean)["count"] > 0


# Found; nothing reads alike; search syntax (a quoted phrase) is not rewritten; one letter.
@pytest.mark.parametrize("query", ["避難所", "量子計算機", '"非難所"', "ひ"])
def test_no_did_you_mean_when_something_is_found_or_nothing_reads_alike(catalogue, query):
    assert "regionaliot_did_you_mean" not in call_action("package_search", q=query)


def test_did_you_mean_only_offers_words_of_datasets_the_searcher_may_see():
    org = factories.Organization()
    factories.Dataset(title="鳥獣被害対策資料", owner_org=org["id"], private=True)
    # 対作 reads like 対策. Whoever sees the private dataset gets the hint ...
    seen = call_action("package_search", q="鳥獣被害対作", include_private=True)
    assert seen["regionaliot_did_you_mean"] == "鳥獣被害対策"
    # ... a visitor, who does not, gets no hint (its words are not leaked).
    anonymous = call_action("package_search", q="鳥獣被害対作",
                            context={"user": "", "ignore_auth": False})
    assert anonymous["count"] == 0
    assert "regionaliot_did_you_mean" not in anonymous
