"""Unit tests per check: check digit, 和暦, header normalisation, single-value checks."""
from __future__ import annotations

import pytest
from regionaliot.validation import checks, lgcode, wareki
from regionaliot.validation.headers import AliasTable, label_key, match_header, normalize_label


@pytest.mark.parametrize("code", ["332020", "331007", "332071", "011002", "330001", "010006", "222127"])
def test_real_codes_have_a_valid_check_digit(code):
    assert lgcode.is_valid(code)
    assert checks.check_lgcode(code) == []


@pytest.mark.parametrize("five, digit", [("33202", 0), ("33100", 7), ("33207", 1), ("01100", 2)])
def test_check_digit_worked_examples(five, digit):
    assert lgcode.check_digit(five) == digit


def test_wrong_check_digit_is_an_error_without_a_fix():
    (code, severity, params), = checks.check_lgcode("332021")
    assert (code, severity) == ("lgcode-check-digit", "error")
    assert params["expected"] == "332020" and "fix" not in params


def test_five_digit_code_gets_its_check_digit():
    (code, _, params), = checks.check_lgcode("33202")
    assert code == "lgcode-no-check-digit" and params["fix"] == "332020"


def test_code_that_lost_its_leading_zero():
    # 92011 cannot be a 5-digit code (no prefecture 92) but 092011 is valid.
    (code, _, params), = checks.check_lgcode("92011")
    assert code == "lgcode-leading-zero" and params["fix"] == "092011"


def test_full_width_code_is_fixed_to_half_width():
    found = checks.check_lgcode("３３２０２０")
    assert [f[0] for f in found] == ["fullwidth-chars"] and found[0][2]["fix"] == "332020"


@pytest.mark.parametrize("text, iso", [
    ("令和元年5月1日", "2019-05-01"),
    ("令和1年5月1日", "2019-05-01"),
    ("令和２年１月１０日", "2020-01-10"),
    ("平成31年4月30日", "2019-04-30"),
    ("昭和64年1月7日", "1989-01-07"),
    ("平成元年1月8日", "1989-01-08"),
    ("大正15年12月24日", "1926-12-24"),
    ("明治45年7月29日", "1912-07-29"),
    ("H30.4.1", "2018-04-01"),
    ("R1/5/7", "2019-05-07"),
    ("㍻2年3月4日", "1990-03-04"),
])
def test_wareki_to_iso(text, iso):
    assert wareki.parse_wareki(text) == iso


@pytest.mark.parametrize("text", ["平成31年5月1日", "昭和64年1月8日", "令和元年4月30日", "令和0年1月1日",
                                  "平成2年2月30日", "令和", "2019-05-01"])
def test_wareki_refuses_what_is_not_certain(text):
    assert wareki.parse_wareki(text) is None


@pytest.mark.parametrize("text, iso", [("1947/4/1", "1947-04-01"), ("2020年1月2日", "2020-01-02"),
                                       ("２０２０／１／２", "2020-01-02"), ("20200102", "2020-01-02")])
def test_gregorian_variants(text, iso):
    assert wareki.parse_gregorian(text) == iso


def test_date_check_suggests_iso():
    assert checks.check_date("令和元年5月1日")[0][2]["fix"] == "2019-05-01"
    assert checks.check_date("1947/4/1")[0][:2] == ("date-not-iso", "error")
    assert checks.check_date("2020-02-30")[0][0] == "date-invalid"
    assert checks.check_date("2020-02-29") == []


@pytest.mark.parametrize("value, code, fix", [
    ("9:00", "time-not-padded", "09:00"),
    ("９：００", "fullwidth-chars", "09:00"),
    ("24:00", "time-24", None),
    ("日没", "time-format", None),
])
def test_time(value, code, fix):
    (found, _, params), = checks.check_time(value)
    assert found == code and params.get("fix") == fix


def test_time_accepts_hh_mm():
    assert checks.check_time("09:00") == [] and checks.check_time("23:59") == []


