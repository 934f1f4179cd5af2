"""The stories' aggregation arithmetic, blocks and SVG (pure: no CKAN), on hand-checked
figures."""
from __future__ import annotations

import pytest
from ckanext.regionaliot.lib.charts import aggregate as agg
from ckanext.regionaliot.lib.charts import svg
from ckanext.regionaliot.stories import blocks

ROWS = [
    {"市": "倉敷市", "区分": "A", "人数": "10", "年": "2024"},
    {"市": "倉敷市", "区分": "B", "人数": "１，０００", "年": "2023"},  # full-width, separator
    {"市": "笠岡市", "区分": "A", "人数": "5", "年": "2024"},
    {"市": "笠岡市", "区分": "A", "人数": "不明", "年": "2022"},  # not a number
    {"市": "", "区分": "B", "人数": "3", "年": "2023"},  # empty group
    {"市": "井原市", "区分": "B", "人数": None, "年": "2022"},  # a group without numbers
]


def rows_of(result):
    return [(key, values) for key, values in result.rows]


def test_number_reads_what_members_publish():
    assert agg.number("1,234") == 1234.0
    assert agg.number("１２３") == 123.0
    assert agg.number(" -2.5 ") == -2.5
    assert agg.number(7) == 7.0
    assert agg.number(10**300) == 1e300
    # An integer beyond float's range (a numeric cell of 400 digits, as JSON) is not a
    # number, and not an OverflowError.
    for bad in ("", None, "abc", "NaN", "inf", "1e999", True, "12-3", float("nan"),
                10**400, -(10**400)):
        assert agg.number(bad) is None, bad


def test_sum_by_skips_text_and_keeps_empty_groups():
    result = agg.sum_by(ROWS, "市", "人数")
    # 倉敷市 10 + 1000; 笠岡市 5 (「不明」 skipped); "" 3; 井原市 nothing → 0.
    assert rows_of(result) == [("倉敷市", [1010.0]), ("笠岡市", [5.0]), ("", [3.0]),
                               ("井原市", [0.0])]
    assert result.skipped == 2  # 「不明」 and None
    assert result.total() == 1018.0


def test_count_by_and_orders():
    assert rows_of(agg.count_by(ROWS, "区分")) == [("A", [3.0]), ("B", [3.0])]
    by_value = agg.count_by(ROWS, "市", sort="value")
    assert [key for key, _ in by_value.rows] == ["倉敷市", "笠岡市", "", "井原市"]
    assert [k for k, _ in agg.count_by([{"a": "10-14"}, {"a": "5-9"}, {"a": "0-4"}], "a",
                                       sort="label").rows] == ["0-4", "5-9", "10-14"]


def test_mean_by_leaves_out_groups_without_numbers():
    result = agg.mean_by(ROWS, "市", "人数")
    assert rows_of(result) == [("倉敷市", [505.0]), ("笠岡市", [5.0]), ("", [3.0])]
    assert result.notes == ["Groups without any number were left out."]


def test_time_series_orders_periods():
    result = agg.time_series(ROWS, "年", "人数")
    assert rows_of(result) == [("2022", [0.0]), ("2023", [1003.0]), ("2024", [15.0])]
    counted = agg.time_series(ROWS, "年", None)
    assert rows_of(counted) == [("2022", [2.0]), ("2023", [2.0]), ("2024", [2.0])]
    months = agg.time_series([{"m": "2024-10"}, {"m": "2024-02"}, {"m": "2023-12"}], "m", None)
    assert [k for k, _ in months.rows] == ["2023-12", "2024-02", "2024-10"]


def test_share_is_percent_of_the_whole():
    result = agg.share(ROWS, "区分", "人数")
    # A: 10 + 5 = 15, B: 1000 + 3 = 1003; whole 1018.
    assert result.rows[0][0] == "B"
    assert result.rows[0][1][0] == 1003.0
    assert result.rows[0][1][1] == pytest.approx(98.5265, abs=1e-3)
    assert result.rows[1][1][1] == pytest.approx(1.4735, abs=1e-3)
    empty = agg.share([], "区分", None, header=["区分"])
    assert empty.empty


