"""KPI arithmetic and the national list (regionaliot.harvesters.kpi), with hand-checked
figures. No CKAN."""
from __future__ import annotations

import datetime

import pytest
from regionaliot.harvesters import kpi

HEADER_2026 = ("団体コード,団体名,自治体サイトのオープンデータページURL,"
               "オープンデータ掲載サイトのURL1,オープンデータ掲載サイトのURL2,"
               "オープンデータ掲載サイトのURL3")
ROWS_2026 = [
    "330001,岡山県,https://www.pref.okayama.jp/page/opendata.html,https://www.okayama-opendata.jp/,,",
    "332020,岡山県倉敷市,https://www.city.kurashiki.okayama.jp/28908.htm,https://kurashiki.dataeye.jp/,https://takahashi-riv.dataeye.jp/,",
    "332054,岡山県笠岡市,,https://takahashi-riv.dataeye.jp/,,",
    "011002,北海道札幌市,https://www.city.sapporo.jp/opendata/,,,",
]


def utf8_bom_list(rows=ROWS_2026, header=HEADER_2026) -> bytes:
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def test_the_denominators_are_the_national_ones():
    assert kpi.MUNICIPALITIES_TOTAL == 1741
    assert kpi.NATIONAL_TOTAL == 1788
    assert kpi.PREFECTURES["33"] == ("岡山県", "Okayama", 27)


@pytest.mark.parametrize("raw, code", [
    ("332020", "332020"),
    ("３３２０２０", "332020"),  # full-width
    ("33202", "332020"),  # JIS code without check digit
    ("92011", "092011"),  # 宇都宮市 that lost its leading zero
    ("1100", "011002"),  # 札幌市 01100 with both losses
    (" 330001 ", "330001"),
    ("10006", None),  # 北海道 010006 without its zero, or 群馬県's 10006 + check digit?
    ("332021", None),  # wrong check digit
    ("482016", None),  # no prefecture 48
    ("abc", None),
    ("", None),
])
def test_codes_are_normalised_or_refused(raw, code):
    assert kpi.normalise_code(raw) == code


def test_the_2026_list_utf8_with_bom():
    result = kpi.parse_national_list(utf8_bom_list(), "20260630_resources_opendata_lg_list_02.csv")
    assert result.encoding == "utf-8-sig"
    assert result.as_of == datetime.date(2026, 6, 30)
    assert result.rows == 4 and not result.problems
    assert set(result.entries) == {"330001", "332020", "332054", "011002"}
    kurashiki = result.entries["332020"]
    assert kurashiki.name == "岡山県倉敷市"
    assert kurashiki.url == "https://www.city.kurashiki.okayama.jp/28908.htm"
    assert kurashiki.site_urls == ("https://kurashiki.dataeye.jp/", "https://takahashi-riv.dataeye.jp/")
    # No own page: the first publishing site shows the engagement.
    assert result.entries["332054"].url == "https://takahashi-riv.dataeye.jp/"


def test_an_earlier_list_in_shift_jis():
    text = "\r\n".join(["都道府県コード,都道府県名,市区町村名,オープンデータのURL",
                        "33202,岡山県,倉敷市,https://www.city.kurashiki.okayama.jp/28908.htm",
                        "33000,岡山県,,https://www.pref.okayama.jp/"]) + "\r\n"
    result = kpi.parse_national_list(text.encode("cp932"), "opendata_lg_list_20220112.csv")
    assert result.encoding == "cp932"
    assert result.as_of == datetime.date(2022, 1, 12)
    assert set(result.entries) == {"332020", "330001"}
    assert result.entries["332020"].name == "岡山県倉敷市"
    assert result.entries["332020"].page_url.endswith("28908.htm")


def test_bad_rows_are_named_and_left_out():
    rows = [*ROWS_2026, "332021,誤り,,,,", "332020,岡山県倉敷市,,,,", ",,,,,"]
    result = kpi.parse_national_list(utf8_bom_list(rows))
    assert len(result.entries) == 4
    assert result.rows == 6  # the empty line is not a row
    texts = [p.text() for p in result.problems]
    assert texts == [
        "Line 6: '332021' is not a local government code (6 digits with a correct check digit).",
        "Line 7: 団体コード 332020 appears again; the first row is kept.",
    ]


@pytest.mark.parametrize("data, msgid", [
    (b"", kpi.MSG_EMPTY),
    (b"  \r\n", kpi.MSG_EMPTY),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", kpi.MSG_BINARY),
    (b"\xef\xbb\xbf\xff\xfe broken", kpi.MSG_ENCODING),
    (b"\x81\x7f\xff\xfe\xfd", kpi.MSG_ENCODING),
    (b"name,url\nfoo,https://example.jp/\n", kpi.MSG_NO_HEADER),
    ("団体コード,団体名\nabc,x\n".encode(), kpi.MSG_NO_ROWS),
])
def test_a_malformed_list_gives_a_clear_error(data, msgid):
    with pytest.raises(kpi.KPIError) as caught:
        kpi.parse_national_list(data)
    assert caught.value.msgid == msgid
    assert "Traceback" not in str(caught.value)