def test_flags():
    to_one = checks.make_check_flag(frozenset({"1"}))
    to_yes = checks.make_check_flag(frozenset({"有", "無"}))
    assert to_one("○")[0][0] == "flag-symbol" and to_one("○")[0][2]["fix"] == "1"
    assert to_one("✓")[0][2]["fix"] == "1"
    assert to_one("1.0")[0][2]["fix"] == "1"
    assert to_yes("○")[0][2]["fix"] == "有"
    assert to_yes("なし")[0][2]["fix"] == "無"
    assert to_one("△")[0][0] == "flag-value"  # partial availability: no sure fix
    assert to_one("1") == [] and to_yes("無") == []


def test_phone():
    assert checks.check_phone("(054)626-1139") == []
    assert checks.check_phone("086-426-3030") == []
    assert checks.check_phone("０８６－４２６－３０３０")[0][2]["fix"] == "086-426-3030"
    assert checks.check_phone("内線なし")[0][0] == "phone-format"


def test_kana():
    assert checks.check_kana("クラシキシ") == []
    assert checks.check_kana("ｸﾗｼｷｼ")[0][:1] == ("kana-halfwidth",)
    assert checks.check_kana("くらしきし")[0][2]["fix"] == "クラシキシ"
    assert checks.check_kana("ハ―トリンク")[0][2]["fix"] == "ハートリンク"


def test_id_scientific_notation_from_spreadsheets():
    assert checks.check_id("1.23E+11")[0][0] == "id-scientific-notation"
    assert checks.check_id("FF0100022200") == []


def test_header_normalisation():
    assert normalize_label("都道府県コ―ド又は市区町村コ―ド") == "都道府県コード又は市区町村コード"
    assert normalize_label("telephone\u3000number") == "telephone number"
    assert label_key("男性トイレ数（小便器）") == label_key("男性トイレ数(小便器)")


def test_aliases_one_way_and_equivalents():
    aliases = AliasTable.from_json({"aliases": {"所在地_連結標記": "所在地_連結表記"},
                                    "equivalents": [["名称_英字", "名称_英語"]]})
    match = match_header(["所在地_連結標記", "名称_英語"], ["所在地_連結表記", "名称_英字"], aliases)
    assert match.column_of == [0, 1]
    assert [f[2] for f in match.findings] == ["header-alias", "header-alias"]
    # One-way: a file using the standard spelling never matches an alias-only field.
    assert match_header(["所在地_連結表記"], ["所在地_連結標記"], aliases).column_of == [None]


@pytest.mark.parametrize("value", ["12:00:61", "9:00:99", "9時00分:75"])
def test_time_with_impossible_seconds_gets_no_fix(value):
    # A "fix" that is itself not a time would be written by normalize.
    (found, _, params), = checks.check_time(value)
    assert found == "time-format" and "fix" not in params


def test_time_in_kanji_is_not_called_full_width():
    # 9時00分 has no full-width character; the message must not say it has.
    (found, _, params), = checks.check_time("9時00分")
    assert found == "time-not-padded" and params["fix"] == "09:00"
    (found, _, _), = checks.check_time("９時００分")
    assert found == "fullwidth-chars"


def test_24_00_is_fine_where_the_schema_allows_it():
    allowing = checks.FieldCheck({"name": "終了時間", "type": "string", "x-check": "time",
                                  "constraints": {"pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}},
                                 0, [""])
    assert allowing.classify("24:00") == ()
    strict = checks.FieldCheck({"name": "開始時間", "type": "string", "x-check": "time",
                                "constraints": {"pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}}, 0, [""])
    assert "time-24" in [code for code, _, _ in strict.classify("24:00")]


@pytest.mark.parametrize("text", ["明治元年1月1日", "明治5年12月2日", "M5.6.1"])
def test_lunisolar_meiji_dates_are_not_converted(text):
    # 明治5年12月2日 was 1872-12-31: before 明治6年 month and day are not Gregorian.
    assert wareki.parse_wareki(text) is None


def test_first_gregorian_meiji_date():
    assert wareki.parse_wareki("明治6年1月1日") == "1873-01-01"


@pytest.mark.parametrize("value", ["34,866", "１３３，７７２", "133,772"])
def test_a_comma_in_a_coordinate_is_not_read_as_digit_grouping(value):
    # 34866 is no latitude: there is no sure fix to offer (or for normalize to write).
    assert all("fix" not in params for _, _, params in checks.check_coordinate(value))


def test_full_width_coordinate_still_fixed():
    assert checks.check_coordinate("３４．８６６")[0][2]["fix"] == "34.866"
