"""The engine on small files written in tmp_path: one behaviour per test."""
from __future__ import annotations

from conftest import MIN_HEADER, MIN_SCHEMA, good_row
from regionaliot.validation.engine import validate_file


def codes(report, severity=None):
    """(row, field, code) of every code of every finding (a finding on a cell carries all
    the codes of that cell)."""
    return [(f["row"], f["field"], code) for f in report.findings() for code in f["codes"]
            if severity is None or f["severity"] == severity]


def test_clean_file_is_valid(write_csv):
    report = validate_file(write_csv([good_row(1), good_row(2)]), MIN_SCHEMA)
    assert report.valid and report.rows == 2 and report.findings() == []


def test_swapped_lat_lon(write_csv):
    report = validate_file(write_csv([good_row(1, 緯度="133.772", 経度="34.585")]), MIN_SCHEMA)
    found = {f["code"]: f for f in report.findings()}
    assert found["latlon-swapped"]["row"] == 2
    assert found["latlon-swapped"]["fix"] == "34.585"
    # The schema bounds are Table-Schema constraint errors as Frictionless reports them.
    assert (2, "緯度", "constraint-error:maximum") in codes(report)


def test_outside_japan(write_csv):
    report = validate_file(write_csv([good_row(1, 緯度="0", 経度="0")]), MIN_SCHEMA)
    assert {"latitude-out-of-japan", "longitude-out-of-japan"} <= {f["code"] for f in report.findings()}


def test_circle_flag(write_csv):
    report = validate_file(write_csv([good_row(1, 小児対応設備の有無="○")]), MIN_SCHEMA)
    flag = [f for f in report.findings() if f["code"] == "flag-symbol"]
    assert flag and flag[0]["fix"] == "有" and not report.valid


def test_formula_cells_are_warnings(write_csv):
    report = validate_file(write_csv([good_row(1, 備考="=HYPERLINK(\"http://x\")"),
                                      good_row(2, 備考="@SUM(A1)"), good_row(3, 備考="-5")]), MIN_SCHEMA)
    found = [(f["row"], f["code"], f["severity"]) for f in report.findings()]
    assert (2, "formula-cell", "warning") in found and (3, "formula-cell", "warning") in found
    assert not any(row == 4 for row, _, _ in found)  # a plain negative number is no formula
    assert report.valid


def test_full_width_digits_in_numeric_column(write_csv):
    report = validate_file(write_csv([good_row(1, 緯度="３４．５８５")]), MIN_SCHEMA)
    fw = [f for f in report.findings() if f["code"] == "fullwidth-chars"]
    assert fw and fw[0]["fix"] == "34.585" and fw[0]["field"] == "緯度"


def test_unpadded_time_and_wareki_date(write_csv):
    report = validate_file(write_csv([good_row(1, 開始時間="9:00", 設置日="令和元年5月1日")]), MIN_SCHEMA)
    by_code = {f["code"]: f for f in report.findings()}
    assert by_code["time-not-padded"]["fix"] == "09:00"
    assert by_code["wareki-date"]["fix"] == "2019-05-01"
    # type date: Frictionless cannot read it; one finding for the cell, with both codes
    assert by_code["wareki-date"]["codes"] == ["wareki-date", "type-error"]
    assert by_code["wareki-date"]["type"] == "type-error"


def test_duplicate_ids_and_empty_required(write_csv):
    report = validate_file(write_csv([good_row(1), good_row(1), good_row(2, 名称="")]), MIN_SCHEMA)
    found = codes(report)
    assert (3, "NO", "unique-error") in found
    assert (4, "名称", "constraint-error:required") in found


def test_row_shape_findings_use_frictionless_types(write_csv):
    rows = [good_row(1), good_row(2)[:3], good_row(3) + ["extra"], [], [""] * len(MIN_HEADER)]
    found = codes(validate_file(write_csv(rows), MIN_SCHEMA))
    assert (3, "名称_カナ", "missing-cell") in found
    assert (4, "", "extra-cell") in found
    assert (5, "", "blank-row") in found and (6, "", "blank-row") in found


def test_header_with_horizontal_bar_and_alias(write_csv):
    header = ["都道府県コ―ド又は市区町村コ―ド"] + MIN_HEADER[1:]
    report = validate_file(write_csv([good_row(1)], header=header), MIN_SCHEMA)
    (finding,) = [f for f in report.findings() if f["code"] == "header-normalized"]
    assert finding["fix"] == MIN_HEADER[0] and report.valid