def test_lists_of_prefectures_and_municipalities_merge():
    prefs = kpi.parse_national_list("団体コード,団体名\n330001,岡山県\n".encode("cp932"),
                                    "pref_20220112.csv")
    munis = kpi.parse_national_list(utf8_bom_list(ROWS_2026[1:3]), "muni_20220112.csv")
    merged = kpi.merge([prefs, munis])
    assert merged.codes() == {"330001", "332020", "332054"}
    assert merged.encoding == "cp932 utf-8-sig"
    assert merged.as_of == datetime.date(2022, 1, 12)


def test_percent_rounds_halves_up():
    assert kpi.percent(1617, 1788) == 90.4
    assert kpi.percent(20, 27) == 74.1
    assert kpi.percent(1, 8) == 12.5  # 12.5 exactly
    assert kpi.percent(1, 16) == 6.3  # 6.25 → 6.3 (not banker's 6.2)
    assert kpi.percent(3, 0) == 0.0


def test_national_and_prefecture_rates():
    codes = ["330001", "332020", "332054", "011002", "332071"]
    figures = kpi.national_figures(codes)
    assert figures["engaged"] == 5
    assert figures["prefectures_engaged"] == 1
    assert figures["municipalities_engaged"] == 4
    assert figures["rate"] == kpi.percent(5, 1788) == 0.3
    okayama = next(p for p in figures["prefectures"] if p["code"] == "33")
    # 岡山県 itself + 332020, 332054, 332071 of 27 municipalities: 4 / 28 = 14.3 %
    assert okayama["engaged"] == 4 and okayama["total"] == 28 and okayama["rate"] == 14.3
    assert okayama["prefecture_engaged"] is True
    hokkaido = next(p for p in figures["prefectures"] if p["code"] == "01")
    assert (hokkaido["engaged"], hokkaido["total"], hokkaido["rate"]) == (1, 180, 0.6)


def test_national_rate_of_the_2026_list_size():
    # 47 prefectures + 1,570 municipalities = 1,617 of 1,788 (japan-open-data-standards §4).
    assert kpi.percent(47 + 1570, kpi.NATIONAL_TOTAL) == 90.4
    assert kpi.percent(1570, kpi.MUNICIPALITIES_TOTAL) == 90.2


@pytest.mark.parametrize("statuses, state", [
    ([], kpi.UNCHECKED),
    (["success"], kpi.VALIDATED),
    (["success", "failure"], kpi.ERRORS),
    (["error"], kpi.ERRORS),
    (["success", "pending"], kpi.PENDING),
    (["running"], kpi.PENDING),
])
def test_dataset_state(statuses, state):
    assert kpi.dataset_state(statuses) == state


def test_best_state_of_a_member():
    assert kpi.best_state([kpi.ERRORS, kpi.VALIDATED]) == kpi.VALIDATED
    assert kpi.best_state([kpi.UNCHECKED, kpi.ERRORS]) == kpi.ERRORS
    assert kpi.best_state([]) == kpi.MISSING


def test_score_by_hand():
    coverage = {f"k{i}": kpi.MISSING for i in range(16)}
    assert kpi.score(False, coverage, 16) == 0
    assert kpi.score(True, coverage, 16) == 20
    for i in range(8):
        coverage[f"k{i}"] = kpi.VALIDATED
    coverage["k8"], coverage["k9"] = kpi.ERRORS, kpi.UNCHECKED
    assert kpi.score(True, coverage, 16) == 65  # 20 + 80 × 9 / 16 = 65
    assert kpi.score(False, coverage, 16) == 45
    coverage["k10"] = kpi.PENDING
    assert kpi.score(True, coverage, 16) == 68  # 20 + 80 × 9.5 / 16 = 67.5 → 68
    full = {f"k{i}": kpi.VALIDATED for i in range(16)}
    assert kpi.score(True, full, 16) == 100


def test_consortium_figures():
    members = [
        {"engaged": True, "on_national_list": True, "datasets": 12, "score": 65},
        {"engaged": True, "on_national_list": False, "datasets": 3, "score": 30},
        {"engaged": False, "on_national_list": False, "datasets": 0, "score": 0},
    ]
    figures = kpi.consortium_figures(members)
    assert figures["members"] == 3 and figures["engaged"] == 2
    assert figures["rate"] == 66.7  # 2 / 3
    assert figures["national_list_rate"] == 33.3
    assert figures["datasets"] == 15
    assert figures["mean_score"] == 31.7  # 95 / 3


def test_as_of_from_file_names():
    assert kpi.as_of_from_name("20260630_resources_opendata_lg_list_02.csv") == datetime.date(2026, 6, 30)
    assert kpi.as_of_from_name("opendata_lg_pref_list_20220112.csv") == datetime.date(2022, 1, 12)
    assert kpi.as_of_from_name("list.csv") is None
    assert kpi.as_of_from_name("20261399.csv") is None
