"""The national list parser's messages (regionaliot.harvesters.kpi) are shown Japanese first
with English, as the harvest parsers' are: each msgid has a Japanese translation with the
same fields in the KPI plugin's catalogue, and ``common.bilingual`` renders a row problem,
a refused list and a refusal that names its source (a message inside a message) in both
languages. No CKAN."""
from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from regionaliot.harvesters import common, kpi

PLUGIN = Path(__file__).parents[2] / "ckanext-regionaliot" / "ckanext" / "regionaliot"
PO = PLUGIN / "kpi" / "i18n" / "ja" / "LC_MESSAGES" / "ckanext-regionaliot_kpi.po"


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.fixture(scope="module")
def japanese():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    table = {m.id: m.string for m in catalog if m.id and m.string}
    return lambda msgid: table.get(msgid, msgid)


def parser_msgids() -> list[str]:
    return [v for k, v in vars(kpi).items() if k.startswith("MSG_") and isinstance(v, str)]


def test_every_list_message_has_a_japanese_translation_with_the_same_fields(japanese):
    msgids = parser_msgids()
    assert len(msgids) == 7
    assert [m for m in msgids if japanese(m) == m] == []
    assert [m for m in msgids if fields(japanese(m)) != fields(m)] == []


def test_a_row_left_out_reads_japanese_first_then_english(japanese):
    text = "団体コード,団体名\n332020,倉敷市\n99999,誤り\n".encode()
    problem = kpi.parse_national_list(text).problems[0]
    assert problem.text() == ("Line 3: '99999' is not a local government code (6 digits with a "
                              "correct check digit).")
    assert common.bilingual(problem.msgid, problem.params, japanese) == (
        "3 行目：'99999' は地方公共団体コード（検査数字が正しい6桁）ではありません。 / "
        + problem.text())


def test_a_refused_list_inside_the_source_message_is_translated_whole(japanese):
    with pytest.raises(kpi.KPIError) as refused:
        kpi.parse_national_list(b"name,url\nfoo,bar\n")
    error = refused.value
    assert str(error).startswith("No header row with a 団体コード column")
    outer = "{source}: {message}"  # kpi/national.py MSG_IN_SOURCE
    shown = common.bilingual(outer, {"source": "a.csv",
                                     "message": common.Message(error.msgid, error.params)},
                             japanese)
    ja, en = shown.split(" / ", 1)
    assert ja.startswith("a.csv：") and "団体コード" in ja and "No header" not in ja
    assert en == "a.csv: " + str(error)
