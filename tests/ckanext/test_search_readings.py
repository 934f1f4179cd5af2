"""Kana readings (issue 14, item 2), against the real Solr core: a query typed in hiragana
or katakana finds the kanji words it reads as (the ``reading`` field: Kuromoji's reading
form of titles and tags), without bringing in every homophone.
"""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

DATASETS = {
    "evacuation": ("倉敷市 指定緊急避難場所一覧", ""),
    "shelter": ("総社市 指定避難所一覧", ""),
    "nursery": ("保育所一覧", ""),
    "library": ("図書館の利用状況", ""),
    "akiya": ("空き家バンク物件一覧", ""),
    "park": ("倉敷市 都市公園一覧", "面積と遊具の一覧です。"),
    "park_soja": ("総社市 都市公園一覧", ""),
    # 後援 and 講演 read こうえん, like 公園: in notes only, or in a title.
    "event": ("イベント一覧", "市が主催または後援するイベントです。"),
    "lecture": ("講演会の記録", ""),
    # 避難 only in its notes: found through the title word ひなん reads as (避難).
    "facilities": ("公共施設一覧", "指定避難所を兼ねる施設を含みます。"),
}


@pytest.fixture
def catalogue():
    org = factories.Organization()
    return {
        key: factories.Dataset(name=f"ds-{key.replace('_', '-')}", title=title, notes=notes,
                               owner_org=org["id"])["name"]
        for key, (title, notes) in DATASETS.items()
    }


def found(q):
    return {d["name"] for d in call_action("package_search", q=q, rows=50)["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ひなん", ("evacuation", "shelter", "facilities")),
        # Kuromoji reads the suffix 所 as しょ; 避難所 in notes is found through the title word
        ("ひなんじょ", ("shelter", "facilities")),
        ("ほいくしょ", ("nursery",)),
        ("としょかん", ("library",)),
        ("トショカン", ("library",)),  # katakana as well
        ("あきや", ("akiya",)),
        ("くらしき こうえん", ("park",)),  # two kana words: both must match
        ("倉敷 こうえん", ("park",)),  # a kanji word and a kana word
    ],
)
def test_a_kana_query_finds_the_kanji_it_reads_as(catalogue, query, expected):
    assert found(query) == {catalogue[k] for k in expected}


def test_a_reading_query_does_not_return_every_homophone(catalogue):
    # こうえん reads 公園, 講演 and 後援: titles are read, notes are not, so イベント一覧
    # (後援 in its notes) is not found. 講演会 in a title cannot be told from 公園 by sound.
    result = found("こうえん")
    assert catalogue["event"] not in result
    assert result == {catalogue[k] for k in ("park", "park_soja", "lecture")}


@pytest.mark.parametrize(
    ("query", "not_expected"),
    [
        ("公園", "lecture"),  # a kanji query is not widened to what it reads as
        ("こう", "park"),  # part of a reading is not a reading
        ("し", "park"),  # a single kana (市 reads し) matches nothing
    ],
)
def test_readings_are_whole_words_of_kana_queries_only(catalogue, query, not_expected):
    assert catalogue[not_expected] not in found(query)


def test_a_title_match_ranks_above_a_reading_match():
    org = factories.Organization()
    literal = factories.Dataset(title="こうえんマップ", owner_org=org["id"])["name"]
    reading = factories.Dataset(title="都市公園一覧", owner_org=org["id"])["name"]
    results = [d["name"] for d in call_action("package_search", q="こうえん", rows=10)["results"]]
    assert results == [literal, reading]


def test_a_kana_query_finds_the_title_word_it_reads_as_in_notes(catalogue):
    # 避難 is in no title or tag of 公共施設一覧, only in its notes; ひなん reads as the
    # title word 避難 of other datasets, which is then searched everywhere.
    assert catalogue["facilities"] in found("ひなん")
    assert catalogue["facilities"] in found("ひなん しせつ")


def test_a_rare_homophone_in_titles_is_not_searched_everywhere():
    # こうえん: 公園 in five titles, 講演 in one. 講演 is too rare among the titles that
    # read こうえん to stand for it, so a dataset with 講演 only in its notes is not found;
    # the one titled 講演会 still is (by its title's reading).
    org = factories.Organization()
    parks = {factories.Dataset(title=f"{city} 都市公園一覧", owner_org=org["id"])["name"]
             for city in ("倉敷市", "総社市", "井原市", "高梁市", "新見市")}
    lecture = factories.Dataset(title="講演会の記録", owner_org=org["id"])["name"]
    seminar = factories.Dataset(title="研修資料", notes="市民講演の資料です。",
                                owner_org=org["id"])["name"]
    assert found("こうえん") == parks | {lecture}
    assert seminar in found("講演")
