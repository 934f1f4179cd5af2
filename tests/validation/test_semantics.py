"""Issue 16, the defects: one finding per cell, uniqueness and primaryKey by value as
Frictionless compares them, broken schema files refused, xlsx formulas and merged cells,
NUL anywhere, one phone rule, messages without jargon, the better-fitting standard named."""
from __future__ import annotations

import json

import pytest
from conftest import MIN_HEADER, MIN_SCHEMA, good_row
from regionaliot.validation import checks, messages
from regionaliot.validation.engine import validate_file
from regionaliot.validation.reader import SNIFF_BYTES, ReadError
from regionaliot.validation.registry import Registry, SchemaLoadError


def frictionless_keys(path, schema):
    import frictionless
    from frictionless import system

    with system.use_context(trusted=True):
        report = frictionless.validate(str(path), schema=str(schema), limit_errors=10**9)
    return {(e.row_number, getattr(e, "field_name", "") or "", e.type)
            for e in report.tasks[0].errors if getattr(e, "row_number", None) is not None}


# --- one finding per cell -----------------------------------------------------------------

def test_a_circle_in_an_enum_column_is_one_finding_with_both_codes(write_csv):
    report = validate_file(write_csv([good_row(1, 小児対応設備の有無="○")]), MIN_SCHEMA)
    (finding,) = report.findings()
    assert finding["codes"] == ["flag-symbol", "constraint-error:enum"]
    assert finding["fix"] == "有" and finding["type"] == "constraint-error"
    assert (report.error_count, report.warning_count) == (1, 0)
    assert report.table_schema_keys() == {(2, "小児対応設備の有無", "constraint-error")}


def test_a_longitude_far_outside_is_one_finding(write_csv):
    report = validate_file(write_csv([good_row(1, 経度="999.9")]), MIN_SCHEMA)
    (finding,) = report.findings()
    assert finding["code"] == "longitude-out-of-japan"
    assert "constraint-error:maximum" in finding["codes"] and report.error_count == 1


def test_findings_on_different_cells_stay_apart(write_csv):
    report = validate_file(write_csv([good_row(1, 経度="999.9", 小児対応設備の有無="○")]), MIN_SCHEMA)
    assert report.error_count == 2 and len(report.findings()) == 2


# --- uniqueness and primaryKey by value ----------------------------------------------------

def _schema(tmp_path, fields, **extra):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"name": "t", "fields": fields, **extra}), encoding="utf-8")
    return path


def _csv(tmp_path, text):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_minus_one_and_minus_two_are_different_values(tmp_path):
    # hash(-1) == hash(-2) in CPython: comparing hashes reported them as duplicates.
    schema = _schema(tmp_path, [{"name": "n", "type": "integer", "constraints": {"unique": True}}])
    path = _csv(tmp_path, "n\n-1\n-2\n-2\n")
    ours = validate_file(path, str(schema), max_findings=None).table_schema_keys()
    assert ours == {(4, "n", "unique-error")} == frictionless_keys(path, schema)


def test_numbers_are_unique_by_value_as_frictionless_reads_them(tmp_path):
    schema = _schema(tmp_path, [{"name": "x", "type": "number", "constraints": {"unique": True}},
                                {"name": "s", "type": "string", "constraints": {"unique": True}}])
    path = _csv(tmp_path, "x,s\n1,a\n1.0,b\n1.00,a \n,\n,\nabc,A\n2,a\n")
    ours = validate_file(path, str(schema), max_findings=None).table_schema_keys()
    assert ours == frictionless_keys(path, schema)
    assert (3, "x", "unique-error") in ours and (8, "s", "unique-error") in ours


def test_primary_key_as_frictionless_checks_it(tmp_path):
    schema = _schema(tmp_path, [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"},
                                {"name": "c", "type": "string"}], primaryKey=["a", "b"])
    path = _csv(tmp_path, "a,b,c\n1,x,p\n1,y,q\n01,x,r\n,,s\nz,,t\n2,x,u\n,,\n1,y,v\n")
    report = validate_file(path, str(schema), max_findings=None)
    ours = report.table_schema_keys()
    assert ours == frictionless_keys(path, schema)
    pk = {f["row"]: f["code"] for f in report.findings() if f["type"] == "primary-key"}
    assert pk == {4: "primary-key:duplicate", 5: "primary-key:empty", 6: "primary-key:empty",
                  8: "primary-key:empty", 9: "primary-key:duplicate"}


# --- schema files ----------------------------------------------------------------------------

