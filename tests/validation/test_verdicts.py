"""Real files, real verdicts (issue 16, item 7): an undetermined standard is never "valid",
close header variants are one rename with their data checked, a newer-generation header
whose schema we lack is named as such."""
from __future__ import annotations

import json

from regionaliot.validation.cli import EXIT_UNCHECKED, main
from regionaliot.validation.engine import validate_file
from regionaliot.validation.registry import Registry


def write(path, header, *rows):
    path.write_text("\n".join(",".join(r) for r in (header, *rows)) + "\n", encoding="utf-8")
    return path


def test_an_undetermined_file_is_not_valid_and_the_cli_says_so(tmp_path, capsys):
    path = write(tmp_path / "own.csv", ["番号", "店名", "メモ"], ["1", "a", "b"])
    report = validate_file(path)
    assert report.error_count == 0 and not report.valid
    data = report.to_dict("en")
    assert data["checked"] is False and data["valid"] is False
    assert data["summary_key"] == "unchecked" and "Not checked" in data["summary"]
    assert "未確認" in report.to_dict("ja")["summary"]
    assert main(["validate", str(path), "--format", "json"]) == EXIT_UNCHECKED
    assert json.loads(capsys.readouterr().out)["checked"] is False
    # The same file checked against a named standard is judged on that standard.
    assert main(["validate", str(path), "--schema", "aed", "--format", "json"]) == 1


def test_close_header_variants_are_one_rename_and_their_data_is_checked(tmp_path):
    names = Registry().by_name("legacy/population").field_names
    header = ["合計の男性" if n == "男性" else "合計の女性" if n == "女性" else
              "世帯数（世帯）" if n == "世帯数" else n for n in names]
    row = ["332020" if n == "都道府県コード又は市区町村コード" else "2024-04-01" if n == "調査年月日"
           else "10" for n in names]
    row[names.index("男性")] = "1577.00"  # the data under a renamed header is checked
    report = validate_file(write(tmp_path / "pop.csv", header, row))
    assert report.schema == "population"
    renames = [f for f in report.findings() if f["code"] == "header-variant"]
    assert {(f["cell"], f["fix"]) for f in renames} == {("合計の男性", "男性"), ("合計の女性", "女性"),
                                                      ("世帯数（世帯）", "世帯数")}
    assert "missing-label" not in report.counts and "extra-label" not in report.counts
    assert any(f["field"] == "男性" and f["row"] == 2 and f["severity"] == "error"
               for f in report.findings())


def test_a_newer_generation_header_without_its_schema_is_named(tmp_path):
    # AED in the newer 自治体標準 form: the registry has only the earlier edition's schema.
    header = ("全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英語,所在地_連結表記,"
              "所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,建物名等(方書),緯度,経度,"
              "設置位置,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,"
              "利用可能日時特記事項,小児対応設備の有無,URL,備考").split(",")
    report = validate_file(write(tmp_path / "aed.csv", header, ["1"] * len(header)))
    assert report.schema is None and not report.valid
    (finding,) = [f for f in report.findings() if f["code"] == "schema-newer-generation"]
    assert "AED" in finding["message"]
    assert report.to_dict()["summary_key"] == "unchecked_resembles"


def test_a_standard_with_columns_of_the_publishers_own_added_is_that_standard(tmp_path):
    # 焼津市's 観光施設: all 30 columns of the standard plus 19 of its own (bench corpus).
    names = Registry().by_name("legacy/tourism").field_names
    own = ["区分1", "区分2", "休業日", "最大収容人数", "タグ1", "タグ2", "タグ3", "HP有無", "焼津温泉",
           "宿泊施設_部屋数", "宿泊施設_温泉", "ふるさと納税", "車イストイレあり", "多目的トイレあり",
           "バリアフリーその他", "バリアフリー対応", "身障者用駐車場有り", "車イスでの入店可能", "備考2"]
    report = validate_file(write(tmp_path / "kanko.csv", names + own, ["1"] * (len(names) + len(own))))
    assert report.schema == "tourism" and report.determined