def test_rate_per_10000_with_a_population_resource():
    aeds = [{"code": "332020"}] * 3 + [{"code": "332054"}] * 2 + [{"code": "334618"}]
    people = agg.population_table(
        [{"code": "332020", "total": "20000"}, {"code": "332020", "total": "10000"},
         {"code": "332054", "total": "4000"}, {"code": "334235", "total": "100"}],
        "code", "total")
    assert people == {"332020": 30000.0, "332054": 4000.0, "334235": 100.0}
    result = agg.rate_per_10000(aeds, "code", people)
    # 332054: 2 / 4000 * 10000 = 5.0; 332020: 3 / 30000 * 10000 = 1.0; 334618 has no people.
    assert rows_of(result) == [("332054", [2.0, 4000.0, 5.0]), ("332020", [3.0, 30000.0, 1.0])]
    assert result.skipped == 1
    assert result.notes == ["Groups without a population were left out."]


def test_pyramid_from_the_standard_columns():
    header = ["地域名", "総人口", "0-4歳の男性", "0-4歳の女性", "5-9歳の男性", "5-9歳の女性",
              "85歳以上の男性", "85歳以上の女性", "10-14歳の男性"]  # 10-14 lacks 女性
    assert agg.pyramid_columns(header) == [("0-4歳", "0-4歳の男性", "0-4歳の女性"),
                                           ("5-9歳", "5-9歳の男性", "5-9歳の女性"),
                                           ("85歳以上", "85歳以上の男性", "85歳以上の女性")]
    rows = [dict(zip(header, ["甲", "9", "1", "2", "3", "4", "5", "6", "7"], strict=True)),
            dict(zip(header, ["乙", "9", "10", "", "30", "40", "x", "60", "70"], strict=True))]
    result = agg.pyramid(rows, header=header)
    assert rows_of(result) == [("0-4歳", [11.0, 2.0]), ("5-9歳", [33.0, 44.0]),
                               ("85歳以上", [5.0, 66.0])]
    assert result.skipped == 2  # "" and "x"
    only = agg.pyramid(rows, header=header, where=("地域名", "乙"))
    assert only.rows[0] == ("0-4歳", [10.0, 0.0])
    with pytest.raises(agg.AggregationError):
        agg.pyramid(rows, header=["地域名", "総人口"])


def test_missing_column_and_unknown_aggregation_are_named():
    with pytest.raises(agg.AggregationError) as info:
        agg.sum_by(ROWS, "市", "人口")
    assert info.value.msgid == "Column not found: {column}"
    assert info.value.params == {"column": "人口"}
    with pytest.raises(agg.AggregationError):
        agg.compute({"aggregation": "median", "group": "市"}, ROWS)
    with pytest.raises(agg.AggregationError):
        agg.compute({"aggregation": "rate", "group": "市"}, ROWS)
    # A resource with no rows still knows its header: an empty result, not an error.
    assert agg.compute({"aggregation": "count", "group": "市"}, [], header=["市"]).empty


def test_csv_has_figures_and_defuses_formulas():
    result = agg.sum_by([{"g": "=cmd()", "v": "1.5"}, {"g": "x", "v": "2"}], "g", "v")
    text = agg.to_csv(result, ["g", "v"])
    assert text == "g,v\r\n'=cmd(),1.5\r\nx,2\r\n"


def test_read_csv_utf8_bom_and_shift_jis():
    text = "市,人数\r\n倉敷市,3\r\n\r\n笠岡市,4\r\n"
    for content in (("\ufeff" + text).encode("utf-8"), text.encode("cp932")):
        header, rows = agg.read_csv(content, limit=10)
        assert header == ["市", "人数"]
        assert rows == [{"市": "倉敷市", "人数": "3"}, {"市": "笠岡市", "人数": "4"}]
    assert agg.read_csv(text.encode("utf-8"), limit=1)[1] == [{"市": "倉敷市", "人数": "3"}]
    with pytest.raises(agg.AggregationError):
        agg.read_csv(b"\xff\xfe\x00\x81\x00", limit=10)


