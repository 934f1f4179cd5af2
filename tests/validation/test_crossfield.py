"""Cross-field checks where the standard implies them (issue 16, item 7): toilet totals
against their breakdown, a totals row inside population data, a value without its unit."""
from __future__ import annotations

from regionaliot.validation.engine import validate_file
from regionaliot.validation.registry import Registry


def write(path, schema_key, values_by_row):
    names = Registry().by_name(schema_key).field_names
    lines = [",".join(names)] + [",".join(row.get(n, "") for n in names) for row in values_by_row]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def found(report, code):
    return [(f["row"], f["field"]) for f in report.findings() if code in f["codes"]]


def test_toilet_totals_against_their_breakdown(tmp_path):
    base = {"全国地方公共団体コード": "332020", "ID": "1", "地方公共団体名": "岡山県倉敷市", "名称": "駅前",
            "緯度": "34.6", "経度": "133.7"}
    rows = [
        {**base, "男性トイレ総数": "3", "男性トイレ数（小便器）": "1", "男性トイレ数（和式）": "1",
         "男性トイレ数（洋式）": "1"},                      # adds up
        {**base, "ID": "2", "男性トイレ総数": "2", "男性トイレ数（小便器）": "2", "男性トイレ数（和式）": "1",
         "男性トイレ数（洋式）": "1"},                      # 4 > 2
        {**base, "ID": "3", "女性トイレ総数": "5", "女性トイレ数（和式）": "1"},  # breakdown incomplete: fine
        {**base, "ID": "4", "女性トイレ総数": "5", "女性トイレ数（和式）": "1", "女性トイレ数（洋式）": "1"},
    ]
    report = validate_file(write(tmp_path / "toilet.csv", "standard/public_toilet", rows))
    assert found(report, "toilet-total-mismatch") == [(3, "男性トイレ総数"), (5, "女性トイレ総数")]
    message = [f for f in report.to_dict("en")["errors"] if f["code"] == "toilet-total-mismatch"][0]
    assert "adds up to 4" in message["message"]


def test_a_totals_row_inside_population_data(tmp_path):
    base = {"都道府県コード又は市区町村コード": "332020", "調査年月日": "2024-04-01", "総人口": "100",
            "男性": "50", "女性": "50", "世帯数": "40"}
    rows = [{**base, "地域名": "阿知"}, {**base, "地域名": "合計", "総人口": "200"}]
    report = validate_file(write(tmp_path / "pop.csv", "legacy/population", rows))
    assert found(report, "totals-row") == [(3, "地域名")]


def test_a_value_without_its_unit(tmp_path):
    base = {"全国地方公共団体コード": "332020", "ID": "1", "地方公共団体名": "岡山県倉敷市", "名称": "駅前",
            "緯度": "34.6", "経度": "133.7"}
    rows = [{**base, "高度の値": "12.5", "高度の種別": "海抜"}, {**base, "ID": "2", "高度の値": "3"}]
    report = validate_file(write(tmp_path / "toilet.csv", "standard/public_toilet", rows))
    assert found(report, "value-without-unit") == [(3, "高度の値")]
