"""datastore_search's total for a q or filters (regionaliot_datastore total.py): exact up to
total_estimation_threshold, estimated above it and flagged, in CKAN's answer shape, on the
real DataStore. The table is made as a load leaves it (datastore_create, then the plugin's
bigram pass and the statistics xloader's ANALYZE gives)."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.datastore.backend.postgres import get_write_engine
from ckanext.regionaliot.datastore import counting, hooks, total

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ROWS = 400
WITH_WORD = 300  # rows whose 名称 holds 図書館
IN_KURASHIKI = 200


def row(i: int) -> dict[str, str]:
    return {"市区町村名": "倉敷市" if i % 2 else "総社市",
            "名称": f"阿知図書館{i}" if i % 4 else f"中央公民館{i}",
            "NO": f"{i:05d}"}


@pytest.fixture
def table():
    sysadmin = factories.Sysadmin()
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    result = call_action("datastore_create", {"user": sysadmin["name"]},
                         resource={"package_id": dataset["id"]},
                         force=True, fields=[{"id": c, "type": "text"} for c in row(0)],
                         records=[row(i) for i in range(ROWS)])
    rid = result["resource_id"]
    hooks.add_japanese_grams(rid)
    with get_write_engine().begin() as conn:
        conn.execute(sa.text(f'ANALYZE "{rid}"'))
    return rid


def search(rid: str, **params) -> dict:
    return call_action("datastore_search", resource_id=rid, **params)


def test_a_total_up_to_the_threshold_is_counted_exactly(table):
    got = search(table, q="図書館", limit=5)
    assert (got["total"], got["total_was_estimated"]) == (WITH_WORD, False)
    assert got["total_estimation_threshold"] == 1000  # the site's default, said
    assert [r["名称"] for r in got["records"]] == ["阿知図書館1", "阿知図書館2", "阿知図書館3",
                                                   "阿知図書館5", "阿知図書館6"]
    got = search(table, q="図書館", total_estimation_threshold=WITH_WORD, limit=1)
    assert (got["total"], got["total_was_estimated"]) == (WITH_WORD, False)
    got = search(table, filters={"市区町村名": "倉敷市"}, total_estimation_threshold=1000)
    assert (got["total"], got["total_was_estimated"]) == (IN_KURASHIKI, False)


def test_above_the_threshold_the_total_is_an_estimate_and_says_so(table, monkeypatch):
    monkeypatch.setattr(counting, "SAMPLE_ROWS", 50)  # the table is over twice the sample
    for params in ({"q": "図書館"}, {"filters": {"市区町村名": "倉敷市"}},
                   {"q": "図書館", "filters": {"市区町村名": "倉敷市"}}):
        got = search(table, total_estimation_threshold=100, limit=3, **params)
        assert got["total_was_estimated"] is True, params
        assert 101 <= got["total"] <= ROWS, params  # more than the threshold, for certain
        assert len(got["records"]) == 3 and got["include_total"] is True
        assert got == search(table, total_estimation_threshold=100, limit=3, **params)
    # A large threshold is the exact count.
    got = search(table, q="図書館", total_estimation_threshold=10**9)
    assert (got["total"], got["total_was_estimated"]) == (WITH_WORD, False)


def test_a_small_table_is_counted_whole_rather_than_sampled(table):
    # 400 rows: not more than twice the default sample, so counting is as cheap.
    got = search(table, q="図書館", total_estimation_threshold=100)
    assert (got["total"], got["total_was_estimated"]) == (WITH_WORD, False)


def test_without_a_filter_ckans_own_estimate_applies(table):
    got = search(table, total_estimation_threshold=100, limit=0)
    assert (got["total"], got["total_was_estimated"]) == (ROWS, True)  # the table's statistics
    assert (search(table, limit=0)["total"], search(table, limit=0)["total_was_estimated"]) == (
        ROWS, False)  # 400 rows: below the site's 1000


def test_what_ckan_does_stays_when_asked(table, monkeypatch):
    monkeypatch.setattr(counting, "SAMPLE_ROWS", 50)
    assert "total" not in search(table, q="図書館", include_total=False)
    got = search(table, q="図書館", distinct=True, fields="名称", total_estimation_threshold=100)
    assert (got["total"], got["total_was_estimated"]) == (WITH_WORD, False)  # DISTINCT: exact


@pytest.mark.ckan_config(total.SETTING, 0)
def test_the_site_can_switch_it_off(table, monkeypatch):
    monkeypatch.setattr(counting, "SAMPLE_ROWS", 50)
    got = search(table, q="図書館")
    assert (got["total"], got["total_was_estimated"]) == (WITH_WORD, False)
    assert got["total_estimation_threshold"] is None


def test_the_api_answers_as_ckan_does_over_http(app, table, monkeypatch):
    monkeypatch.setattr(counting, "SAMPLE_ROWS", 50)
    got = json.loads(app.get("/api/3/action/datastore_search", query_string={
        "resource_id": table, "q": "図書館", "total_estimation_threshold": "100",
        "limit": "2"}).body)
    assert got["success"] is True
    result = got["result"]
    assert result["total_was_estimated"] is True and 101 <= result["total"] <= ROWS
    assert len(result["records"]) == 2 and "next" in result["_links"]
    quiet = json.loads(app.get("/api/3/action/datastore_search", query_string={
        "resource_id": table, "q": "図書館", "include_total": "false"}).body)["result"]
    assert "total" not in quiet and quiet["include_total"] is False


def preview(rid: str) -> dict:
    """The table preview (CKAN's datatables view) of the table, made by a sysadmin."""
    return call_action("resource_view_create", {"user": factories.Sysadmin()["name"]},
                       resource_id=rid, view_type="datatables_view", title="表")


@pytest.mark.ckan_config(total.SETTING, 100)
def test_the_table_preview_is_told_which_totals_are_estimates(app, table, monkeypatch):
    """The preview's ajax (views.py) passes total_was_estimated on for each total, and its
    page carries the translated 約 / "about" texts and the script that shows them."""
    monkeypatch.setattr(counting, "SAMPLE_ROWS", 50)
    view = preview(table)
    url = f"/datatables/ajax/{view['id']}"
    base = {"draw": "1", "start": "0", "length": "10"}
    got = json.loads(app.post(url, data=base).body)
    assert (got["recordsTotal"], got["recordsFiltered"]) == (ROWS, ROWS)  # the statistics'
    assert got["recordsTotalEstimated"] is True and got["recordsFilteredEstimated"] is True
    got = json.loads(app.post(url, data=dict(base, **{"search[value]": "図書館"})).body)
    assert got["recordsFilteredEstimated"] is True and 101 <= got["recordsFiltered"] <= ROWS
    assert got["recordsTotalEstimated"] is True and len(got["data"]) == 10
    # 100 rows with 公民館: not above the threshold, so counted exactly.
    got = json.loads(app.post(url, data=dict(base, **{"search[value]": "公民館"})).body)
    assert (got["recordsFiltered"], got["recordsFilteredEstimated"]) == (ROWS // 4, False)
    assert got["recordsTotalEstimated"] is True
    dataset = call_action("resource_show", id=table)["package_id"]
    path = f"/dataset/{dataset}/resource/{table}/view/{view['id']}"
    page = app.get(path).body
    assert 'data-info="約 _TOTAL_ 件中 _START_ から _END_ まで表示"' in page
    assert 'data-info-filtered="（約 _MAX_ 件より抽出）"' in page
    assert "preview-estimates.js" in page and 'id="dtprv"' in page
    english = app.get("/en" + path).body
    assert 'data-info="Showing _START_ to _END_ of about _TOTAL_ entries"' in english
    assert 'data-info-filtered="(filtered from about _MAX_ total entries)"' in english


def test_an_exact_total_is_not_flagged_in_the_preview(app, table):
    """At the site's default threshold (1,000) a 400-row table is counted exactly."""
    view = preview(table)
    got = json.loads(app.post(f"/datatables/ajax/{view['id']}", data={
        "draw": "1", "start": "0", "length": "10", "search[value]": "図書館"}).body)
    assert (got["recordsTotal"], got["recordsFiltered"]) == (ROWS, WITH_WORD)
    assert got["recordsTotalEstimated"] is False and got["recordsFilteredEstimated"] is False
