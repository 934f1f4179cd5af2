"""Issue 8, item 3 and the hackathon page (regionaliot_datastore, regionaliot_map_view,
regionaliot_chart_view) against the real DataStore; bigrams of rows added by
datastore_upsert. The load is what xloader leaves behind (text columns), then its
after_upload hook, as in test_typed_tables_jp_search.py.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import ckan.model as model
import ckan.plugins as p
import pytest
import sqlalchemy as sa
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.datastore.backend.postgres import get_write_engine
from ckanext.regionaliot.datastore import hooks, jpsearch

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy"


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


def make_dataset(sysadmin, standard: str, private: bool = False) -> dict:
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], private=private, standard_dataset=standard,
                             user={"name": sysadmin["name"]})


def load(create_with_upload, dataset: dict, sample: str) -> dict:
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    context = {"user": model.User.get(dataset["creator_user_id"]).name}
    resource = create_with_upload(text, sample, context=context, package_id=dataset["id"],
                                  url=sample, format="CSV")
    data = list(csv.DictReader(io.StringIO(text)))
    call_action("datastore_create", resource_id=resource["id"], force=True,
                fields=[{"id": name, "type": "text"} for name in data[0]], records=data)
    resource = call_action("resource_show", id=resource["id"])
    p.get_plugin("regionaliot_datastore").after_upload(
        {}, resource, call_action("package_show", id=dataset["id"]))
    return resource


def views(resource_id: str) -> dict[str, dict]:
    return {v["view_type"]: v for v in call_action("resource_view_list", id=resource_id)}


def test_a_validated_table_with_coordinates_gets_a_map_with_its_points(
        app, create_with_upload, sysadmin):
    dataset = make_dataset(sysadmin, "aed")
    resource = load(create_with_upload, dataset, "aed.csv")
    made = views(resource["id"])
    assert "regionaliot_map_view" in made and "regionaliot_chart_view" not in made
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}"
                   f"/view/{made['regionaliot_map_view']['id']}")
    assert page.status_code == 200
    assert 'class="regionaliot-rows-map"' in page.body and "rows-map.js" in page.body
    # The test profile has no tiles: nothing past 127.0.0.1.
    assert 'data-tiles=""' in page.body and "cyberjapandata" not in page.body
    points = json.loads(app.get(f"/regionaliot/rows/{resource['id']}/points.json",
                                query_string={"latitude": "緯度", "longitude": "経度"}).body)
    rows = list(csv.DictReader(io.StringIO((SAMPLES / "aed.csv").read_text("utf-8"))))
    assert [pt[:2] for pt in points["points"]] == [[float(r["緯度"]), float(r["経度"])]
                                                   for r in rows]
    assert points["skipped"] == 0 and not points["truncated"]
    # A second load makes no second map.
    p.get_plugin("regionaliot_datastore").after_upload({}, resource, dataset)
    assert [v["view_type"] for v in call_action("resource_view_list", id=resource["id"])
            ].count("regionaliot_map_view") == 1


def test_a_private_tables_points_stay_private(app, create_with_upload, sysadmin):
    dataset = make_dataset(sysadmin, "aed", private=True)
    resource = load(create_with_upload, dataset, "aed.csv")
    url = f"/regionaliot/rows/{resource['id']}/points.json"
    anonymous = app.get(url, status=404)
    assert "points" not in anonymous.body
    mine = app.get(url, headers={"Authorization": sysadmin["token"]})
    assert len(json.loads(mine.body)["points"]) == 4


def test_a_population_table_gets_a_pyramid_and_charts_say_what_is_wrong(
        app, create_with_upload, sysadmin):
    dataset = make_dataset(sysadmin, "population")
    resource = load(create_with_upload, dataset, "population.csv")
    made = views(resource["id"])
    assert "regionaliot_chart_view" in made and "regionaliot_map_view" not in made
    base = f"/dataset/{dataset['name']}/resource/{resource['id']}/view/"
    pyramid = app.get(base + made["regionaliot_chart_view"]["id"]).body
    assert "regionaliot-story-bar--female" in pyramid and "0-4歳" in pyramid
    # Bars by group, and the figures as a table.
    context = {"user": sysadmin["name"]}
    bars = call_action("resource_view_create", context=context, resource_id=resource["id"],
                       view_type="regionaliot_chart_view", title="総人口",
                       kind="sum", group="地域名", value="総人口")
    page = app.get(base + bars["id"]).body
    assert page.count('class="regionaliot-story-bar"') == 3 and "<table" in page
    # A column the table does not have: a message, not a 500.
    odd = call_action("resource_view_create", context=context, resource_id=resource["id"],
                      view_type="regionaliot_chart_view", title="odd",
                      kind="sum", group="無い列", value="総人口")
    page = app.get(base + odd["id"], status=200).body
    assert "「無い列」という列はありません" in page
    english = app.get("/en" + base + odd["id"], status=200).body
    assert "The table has no column 「無い列」." in english


def test_rows_added_by_upsert_are_found_by_japanese_words(create_with_upload, sysadmin):
    dataset = make_dataset(sysadmin, "aed")
    resource = load(create_with_upload, dataset, "aed.csv")
    rid = resource["id"]
    # A table loaded before the trigger existed: the command gives it its trigger.
    with get_write_engine().begin() as conn:
        conn.exec_driver_sql(f'DROP TRIGGER {hooks.GRAMS_TRIGGER} ON "{rid}"')
    # Other tests' tables may be in the same DataStore: only this one is asserted.
    assert (rid, None) in hooks.update_grams()[0]
    assert rid not in [t for t, _rows in hooks.update_grams()[0]]  # it has its trigger now
    call_action("datastore_upsert", resource_id=rid, method="insert", force=True,
                records=[{"NO": "0000000099", "名称": "新見市立新見図書館"}])
    found = call_action("datastore_search", resource_id=rid, q="図書館")["records"]
    assert [r["名称"] for r in found] == ["新見市立新見図書館"]
    # The table still has its bigrams (the index answers, not the substring fallback).
    assert hooks.japanese_search({}, {"resource_id": rid, "q": "図書館"}, {}, {
        "where": [], "ts_query": ""})["where"][0][0].startswith("_full_text @@")
    # An update recomputes the row's bigrams once: the same as a fresh computation.
    call_action("datastore_upsert", resource_id=rid, method="upsert", force=True,
                records=[{"_id": found[0]["_id"], "名称": "新見図書館"}])
    assert [r["名称"] for r in call_action("datastore_search", resource_id=rid,
                                           q="新見図書")["records"]] == ["新見図書館"]
    with get_write_engine().connect() as conn:
        stored, fresh = conn.execute(sa.text(
            f'SELECT _full_text::text, (to_tsvector(string_agg(value, \' \')) || '
            f'regionaliot_ja_grams(to_tsvector(string_agg(value, \' \'))))::text '
            f'FROM "{rid}" t, json_each_text(row_to_json(t.*)) '
            f"WHERE key NOT LIKE '\\_%' AND _id = :id GROUP BY _full_text"),
            {"id": found[0]["_id"]}).one()
    assert stored == fresh


def full_texts(rid: str) -> dict[int, tuple[str, str]]:
    """Each row's stored full text beside what a fresh computation gives: CKAN's
    to_tsvector of its values and our bigrams of that."""
    with get_write_engine().connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(sa.text(
            f'SELECT _id, _full_text::text, (to_tsvector(string_agg(value, \' \')) || '
            f'regionaliot_ja_grams(to_tsvector(string_agg(value, \' \'))))::text '
            f'FROM "{rid}" t, json_each_text(row_to_json(t.*)) '
            f"WHERE key NOT LIKE '\\_%' GROUP BY _id, _full_text"))}


def test_the_grams_command_brings_older_tables_up_to_date(cli, create_with_upload, sysadmin):
    from ckan.cli.cli import ckan

    dataset = make_dataset(sysadmin, "aed")
    # Loaded before the upsert trigger existed: it has the bigrams, not the trigger.
    loaded = load(create_with_upload, dataset, "aed.csv")["id"]
    with get_write_engine().begin() as conn:
        conn.exec_driver_sql(f'DROP TRIGGER {hooks.GRAMS_TRIGGER} ON "{loaded}"')
    # Loaded before the bigrams existed (a table made through the API is the same).
    older = factories.Resource(package_id=dataset["id"], url="http://127.0.0.1/old.csv")["id"]
    call_action("datastore_create", resource_id=older, force=True,
                fields=[{"id": "名称", "type": "text"}],
                records=[{"名称": "阿知図書館"}, {"名称": "倉敷市立美術館"}])
    loaded_before = full_texts(loaded)

    result = cli.invoke(ckan, ["regionaliot", "datastore", "grams"])
    assert result.exit_code == 0, result.output
    assert f"{older}: 2 行にバイグラムを付け、追加行用のトリガーを付けました" in result.output
    assert f"{loaded}: 追加行用のトリガーを付けました（バイグラムは付いていました）" in (
        result.output)
    assert full_texts(loaded) == loaded_before  # not appended twice
    assert all(stored == fresh for stored, fresh in full_texts(older).values())
    # The bigram index answers (not the substring scan), and upserted rows get theirs.
    assert hooks.japanese_search({}, {"resource_id": older, "q": "図書館"}, {}, {
        "where": [], "ts_query": ""})["where"][0][0].startswith("_full_text @@")
    call_action("datastore_upsert", resource_id=older, method="insert", force=True,
                records=[{"名称": "新見図書館"}])
    assert [r["名称"] for r in call_action("datastore_search", resource_id=older,
                                           q="図書館")["records"]] == ["阿知図書館", "新見図書館"]
    older_after = full_texts(older)

    # Again: both are up to date, nothing is listed or changed.
    again = cli.invoke(ckan, ["regionaliot", "datastore", "grams", older, loaded])
    assert again.exit_code == 0, again.output
    assert older not in again.output and loaded not in again.output
    assert "0 個の表を更新しました。" in again.output
    assert full_texts(older) == older_after and full_texts(loaded) == loaded_before


@pytest.mark.parametrize("text", [
    "倉敷市阿知2丁目 アチ図書館", "ｸﾗｼｷ 々 a b", "", "english only 123",
    "長" * 40 + " 短い",
    # Past the last tsvector position, with distinct bigrams (a lexeme keeps 256 positions).
    " ".join(chr(0x4E00 + i) + chr(0x6000 + i) for i in range(6000)),
    # One-character runs take two positions each: the 8,192nd lands on the last one, 16,383
    # (PostgreSQL clamps any later position to it, so one too many shows as an extra lexeme).
    " ".join(chr(0x4E00 + i) for i in range(8200)),
    # A three-character run that starts on the last position: only its first bigram fits
    # (lexemes are taken in sorted order: 鼀鼁鼂 sorts after the 8,191 one-character ones).
    pytest.param(" ".join(chr(0x4E00 + i) for i in range(8191)) + " 鼀鼁鼂", id="straddles"),
])
def test_the_sql_bigrams_are_the_pythons(text):
    with get_write_engine().begin() as conn:
        hooks.ensure_grams_functions()
        lexemes = conn.execute(sa.text("SELECT tsvector_to_array(to_tsvector(:t))"),
                               {"t": text}).scalar()
        python = jpsearch.doc_vector(lexemes)
        sql, expected = conn.execute(sa.text(
            "SELECT coalesce(regionaliot_ja_grams(to_tsvector(:t))::text, ''), "
            "CAST(:p AS tsvector)::text"), {"t": text, "p": python}).one()
    assert sql == expected


def test_the_hackathon_page_shows_a_worked_example_of_a_real_table(
        app, create_with_upload, sysadmin):
    dataset = make_dataset(sysadmin, "aed")
    resource = load(create_with_upload, dataset, "aed.csv")
    page = app.get("/hackathon").body
    assert "ハッカソン" in page and resource["id"] in page
    assert f"package_show(id=&#39;{dataset['name']}&#39;)" in page
    assert "q=&#39;倉敷&#39;" in page  # a word from its own first row
    assert "32000" in page and "cc-by-4.0" in page
    # The total's exact-count limit, and casts written as datastore_search_sql accepts them.
    assert "total_was_estimated: true" in page and "推定値" in page
    assert "PostgreSQL の ::" in page and '"緯度"::numeric BETWEEN' in page
    assert "Data for hackathons" in app.get("/en/hackathon").body
    box = app.get("/api/1/util/snippet/api_info.html",
                  query_string={"resource_id": resource["id"]}).body
    assert 'href="/hackathon"' in box


def test_a_failed_cast_in_datastore_search_sql_is_a_409_in_japanese(
        app, create_with_upload, sysadmin):
    dataset = make_dataset(sysadmin, "aed")
    resource = load(create_with_upload, dataset, "aed.csv")
    rid = resource["id"]
    sql = f'SELECT "名称"::integer FROM "{rid}"'  # CKAN refuses CAST( as a function call
    got = app.get("/api/3/action/datastore_search_sql", query_string={"sql": sql}, status=409)
    error = json.loads(got.body)["error"]
    assert error["sql"] == ["問い合わせの中の値を変換・計算できませんでした（例: 文字を数値に変換、"
                            "0 で割る）。"]
    assert "invalid input syntax for type integer" in error["info"]["orig"][0]
    # What CKAN reported itself stays as it was (a syntax error: its own 409).
    bad = json.loads(app.get("/api/3/action/datastore_search_sql",
                             query_string={"sql": "SELEC 1"}, status=409).body)["error"]
    assert "query" in bad

