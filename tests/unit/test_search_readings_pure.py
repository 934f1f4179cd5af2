"""Pure tests of the kana query expansion (issue 14): the reading term looked up, which
title words stand for a reading, and the edismax query built from them."""
from __future__ import annotations

from collections import Counter

import pytest
from ckanext.regionaliot import search


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        ("ひなん", "ヒナン"),
        ("トショカン", "トショカン"),
        ("ひなんじょ", "ヒナンショ"),  # folded like the index: Kuromoji reads 所 as ショ
        ("はざーどまっぷ", "ハザードマップ"),
        ("ﾄｲﾚ", "トイレ"),  # half width folded first
        ("し", None),  # one letter: every 市 reads し
        ("避難", None),
        ("倉敷こうえん", None),
        ("wifi", None),
    ],
)
def test_kana_reading(word, reading):
    assert search.kana_reading(word) == reading


def test_rare_homophones_and_unsafe_words_are_left_out():
    counts = Counter({"公園": 8, "講演": 1, "公演": 2, "AND": 8, "a:b": 8})
    assert search.pick_reading_words(counts) == ["公園", "公演"]
    assert search.pick_reading_words(Counter()) == []
    many = Counter({f"語{i}": 5 for i in range(6)})
    assert len(search.pick_reading_words(many)) == search.MAX_READING_WORDS


def test_expanded_query_keeps_every_word_required():
    q = search.expanded_query(["倉敷", "こうえん"], {"こうえん": ["公園", "公演"]})
    assert q == "倉敷 AND (こうえん OR 公園 OR 公演)"
    assert search.expanded_query(["ひなん"], {"ひなん": []}) == "ひなん"