@pytest.mark.parametrize("content", ["{not json", '{"fields": []}', '{"fields": [{"type": "string"}]}',
                                     '{"fields": [{"name": "a", "type": "numbr"}]}',
                                     '{"fields": [{"name": "a", "constraints": {"pattern": "("}}]}',
                                     '{"fields": [{"name": "a", "x-check": "lgcod"}]}',
                                     '{"fields": [{"name": "a"}], "primaryKey": ["b"]}'])
def test_a_broken_schema_file_stops_the_registry(tmp_path, content):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "broken.json").write_text(content, encoding="utf-8")
    with pytest.raises(SchemaLoadError) as caught:
        Registry(extra_dirs=[tmp_path])
    assert "broken.json" in str(caught.value)


def test_every_shipped_schema_loads_in_the_registry_and_in_frictionless():
    import frictionless

    registry = Registry()  # raises on any broken file
    assert len(registry.schemas) >= 19
    for schema in registry.schemas:
        frictionless.Schema.from_descriptor(
            {k: v for k, v in schema.descriptor.items() if k in ("fields", "missingValues", "primaryKey")})


# --- xlsx ------------------------------------------------------------------------------------

def test_xlsx_formula_without_value_and_merged_cells_are_reported(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(MIN_HEADER)
    sheet.append(good_row(1))
    row = good_row(2)
    row[2] = '=C2&"2"'  # openpyxl saves the formula with no calculated value
    sheet.append(row)
    sheet.append(good_row(3))
    sheet.merge_cells("K2:K4")
    path = tmp_path / "book.xlsx"
    book.save(path)
    report = validate_file(path, MIN_SCHEMA)
    found = {(f["row"], f["column"], f["code"]): f for f in report.findings()}
    formula = found[(3, 3, "xlsx-formula-no-value")]
    assert formula["cell"] == '=C2&"2"' and formula["severity"] == "error"
    assert formula["codes"] == ["xlsx-formula-no-value", "constraint-error:required"]
    assert found[(2, 11, "xlsx-merged-cells")]["params"]["range"] == "K2:K4"
    assert report.error_count == 2


# --- NUL --------------------------------------------------------------------------------------

def test_a_nul_byte_after_the_sniffed_head_is_refused(write_csv):
    rows = [good_row(n) for n in range(1, 2000)]
    rows.append(good_row(2000, 備考="a\x00b"))
    path = write_csv(rows)
    assert path.stat().st_size > SNIFF_BYTES * 2
    with pytest.raises(ReadError) as caught:
        validate_file(path, MIN_SCHEMA)
    assert caught.value.code == "csv" and caught.value.key == "file-csv:nul-at"
    assert caught.value.params["line"] == 2001
    assert "2,001" in caught.value.reason("ja") and "NUL" in caught.value.reason("en")


# --- one phone rule ---------------------------------------------------------------------------

PHONES = ["086-426-3030", "(054)626-1139", "+81-86-426-3030", "0864263030", "09012345678",
          "086 426 3030", "086-4263030", "内線なし", "０８６－４２６－３０３０", "0120-123-456"]


def test_the_phone_check_and_every_schema_phone_pattern_agree():
    import re

    registry = Registry()
    phone_fields = [f for s in registry.schemas for f in s.fields if f.get("x-check") == "phone"]
    assert phone_fields
    for spec in phone_fields:
        assert spec["constraints"]["pattern"] == f"^({checks.PHONE_PATTERN})$", spec["name"]
    pattern = re.compile(f"^({checks.PHONE_PATTERN})$")
    for value in PHONES:
        assert (checks.check_phone(value) == []) == bool(pattern.match(value)), value


def test_phone_without_hyphens_has_a_fix_only_when_sure():
    assert checks.check_phone("09012345678")[0][2]["fix"] == "090-1234-5678"
    assert checks.check_phone("0120123456")[0][2]["fix"] == "0120-123-456"
    ((code, _, params),) = checks.check_phone("0864263030")
    assert code == "phone-no-hyphens" and "fix" not in params  # where does the area code end?


# --- messages ---------------------------------------------------------------------------------

def test_messages_carry_no_type_names_or_codec_names(write_csv):
    path = write_csv([good_row(1, 設置日="2020年4月1日x")], encoding="cp932")
    report = validate_file(path, MIN_SCHEMA)
    data = report.to_dict("ja")
    texts = [f["message"] for f in data["errors"] + data["warnings"]]
    assert not any("date/default" in t or "型" in t or "cp932" in t for t in texts), texts
    assert any("Shift_JIS" in t for t in texts)
    assert data["encoding"] == "cp932" and data["encoding_label"] == "Shift_JIS"
    assert data["generation"] == "legacy" and data["generation_label"] == "推奨データセット（旧版）"
    text = report.to_text("en")
    assert "legacy" not in text and "cp932" not in text
    assert messages.encoding_name("utf-8-sig", "ja") == "UTF-8（BOM付き）"
    assert messages.encoding_name("utf-8-sig", "en") == "UTF-8 (with BOM)"


def test_the_standard_the_header_fits_is_named(corpus_dir):
    path = corpus_dir / "yaizu-222127" / "222127_evacuation_space.csv"
    report = validate_file(path, "standard/evacuation_space")
    (hint,) = [f for f in report.findings() if f["code"] == "schema-mismatch"]
    assert hint["params"]["suggest"] == "legacy/evacuation_space"
    assert "推奨データセット（旧版）" in hint["message"]
    english = messages.render_report(report.to_dict("ja"), "en")
    (hint_en,) = [f for f in english["warnings"] if f["code"] == "schema-mismatch"]
    assert "earlier edition" in hint_en["message"]
    # The right standard, picked by name, gets no such hint.
    assert "schema-mismatch" not in validate_file(path, "evacuation_space").counts


# --- the reader splits lines a block at a time ------------------------------------------------

@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_block_reading_gives_the_rows_csv_gives(tmp_path, monkeypatch, block):
    import csv
    import io

    from regionaliot.validation import reader

    text = ('a,b,c\r\n1,"x\r\ny",3\r\n\r\n4,5\r6\n"q""t",,\n7,8,9\r\n' * 3) + "z,z,z"
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(reader, "BLOCK_CHARS", block)
    expected = list(csv.reader(io.StringIO(text, newline="")))
    for fast in (False, True):
        with reader.open_table(path) as table:
            rows = list(table.fast_rows() if fast else table.rows())
        assert [table.labels, *rows] == expected


def test_nul_line_is_counted_across_blocks(tmp_path, monkeypatch):
    from regionaliot.validation import reader

    monkeypatch.setattr(reader, "BLOCK_CHARS", 1000)
    path = tmp_path / "t.csv"
    lines = 20_000  # well past the sniffed head (reader.SNIFF_BYTES)
    path.write_bytes(b"a,b\r\n" + b"1,2\r\n" * lines + b"5,\x006\r\n")
    with pytest.raises(ReadError) as caught:
        validate_file(path)
    assert caught.value.params == {"line": lines + 2}


def test_a_subset_of_a_standard_in_its_own_order_is_detected_and_checked(tmp_path):
    # A 文化財一覧 published with 14 of its 34 columns, in its own order (issue 16): its
    # columns of no other dataset (文化財分類, 員数（数）…) say which dataset it is.
    path = tmp_path / "bunka.csv"
    path.write_text("名称,文化財分類,種類,住所,所有者等,緯度,経度,文化財指定日,説明,NO,員数（数）,員数（単位）,概要,画像\n"
                    "五重塔,国指定,建造物,3-5-12,,34.5,133.7,1928/8/17,,1,1,基,,\n", encoding="utf-8")
    report = validate_file(path)
    assert report.schema == "cultural_property" and report.determined
    assert ("文化財指定日", "date-not-iso") in {(f["field"], f["code"]) for f in report.findings()}
    # Three columns are enough when two of them belong to this dataset alone (指定区分 is a
    # column real 文化財 lists carry beside the standard's own: a detection hint).
    small = tmp_path / "small.csv"
    small.write_text("名称,指定区分,文化財分類\n五重塔,国指定,重要文化財\n", encoding="utf-8")
    assert validate_file(small).schema == "cultural_property"


def test_an_undetected_header_names_the_standard_it_resembles(tmp_path, corpus_dir):
    # Columns two datasets share (観光施設 and イベント): not enough to decide, but named.
    path = tmp_path / "kanko.csv"
    path.write_text("名称,料金(基本),料金(詳細),連絡先名称,連絡先電話番号,住所\n"
                    "城,500円,,観光課,086-000-0000,高梁市\n", encoding="utf-8")
    report = validate_file(path)
    (hint,) = [f for f in report.findings() if f["code"] == "schema-resembles"]
    assert hint["params"]["suggest"] in ("legacy/tourism", "legacy/event")
    assert report.to_dict()["summary_key"] == "unchecked_resembles" and not report.valid
    # Columns every dataset has (名称, 住所, 緯度 …) are no resemblance.
    shelters = validate_file(corpus_dir / "yaizu-222127" / "222127_hinannjo.csv")
    assert "schema-resembles" not in shelters.counts


def test_a_common_legacy_header_is_one_rename_and_its_data_is_checked(tmp_path):
    # 市区町村コード for 都道府県コード又は市区町村コード: not "missing" plus "extra" (issue 16).
    header = ["市区町村コード" if name == "都道府県コード又は市区町村コード" else name
              for name in Registry().by_name("legacy/aed").field_names]
    row = {"市区町村コード": "33202", "NO": "1", "名称": "市役所", "名称_カナ": "シヤクショ", "住所": "倉敷市西中新田640",
           "緯度": "34.58", "経度": "133.77", "設置位置": "1階", "小児対応設備の有無": "有"}
    path = tmp_path / "aed.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row.get(n, "") for n in header) + "\n", encoding="utf-8")
    report = validate_file(path)
    assert report.schema == "aed"
    found = {f["code"]: f for f in report.findings()}
    assert set(found) == {"header-alias", "lgcode-no-check-digit"}
    assert found["header-alias"]["fix"] == "都道府県コード又は市区町村コード"
    assert found["lgcode-no-check-digit"]["fix"] == "332020"


def test_one_problem_repeated_down_a_column_reads_as_one_item(write_csv):
    # Cells written in several ways, one problem: its first 5 findings, then one item.
    rows = [good_row(n, 開始時間="9:00" if n % 2 else "9:00:00") for n in range(1, 61)]
    report = validate_file(write_csv(rows), MIN_SCHEMA)
    code = max(report.counts, key=report.counts.__getitem__)
    assert report.counts[code] == 60  # counts stay complete
    data = report.to_dict("en")
    times = [f for f in data["errors"] + data["warnings"] if f["field"] == "開始時間"]
    assert [f.get("repeated") for f in times] == [None] * 5 + [55]
    summary = times[-1]
    assert summary["row"] == 7 and "55 more cells" in summary["message"] and "7, 8, 9" in summary["message"]
    again = messages.render_report(data, "ja")
    assert "55" in [f for f in again["errors"] + again["warnings"] if f.get("repeated")][0]["message"]
    assert len(report.to_dict(summarise=False)["errors"] + report.to_dict(summarise=False)["warnings"]) == 60


def test_a_uniform_pattern_down_a_column_is_one_finding(write_csv):
    # 1577.00, 23.00 … in a whole-number column gave one finding a cell (issue 16): one
    # finding now, with the count and the first rows, said again in either language.
    rows = [good_row(n, 開始時間=f"{n % 9 + 1}:00") for n in range(1, 61)]
    report = validate_file(write_csv(rows), MIN_SCHEMA)
    data = report.to_dict("en")
    times = [f for f in data["errors"] + data["warnings"] if f["field"] == "開始時間"]
    assert len(times) == 1 and times[0]["repeated"] == 59 and times[0]["row"] == 2
    assert "60 cells" in times[0]["message"] and "rows 2, 3, 4" in times[0]["message"]
    again = messages.render_report(data, "ja")
    assert "60 個のセル" in [f for f in again["errors"] + again["warnings"]
                           if f["field"] == "開始時間"][0]["message"]
    assert sum(report.counts.values()) >= 60  # counts stay complete


@pytest.mark.parametrize("spill_at", [0, 2, 1_000_000])
def test_uniqueness_is_the_same_once_values_move_to_disk(tmp_path, monkeypatch, spill_at):
    # Millions of values leave memory for a temporary SQLite table (keyset.SPILL_AT): the
    # findings must not change, for numbers compared by value and composite keys alike.
    from regionaliot.validation import keyset

    monkeypatch.setattr(keyset, "SPILL_AT", spill_at)
    schema = _schema(tmp_path, [{"name": "x", "type": "number", "constraints": {"unique": True}},
                                {"name": "s", "type": "string", "constraints": {"unique": True}},
                                {"name": "a", "type": "integer"}, {"name": "b", "type": "string"}],
                     primaryKey=["a", "b"])
    lines = ["x,s,a,b", "1,a,1,x", "1.0,b,1,y", "-0,c,01,x", "0,d,,", "NaN,e,2,", "NaN,a\x1fsb,2,",
             "1e0,f,z,q", "2,g,2,", "100,h,3,a\x1fsb", "1E+2,i,3,a", "-1,j,-1,j", "-2,k,-2,j"]
    path = _csv(tmp_path, "\n".join(lines) + "\n")
    ours = validate_file(path, str(schema), max_findings=None, chunk_rows=3).table_schema_keys()
    assert ours == frictionless_keys(path, schema)
    assert (3, "x", "unique-error") in ours and (5, "x", "unique-error") in ours  # 1.0, 0 = -0