def test_missing_and_extra_columns(write_csv):
    header = [h for h in MIN_HEADER if h != "名称"] + ["独自列"]
    rows = [[c for h, c in zip(MIN_HEADER, good_row(1), strict=False) if h != "名称"] + ["x"]]
    report = validate_file(write_csv(rows, header=header), MIN_SCHEMA)
    found = {(f["code"], f["severity"]) for f in report.findings()}
    assert ("missing-label", "error") in found and ("extra-label", "warning") in found


def test_many_findings_are_capped_but_counted(write_csv):
    rows = [good_row(i, 小児対応設備の有無="○") for i in range(50)]
    report = validate_file(write_csv(rows), MIN_SCHEMA, max_findings=10)
    data = report.to_dict(summarise=False)
    assert data["truncated"] and len(data["errors"]) == 10
    assert data["counts"]["by_code"]["flag-symbol"] == 50
    # Summarised, the ten kept cells written alike are one finding (issue 16).
    assert len(report.to_dict()["errors"]) == 1


def test_chunk_boundaries_do_not_change_findings(write_csv):
    rows = [good_row(i % 7, 緯度="x" if i % 5 == 0 else "34.5") for i in range(40)]
    path = write_csv(rows)
    whole = validate_file(path, MIN_SCHEMA, chunk_rows=1000).table_schema_keys()
    pieces = validate_file(path, MIN_SCHEMA, chunk_rows=3).table_schema_keys()
    assert whole == pieces and len(whole) > 10


def test_english_messages(write_csv):
    report = validate_file(write_csv([good_row(1, 名称="")]), MIN_SCHEMA, lang="en")
    assert "is required" in report.findings()[0]["message"]
    assert "必須" in report.findings("ja")[0]["message"]


def test_bare_name_takes_the_generation_the_header_carries():
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "schemas" / "samples"
    legacy = validate_file(samples / "legacy" / "public_toilet.csv", schema="public_toilet")
    standard = validate_file(samples / "standard" / "public_toilet.csv", schema="public_toilet")
    assert (legacy.generation, legacy.valid) == ("legacy", True)
    assert (standard.generation, standard.valid) == ("standard", True)


def test_closing_time_24_00_is_not_reported_where_the_schema_allows_it():
    from pathlib import Path
    sample = Path(__file__).resolve().parents[1] / "schemas" / "samples" / "legacy" / "aed.csv"
    report = validate_file(sample, "legacy/aed")
    assert "24:00" in sample.read_text(encoding="utf-8")
    assert report.findings() == []


def test_chunks_are_bounded_by_size_as_well_as_rows(write_csv, monkeypatch):
    from regionaliot.validation import engine

    # 80 rows of ~100,000 characters: by row count alone they would be one chunk.
    rows = [good_row(i, 備考="長" * 100_000) for i in range(1, 81)]
    rows[60] = good_row(61, 緯度="133.772", 経度="34.585", 備考="長" * 100_000)
    path = write_csv(rows)
    whole = validate_file(path, MIN_SCHEMA)

    sizes = []
    original = engine.Plan._chunk
    monkeypatch.setattr(engine, "CHUNK_CHARS", 250_000)
    monkeypatch.setattr(engine, "CHUNK_STEP", 2)
    # The reader counts characters a block at a time (reader.BLOCK_CHARS, 1 Mi by default):
    # a chunk overshoots CHUNK_CHARS by at most one block and CHUNK_STEP lines.
    from regionaliot.validation import reader

    monkeypatch.setattr(reader, "BLOCK_CHARS", 100_000)
    monkeypatch.setattr(engine.Plan, "_chunk",
                        lambda self, chunk, base: (sizes.append(len(chunk)), original(self, chunk, base)))
    capped = validate_file(path, MIN_SCHEMA)

    # The first chunk also holds the rows read ahead while looking for the header
    # (reader.HEADER_SEARCH_ROWS, themselves capped at 1 MiB each).
    from regionaliot.validation.reader import HEADER_SEARCH_ROWS

    assert sizes[0] <= HEADER_SEARCH_ROWS + 4 and max(sizes[1:]) <= 4 and sum(sizes) == 80
    assert codes(capped) == codes(whole) and capped.rows == whole.rows == 80
    assert ("latlon-swapped" in {c for _, _, c in codes(capped)})
