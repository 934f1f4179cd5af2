"""The map and chart views' decisions (regionaliot_datastore/rowviews.py, no CKAN)."""
from __future__ import annotations

import re

import pytest
from ckanext.regionaliot.datastore import jpsearch, rowviews


def test_coordinate_columns_by_standard_and_english_names():
    assert rowviews.coordinate_columns(["名称", "緯度", "経度"]) == ("緯度", "経度")
    assert rowviews.coordinate_columns(["name", "Latitude", "Longitude"]) == ("Latitude",
                                                                             "Longitude")
    assert rowviews.coordinate_columns(["lat", "lng"]) == ("lat", "lng")
    assert rowviews.coordinate_columns(["緯度 "]) is None  # a latitude alone is no point
    assert rowviews.coordinate_columns(["名称", "住所"]) is None


def test_the_editors_columns_win_when_the_table_has_them():
    columns = ["緯度", "経度", "設置緯度", "設置経度"]
    assert rowviews.coordinate_columns(columns, "設置緯度", "設置経度") == ("設置緯度", "設置経度")
    # A choice the table no longer has (a new file renamed it) falls back to the names.
    assert rowviews.coordinate_columns(columns, "旧緯度", "設置経度") == ("緯度", "経度")


@pytest.mark.parametrize(("lat", "lon", "expected"), [
    ("34.585", "133.772", (34.585, 133.772)),
    ("３４．５８５", "１３３．７７２", (34.585, 133.772)),  # 全角
    (34.5, 133.7, (34.5, 133.7)),
    ("", "133.7", None),
    (None, None, None),
    ("北緯34度", "133.7", None),
    ("0", "0", None),  # a blank filled with zeros
    ("91", "133.7", None),
    ("34.5", "181", None),
    ("nan", "133.7", None),
])
def test_a_point_is_two_numbers_on_the_globe(lat, lon, expected):
    assert rowviews.point(lat, lon) == expected


def test_points_keep_the_row_id_and_count_the_rows_without_one():
    rows = [{"_id": 1, "緯度": "34.6", "経度": "133.7"}, {"_id": 2, "緯度": "", "経度": ""},
            {"_id": 3, "緯度": "34.7", "経度": "133.8"}]
    assert rowviews.points(rows, "緯度", "経度") == ([[34.6, 133.7, 1], [34.7, 133.8, 3]], 1)


def test_chart_spec_checks_every_column_and_says_which():
    columns = ["年", "地域", "人口"]
    assert rowviews.chart_spec({"kind": "timeseries", "group": "年", "value": "人口"},
                               columns) == {"aggregation": "timeseries", "group": "年",
                                            "value": "人口"}
    assert rowviews.chart_spec({"kind": "count", "group": "地域", "value": "人口",
                                "sort": "value"}, columns)["value"] == ""
    with pytest.raises(rowviews.ChartSettingsError) as missing:
        rowviews.chart_spec({"kind": "sum", "group": "市", "value": "人口"}, columns)
    assert missing.value.params == {"column": "市"}
    with pytest.raises(rowviews.ChartSettingsError, match="numbers"):
        rowviews.chart_spec({"kind": "mean", "group": "地域"}, columns)
    with pytest.raises(rowviews.ChartSettingsError, match="group"):
        rowviews.chart_spec({"kind": "sum", "value": "人口"}, columns)
    with pytest.raises(rowviews.ChartSettingsError, match="Unknown"):
        rowviews.chart_spec({"kind": "<script>"}, columns)
    assert rowviews.chart_spec({"kind": "pyramid", "where_column": "地域", "where_value": "A"},
                               columns) == {"aggregation": "pyramid", "where_column": "地域",
                                            "where_value": "A"}


def test_a_population_table_starts_as_a_pyramid():
    assert rowviews.default_chart(["地域", "0-4歳の男性"], [("0-4歳", "m", "f")]) == {
        "kind": "pyramid"}
    assert rowviews.default_chart(["種別", "件数"], []) == {"kind": "count", "group": "種別"}


def test_the_sql_character_class_is_the_pythons():
    pattern = re.compile(jpsearch.sql_run_class() + "+")
    for text in ("倉敷市", "アチトショカン", "ひらがな", "々", "ｶﾅ", "㐀"):
        assert pattern.fullmatch(text), text
    for text in ("abc", "123", "　", "（"):
        assert not pattern.search(text), text
