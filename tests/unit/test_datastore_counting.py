"""Pure parts of datastore_search's affordable total (regionaliot_datastore counting.py)."""
from __future__ import annotations

from ckanext.regionaliot.datastore import counting


def test_the_requests_threshold_wins_else_the_sites_and_zero_is_off():
    assert counting.threshold(None, 1000) == 1000
    assert counting.threshold("", 1000) == 1000
    assert counting.threshold("50", 1000) == 50
    assert counting.threshold(10**9, 1000) == 10**9
    assert counting.threshold(None, 0) is None  # the site's 0: CKAN's exact counts
    assert counting.threshold(0, 1000) is None
    assert counting.threshold("many", 1000) is None  # left to CKAN's validation


def test_filtered_means_what_ckan_counts_one_by_one():
    assert not counting.filtered({"resource_id": "x"})
    assert not counting.filtered({"q": "", "filters": {}})
    assert not counting.filtered({"q": "  ", "filters": "{}"})
    assert counting.filtered({"q": "図書館"})
    assert counting.filtered({"q": {"名称": "図書館"}})
    assert counting.filtered({"filters": {"市区町村名": "倉敷市"}})
    assert counting.filtered({"filters": '{"市区町村名": "倉敷市"}'})
    assert counting.filtered({"full_text": "library"})


def test_where_clauses_are_joined_as_ckan_joins_them():
    condition, params = counting.where([
        ("_full_text @@ CAST(:rjq AS tsquery)", {"rjq": "'図書' <-> '書館'"}),
        ('"市区町村名" = :value_0', {"value_0": "倉敷市"}),
    ])
    assert condition == '(_full_text @@ CAST(:rjq AS tsquery)) AND ("市区町村名" = :value_0)'
    assert params == {"rjq": "'図書' <-> '書館'", "value_0": "倉敷市"}
    assert counting.where([]) == ("", {})


def test_the_capped_count_stops_after_the_threshold():
    sql = counting.capped_count_sql('"t"', ", plainto_tsquery('english', '図書館') \"query\"",
                                    "(_full_text @@ \"query\")", 1000)
    assert sql.startswith('SELECT count(*) FROM (SELECT 1 FROM "t" , plainto_tsquery(')
    assert 'WHERE (_full_text @@ "query") LIMIT 1001) AS capped' in sql
    assert "WHERE" not in counting.capped_count_sql('"t"', "", "", 5)


def test_the_sample_reads_about_the_same_rows_whatever_the_table():
    assert counting.sample_percent(1_000_000) == 0.5
    assert counting.sample_percent(100_000) == 5.0
    assert counting.sample_percent(10_000) is None  # no larger than twice the sample
    assert counting.sample_percent(-1) is None  # never analysed
    assert counting.sample_percent(1000, sample_rows=100) == 10.0
    sql = counting.sample_sql('"t"', "", '("a" = :v)', 0.5)
    assert sql == ('SELECT count(*) FILTER (WHERE ("a" = :v)), count(*) FROM "t" '
                   "TABLESAMPLE SYSTEM (0.500000) REPEATABLE (0) ")


def test_the_estimate_is_rounded_and_never_below_what_was_counted():
    assert counting.estimate(627, 5003, 1_000_000, 1001) == 125_000
    assert counting.estimate(1, 5000, 1_000_000, 1001) == 1001
    assert counting.estimate(0, 0, 1_000_000, 1001) == 1001
    assert counting.estimate(5000, 5000, 1_234_567, 1001) == 1_230_000
