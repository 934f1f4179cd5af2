"""Pure parts of regionaliot_datastore: column types from a standard schema, and the
substring clauses of a Japanese q (no CKAN, no database)."""
from __future__ import annotations

from ckanext.regionaliot.datastore import columns, download, jpsearch, sqlerrors
from regionaliot.validation.engine import default_registry

AED_HEADER = ("都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,"
              "緯度,経度,設置位置,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,"
              "利用可能日時特記事項,小児対応設備の有無,URL,備考").split(",")


def test_aed_columns_get_numbers_and_times_codes_stay_text():
    types = columns.wanted_types(default_registry(), "legacy/aed", AED_HEADER)
    assert types == {"緯度": "numeric", "経度": "numeric", "開始時間": "time", "終了時間": "time"}


def test_a_header_matched_by_alias_or_spacing_still_gets_its_type():
    header = [h.replace("緯度", " 緯度 ") for h in AED_HEADER]
    types = columns.wanted_types(default_registry(), "legacy/aed", header)
    assert types[" 緯度 "] == "numeric"


def test_integers_and_dates_of_other_standards():
    registry = default_registry()
    toilet = registry.by_name("standard/public_toilet")
    types = columns.wanted_types(registry, "standard/public_toilet", toilet.field_names)
    assert types["男性トイレ総数"] == "int8" and types["利用開始時間"] == "time"
    assert "全国地方公共団体コード" not in types and "町字ID" not in types
    population = registry.by_name("legacy/population")
    types = columns.wanted_types(registry, "legacy/population", population.field_names)
    dates = [f["name"] for f in population.fields if f.get("type") == "date"]
    assert all(types[name] == "date" for name in dates)
    assert "int8" in types.values()


def test_cast_sql_turns_blanks_into_null():
    assert columns.cast_sql('"緯度"', "numeric") == "NULLIF(btrim(\"緯度\"), '')::numeric"


def test_japanese_is_detected_in_kanji_kana_and_half_width_kana():
    assert all(jpsearch.has_japanese(v) for v in ("倉敷", "あち", "アチ", "ｱﾁ", "々"))
    assert not any(jpsearch.has_japanese(v) for v in ("kurashiki", "123", "", None, {"a": 1}))


def test_terms_are_normalised_split_and_lose_the_tsquery_prefix_mark():
    assert jpsearch.terms("倉敷　図書館:*") == ["倉敷", "図書館"]
    assert jpsearch.terms("ｱﾁ ＡＢＣ") == ["アチ", "ABC"]
    assert jpsearch.terms("倉敷 倉敷") == ["倉敷"]
    assert len(jpsearch.terms(" ".join(f"語{i}" for i in range(30)))) == jpsearch.MAX_TERMS


def test_like_characters_are_literal_and_values_are_bound_not_inlined():
    assert jpsearch.like_pattern("50%_\\") == "%50\\%\\_\\\\%"
    clauses = jpsearch.like_clauses("col", "倉敷'; DROP TABLE x; --", "p")
    assert clauses[0] == ("col ILIKE :p_0", {"p_0": "%倉敷';%"})
    assert all("DROP" not in sql for sql, _ in clauses)
    assert jpsearch.like_clauses("ft", "ABC倉敷", "p", lower=True) == [
        ("ft LIKE :p_0", {"p_0": "%abc倉敷%"})]


def test_rows_get_the_bigrams_of_their_japanese_in_order_with_a_gap_between_runs():
    vector = jpsearch.doc_vector(["倉敷市阿知1", "aed設置", "ｱﾁ", "x'y"])
    assert vector == ("'倉敷':1 '敷市':2 '市阿':3 '阿知':4 '知':5 '設置':7 '置':8 "
                      "'アチ':10 'チ':11")
    assert jpsearch.doc_vector(None) == "" and jpsearch.doc_vector(["abc"]) == ""
    # PostgreSQL's largest position is never passed.
    long = jpsearch.doc_vector(["あい" * 10000])
    assert int(long.rsplit(":", 1)[1]) <= jpsearch.MAX_POSITION


def test_a_japanese_term_is_the_phrase_of_its_bigrams():
    assert jpsearch.query("図書館") == "(('図書' <-> '書館'))"
    assert jpsearch.query("倉敷") == "(('倉敷'))"
    # One character: every bigram it starts, or the run's last character.
    assert jpsearch.query("市") == "('市':*)"
    assert jpsearch.query("阿知 AED") == "(('阿知')) & ('aed':*)"
    assert jpsearch.query("ｱﾁ:*") == "(('アチ'))"
    assert jpsearch.query("!!") is None
    # Quotes cannot leave their lexeme.
    assert jpsearch.query("倉敷' | 'x") == "(('倉敷')) & ('x':*)"


def test_bigrams_stop_at_the_last_tsvector_position_exactly():
    # One-character runs: a token and a gap each, so the 8,192nd lexeme is at 16,383.
    lexemes = sorted(chr(0x4E00 + i) for i in range(8200))
    positions = [int(part.rsplit(":", 1)[1]) for part in jpsearch.doc_vector(lexemes).split()]
    assert len(positions) == 8192 and positions[-1] == jpsearch.MAX_POSITION == 16383


def test_database_refusals_get_a_message_by_their_class():
    assert sqlerrors.message("22P02") == sqlerrors.message("22012") == sqlerrors.CAST
    assert sqlerrors.message("23505") == sqlerrors.CAST
    assert sqlerrors.message("54001") == sqlerrors.LIMIT
    assert sqlerrors.message(None) == sqlerrors.message("XX000") == sqlerrors.OTHER
    assert sqlerrors.first_line("invalid input syntax\nLINE 1: SELECT") == "invalid input syntax"


def _search_value(value):  # as views.search_value: Japanese kept, the rest prefixed
    return value if jpsearch.has_japanese(value) else value + ":*"


def test_the_filtered_download_keeps_what_the_preview_shows():
    cols = ["名称", "住所", "緯度"]
    params = {"search": {"value": "倉敷 図書館"}, "order": [{"column": 1, "dir": "desc"}],
              "visible": [True, False, True], "columns": [{"name": "名称", "search": {"value": ""}}]}
    query = download.dump_query(params, cols, _search_value)
    assert query["q"] == "倉敷 図書館" and query["sort"] == '"住所" desc'
    assert query["fields"] == "名称,緯度"
    # Column searches win over the search box, as in the preview; unknown columns dropped.
    params["columns"] = [{"name": "名称", "search": {"value": "美術"}},
                         {"name": "無い列", "search": {"value": "x"}}]
    assert download.dump_query(params, cols, _search_value)["q"] == '{"名称": "美術"}'


def test_a_malformed_download_request_is_ignored_or_refused():
    assert download.parse_params("{not json") is None
    assert download.parse_params("[1, 2]") is None
    odd = {"search": "x", "order": [{"column": "x"}, {"column": 9}, "y"], "visible": [True],
           "columns": [None, {"name": 3, "search": "v"}]}
    query = download.dump_query(odd, ["名称"], _search_value)
    assert query == {"q": "", "plain": False, "language": "simple", "sort": "_id",
                     "fields": "名称"}

