"""The pure parsers' messages (regionaliot.harvesters: ichiran, dcat_map, ckan_api) are
stored Japanese first with English, as the importer's are: each msgid has a Japanese
translation with the same fields in the harvest catalogue, and a message whose field is
itself a message (a parser's error inside a harvester's message) is translated whole.
No CKAN."""
from __future__ import annotations

import gettext
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from regionaliot.harvesters import ckan_api, common, dcat_map, ichiran

PO = (Path(__file__).parents[2] / "ckanext-regionaliot" / "ckanext" / "regionaliot" / "harvest"
      / "i18n" / "ja" / "LC_MESSAGES" / "ckanext-regionaliot_harvest.po")


def parser_msgids() -> list[str]:
    found = []
    for module in (ichiran, dcat_map, ckan_api):
        for name, value in vars(module).items():
            if name.startswith("MSG_") and isinstance(value, str):
                found.append(value)
            elif isinstance(value, common.Message):
                found.append(value.msgid)
    return found


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.fixture(scope="module")
def japanese():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    table = {m.id: m.string for m in catalog if m.id and m.string}
    return lambda msgid: table.get(msgid, msgid)


def test_every_parser_message_has_a_japanese_translation_with_the_same_fields(japanese):
    msgids = parser_msgids()
    assert len(msgids) >= 30
    missing = [m for m in msgids if japanese(m) == m]
    assert missing == []
    assert [m for m in msgids if fields(japanese(m)) != fields(m)] == []


def test_a_row_problem_is_stored_japanese_first(japanese):
    problem = ichiran.Problem(7, ichiran.MSG_BAD_URL, {"value": "ftp://x"})
    stored = common.bilingual(problem.msgid, problem.fields, japanese)
    assert stored == ("7 行目: URL「ftp://x」は http(s) のアドレスではないため、この行は取り込んでいません。"
                      " / Row 7: the URL \"ftp://x\" is not an http(s) address; the row was skipped.")


def test_nested_messages_and_two_language_fields_render_in_each_language(japanese):
    error = ckan_api.SourceError(ckan_api.MSG_NOT_API, action="package_list",
                                 problem=ckan_api.NOT_A_LIST)
    assert str(error) == "The source did not answer package_list like a CKAN API (not a list)."
    outer = "The harvest source's configuration is not valid: {error}"
    assert common.bilingual(outer, {"error": error}, japanese) == (
        "収集元の設定が正しくありません: 収集元の package_list の応答が CKAN API の形ではありません"
        "（リストではありません）。 / The harvest source's configuration is not valid: The source "
        "did not answer package_list like a CKAN API (not a list).")
    unreadable = ichiran.ListError(ichiran.MSG_UNREADABLE, reason={"ja": "空です", "en": "empty"})
    assert str(unreadable) == "The open data list could not be read: empty"
    assert common.bilingual(unreadable.msgid, unreadable.params, japanese) == (
        "オープンデータ一覧を読み込めませんでした: 空です / The open data list could not be read: empty")


def test_config_errors_are_msgids(japanese):
    with pytest.raises(ckan_api.ConfigError) as raised:
        ckan_api.Config.parse('{"page_size": 0}')
    assert str(raised.value) == "page_size must be a whole number from 1 to 1000."
    assert common.bilingual(raised.value.msgid, raised.value.params, japanese).startswith(
        "page_size は 1 から 1000 までの整数にしてください。 / page_size must")


def test_english_only_without_a_translation_or_when_its_fields_do_not_fit():
    broken = gettext.NullTranslations()
    assert common.bilingual("Row {line}: odd", {"line": 2}, broken.gettext) == "Row 2: odd"
    assert common.bilingual("Row {line}: odd", {"line": 2},
                            {"Row {line}: odd": "{row} 行目"}.get) == "Row 2: odd"