def test_blocks_are_checked_with_messages():
    parsed, errors = blocks.parse('[{"type": "chart", "resource": "r", "aggregation": "sum",'
                                  ' "group": "市"}, {"type": "video"}, 3]')
    assert ("Block {n}: {field} is required.", {"n": 1, "field": "value"}) in errors
    assert ("Block {n}: unknown type {type}.", {"n": 2, "type": "video"}) in errors
    assert ("Block {n}: not an object.", {"n": 3}) in errors
    assert parsed[0]["chart"] == "bar"
    _, errors = blocks.parse([{"type": "chart", "resource": "r", "aggregation": "pyramid",
                               "chart": "line"}])
    assert errors == [("Block {n}: a {aggregation} cannot be drawn as {chart}.",
                       {"n": 1, "aggregation": "pyramid", "chart": "line"})]
    assert blocks.parse("{not json")[1] == [("The blocks are not valid JSON.", {})]
    ok, errors = blocks.parse([{"type": "map", "resource": "r", "member_column": "code"},
                               {"type": "text", "body": "x", "evil": "<script>"}])
    assert errors == [] and ok[0]["aggregation"] == "count" and "evil" not in ok[1]


def test_layout_places_blocks_in_the_body():
    body = "intro\n[[block:2]]\nmiddle\n[[block:2]]\n[[block:9]]\nend"
    assert blocks.layout(body, 3) == [
        ("markdown", "intro"), ("block", 1), ("markdown", "middle\n[[block:2]]\n[[block:9]]\nend"),
        ("block", 0), ("block", 2)]
    assert blocks.layout("", 1) == [("block", 0)]


def test_svg_escapes_labels_and_scales_bars():
    result = agg.Result("sum", "g", ["v"], [("<script>alert(1)</script>", [50.0]),
                                            ("b", [100.0])])
    drawing = svg.bar_chart(result, "T<", "D&", "c1")
    assert "<script>" not in drawing and "&lt;script&gt;" in drawing
    assert 'role="img"' in drawing and "<title id=\"c1-t\">T&lt;</title>" in drawing
    plot = svg.WIDTH - svg.LABEL_WIDTH - 90
    assert f'width="{plot / 2:.1f}"' in drawing and f'width="{plot:.1f}"' in drawing
    assert svg.display(12345.0) == "12,345" and svg.display(2.345) == "2.3"


def test_choropleth_shades_and_marks_members_without_data():
    members = [{"code": "1", "name": "甲", "rings": [[(133.0, 34.0), (133.1, 34.0),
                                                      (133.1, 34.1), (133.0, 34.0)]]},
               {"code": "2", "name": "乙", "rings": [[(133.1, 34.0), (133.2, 34.0),
                                                      (133.2, 34.1), (133.1, 34.0)]]},
               {"code": "3", "name": "丙", "rings": [[(133.2, 34.0), (133.3, 34.1),
                                                      (133.3, 34.0), (133.2, 34.0)]]}]
    drawing = svg.choropleth(members, {"1": 10.0, "2": 20.0}, "t", "d", "m", "データなし")
    assert "regionaliot-story-shade-1" in drawing and "regionaliot-story-shade-5" in drawing
    assert "丙: データなし" in drawing
    assert svg.shade(15.0, 10.0, 20.0) == 3
    dots = svg.points_map(members, [(133.05, 34.05, "AED"), (140.0, 40.0, "far")], "t", "d", "p")
    assert dots.count("<circle") == 1


def test_key_figure_from_groups_sum_count_mean_and_where():
    rows = [{"市": "倉敷市", "n": "10", "小児": "有"}, {"市": "倉敷市", "n": "不明", "小児": "無"},
            {"市": "笠岡市", "n": "5", "小児": "有"}]
    assert agg.figure({"aggregation": "count"}, rows).rows == [("", [3.0])]
    summed = agg.figure({"aggregation": "sum", "value": "n"}, rows)
    assert summed.rows == [("", [15.0])] and summed.skipped == 1
    where = {"aggregation": "count", "where_column": "小児", "where_value": "有"}
    assert agg.figure(where, rows).rows == [("", [2.0])]
    assert agg.figure({"aggregation": "mean", "value": "n", "where_column": "市",
                       "where_value": "倉敷市"}, rows).rows == [("", [10.0])]
    # A mean of nothing is no figure, not 0.
    assert agg.figure({"aggregation": "mean", "value": "n", "where_column": "市",
                       "where_value": "井原市"}, rows).rows == []
    with pytest.raises(agg.AggregationError):
        agg.figure({"aggregation": "sum", "value": "人口"}, rows)
    computed, errors = blocks.parse([{"type": "figure", "label": "AED", "resource": "r"},
                                     {"type": "figure", "label": "x", "resource": "r",
                                      "aggregation": "median"}])
    assert computed[0]["aggregation"] == "count" and len(errors) == 1
