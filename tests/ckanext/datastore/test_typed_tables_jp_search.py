"""Issue 8, items 1-4 (plugin regionaliot_datastore) against the real PostgreSQL DataStore.

xloader's job itself needs a web server to fetch from, so the load is what it leaves
behind: a table of text columns (datastore_create), then xloader's IXloader.after_upload
hook, which is what the plugin implements.
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
from ckanext.datastore.backend.postgres import get_read_engine
from ckanext.regionaliot.datastore import hooks

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy" / "aed.csv"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def dataset(sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], private=False, standard_dataset="aed",
                             user={"name": sysadmin["name"]})


def load(create_with_upload, dataset, text: str) -> dict:
    """Upload (validated at once: small) and load into the DataStore as xloader does."""
    context = {"user": model.User.get(dataset["creator_user_id"]).name}
    resource = create_with_upload(text, "aed.csv", context=context, package_id=dataset["id"],
                                  url="aed.csv", format="CSV")
    data = rows(text)
    call_action("datastore_create", resource_id=resource["id"], force=True,
                fields=[{"id": name, "type": "text"} for name in data[0]], records=data)
    plugin = p.get_plugin("regionaliot_datastore")
    resource = call_action("resource_show", id=resource["id"])
    plugin.after_upload({}, resource, call_action("package_show", id=dataset["id"]))
    return resource


def types(resource_id: str) -> dict[str, str]:
    info = call_action("datastore_search", resource_id=resource_id, limit=0)
    return {f["id"]: f["type"] for f in info["fields"]}


def search(resource_id: str, **params) -> list[dict]:
    params.setdefault("limit", 1000)
    return call_action("datastore_search", resource_id=resource_id, **params)["records"]


def test_a_valid_standard_file_gets_the_schemas_column_types(create_with_upload, dataset):
    resource = load(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    assert call_action("resource_validation_show", id=resource["id"])["status"] == "success"
    got = types(resource["id"])
    assert got["緯度"] == "numeric" and got["経度"] == "numeric"
    assert got["開始時間"] == "time" and got["終了時間"] == "time"
    # Codes stay text: leading zeros survive.
    assert got["NO"] == "text" and got["都道府県コード又は市区町村コード"] == "text"
    first = search(resource["id"], sort="_id")[0]
    assert first["NO"] == "0000000001"
    # Numeric filters and sorting now work on values, not strings.
    north = search(resource["id"], sort="緯度 desc", limit=1)[0]
    assert float(north["緯度"]) == max(float(r["緯度"]) for r in rows(SAMPLE.read_text("utf-8")))
    with get_read_engine().connect() as conn:
        n = conn.execute(sa.text(f'SELECT count(*) FROM "{resource["id"]}" WHERE "緯度" > 34.59'))
        assert n.scalar() == sum(1 for r in rows(SAMPLE.read_text("utf-8")) if float(r["緯度"]) > 34.59)
    note = p.toolkit.h.regionaliot_datastore_table_note(resource["id"])
    assert note["state"] == "typed"


def test_a_file_with_errors_stays_text_and_says_so(create_with_upload, dataset):
    data = rows(SAMPLE.read_text(encoding="utf-8"))
    data[0]["緯度"] = "北緯34度"  # not a number: the file fails validation
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(data[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(data)
    resource = load(create_with_upload, dataset, out.getvalue())
    assert call_action("resource_validation_show", id=resource["id"])["status"] == "failure"
    assert set(types(resource["id"]).values()) == {"text", "int"}  # int: _id
    assert search(resource["id"], filters={"緯度": "北緯34度"})  # nothing lost
    note = p.toolkit.h.regionaliot_datastore_table_note(resource["id"])
    assert note["state"] == "errors" and "validation errors" in note["message"]


def test_japanese_q_finds_words_inside_cells(create_with_upload, dataset):
    text = SAMPLE.read_text(encoding="utf-8")
    resource = load(create_with_upload, dataset, text)
    data = rows(text)
    rid = resource["id"]
    # The load gave the rows their bigrams (else the slow substring fallback answers).
    with get_read_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT obj_description(CAST(:t AS regclass), 'pg_class')"),
                            {"t": f'"{rid}"'}).scalar() == hooks.GRAMS_MARK
    with_word = [r for r in data if any("倉敷" in v for v in r.values())]
    assert len(search(rid, q="倉敷")) == len(with_word) > 1
    assert [r["名称"] for r in search(rid, q="美術館")] == [r["名称"] for r in data
                                                             if "美術館" in r["名称"]]
    # Several terms: all must occur; the tsquery prefix syntax of the preview is harmless.
    assert {r["名称"] for r in search(rid, q="倉敷 美術館")} == {"倉敷市立美術館"}
    assert {r["名称"] for r in search(rid, q="美術館:*", plain=False)} == {"倉敷市立美術館"}
    # Per column: only that column is searched.
    assert {r["名称"] for r in search(rid, q={"名称": "美術館"})} == {"倉敷市立美術館"}
    assert search(rid, q={"住所": "美術館"}) == []
    assert len(search(rid, q={"名称_カナ": "ビジュツ"})) == 1
    # Punctuation is no part of a word; ASCII q keeps the stock full text.
    assert len(search(rid, q="倉敷%")) == len(with_word)
    assert len(search(rid, q="www.city.kurashiki.okayama.jp")) == len(
        [r for r in data if "www.city.kurashiki.okayama.jp" in r["URL"]]) == 1
    # 1-character words too (every bigram it starts, or a run's last character).
    assert len(search(rid, q="館")) == len([r for r in data if any("館" in v for v in r.values())])


def test_a_table_without_bigrams_is_searched_by_substring(create_with_upload, dataset):
    """A table made through the API (no xloader load) still finds Japanese words."""
    rid = factories.Resource(package_id=dataset["id"], url="http://127.0.0.1/x.csv")["id"]
    call_action("datastore_create", resource_id=rid, force=True,
                fields=[{"id": "名称", "type": "text"}],
                records=[{"名称": "阿知図書館"}, {"名称": "倉敷市立美術館"}])
    with get_read_engine().connect() as conn:
        mark = conn.execute(sa.text("SELECT obj_description(CAST(:t AS regclass), 'pg_class')"),
                            {"t": f'"{rid}"'}).scalar()
    assert mark is None
    assert [r["名称"] for r in search(rid, q="図書館")] == ["阿知図書館"]
    assert [r["名称"] for r in search(rid, q="倉敷")] == ["倉敷市立美術館"]


def test_the_table_preview_finds_japanese(app, create_with_upload, dataset):
    resource = load(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    context = {"user": model.User.get(dataset["creator_user_id"]).name}
    view = call_action("resource_view_create", context=context, resource_id=resource["id"],
                       view_type="datatables_view", title="表")
    url = f"/datatables/ajax/{view['id']}"
    base = {"draw": "1", "start": "0", "length": "50"}
    got = app.post(url, data=dict(base, **{"search[value]": "美術館"}))
    assert got.status_code == 200, got.body
    assert [r["名称"] for r in json.loads(got.body)["data"]] == ["倉敷市立美術館"]
    columns = {"columns[0][name]": "名称", "columns[0][search][value]": "美術",
               "columns[1][name]": "住所", "columns[1][search][value]": ""}
    got = json.loads(app.post(url, data=dict(base, **columns)).body)
    assert [r["名称"] for r in got["data"]] == ["倉敷市立美術館"]
    # English and numbers as before (prefix full text).
    got = json.loads(app.post(url, data=dict(base, **{"search[value]": "www"})).body)
    assert got["recordsFiltered"] >= 1
    bad = app.post(url, data=dict(base, **{"order[0][column]": "x", "draw": "y"}))
    assert bad.status_code == 200


def test_the_previews_filtered_download_keeps_japanese_and_privacy(app, create_with_upload,
                                                                  sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    private = factories.Dataset(owner_org=org["id"], private=True, standard_dataset="aed",
                                user={"name": sysadmin["name"]})
    resource = load(create_with_upload, private, SAMPLE.read_text(encoding="utf-8"))
    view = call_action("resource_view_create", context={"user": sysadmin["name"]},
                       resource_id=resource["id"], view_type="datatables_view", title="表")
    url = f"/datatables/filtered-download/{view['id']}"
    state = {"search": {"value": ""}, "order": [{"column": 0, "dir": "asc"}],
             "columns": [{"name": "名称", "search": {"value": "美術"}}]}
    form = {"params": json.dumps(state), "format": "csv"}
    me = {"Authorization": sysadmin["token"]}
    got = app.post(url, data=form, headers=me, follow_redirects=False)
    assert got.status_code == 302 and "/datastore/dump/" in got.headers["Location"]
    dump = app.get(got.headers["Location"], headers=me)
    assert dump.body.startswith("\ufeff")  # BOM: Excel reads the Japanese as UTF-8
    table = rows(dump.body.lstrip("\ufeff"))
    assert [r["名称"] for r in table] == ["倉敷市立美術館"]
    app.get(got.headers["Location"], status=404)  # private: the dump reads as the user
    bad = app.post(url, data={"params": "{not json", "format": "csv"}, headers=me, status=400)
    assert "ダウンロードの指定が正しくありません" in bad.body


def test_the_data_api_box_shows_this_resources_examples(app, create_with_upload, dataset):
    resource = load(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    page = app.get("/api/1/util/snippet/api_info.html",
                   query_string={"resource_id": resource["id"]}).body
    assert "jones" not in page and "watershed" not in page
    assert resource["id"] in page
    assert "データAPI" in page and "どれかの列に「倉敷」を含む行" in page
    assert "q=%E5%80%89%E6%95%B7" in page  # q=倉敷, URL-encoded in the copyable URL
    assert "filters" in page and "datastore_search_sql" in page
    assert "ckan.action.datastore_search(resource_id=" in page
    english = app.get("/en/api/1/util/snippet/api_info.html",
                      query_string={"resource_id": resource["id"]}).body
    assert "Use this table through the API" in english


def test_the_data_dictionary_names_each_columns_type(app, create_with_upload, dataset):
    """The resource page's data dictionary: the type in the page's language, then
    PostgreSQL's name (datastore_search_sql's casts use it), not the bare name alone."""
    import re

    resource = load(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    path = f"/dataset/{dataset['name']}/resource/{resource['id']}"

    def shown(page: str, column: str) -> str:
        found = re.search(rf'<div class="col-7">{column}</div>\s*<div class="col-4">([^<]*)</div>',
                          page)
        assert found, column
        return found.group(1).strip()

    page = app.get(path).body
    assert shown(page, "緯度") == "数値 (numeric)"
    assert shown(page, "NO") == "文字列 (text)"
    assert shown(page, "開始時間") == "時刻 (time)"
    english = app.get("/en" + path).body
    assert shown(english, "緯度") == "Number (numeric)"
    assert shown(english, "開始時間") == "Time (time)"


def _range_indexes(resource_id: str) -> dict[str, str]:
    """{column: index name} of the table's single-column B-tree indexes."""
    with get_read_engine().connect() as conn:
        found = conn.execute(sa.text(
            "SELECT a.attname, c.relname FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE i.indrelid = CAST(:t AS regclass) AND am.amname = 'btree'"
            " AND i.indnatts = 1 AND NOT i.indisprimary"), {"t": f'"{resource_id}"'})
        return dict(found.all())


def test_typed_columns_get_a_range_index_once(create_with_upload, dataset):
    resource = load(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    typed = {name for name, kind in types(resource["id"]).items() if kind not in ("text", "int")}
    assert {"緯度", "経度", "開始時間"} <= typed
    indexes = _range_indexes(resource["id"])
    assert set(indexes) == typed
    # A second load hook (xloader's after_upload again) adds nothing.
    plugin = p.get_plugin("regionaliot_datastore")
    plugin.after_upload({}, call_action("resource_show", id=resource["id"]),
                        call_action("package_show", id=dataset["id"]))
    assert _range_indexes(resource["id"]) == indexes
    # The planner can answer a range on 緯度 from the index (sequential scans off, so that
    # the tiny sample's table scan is not preferred).
    with get_read_engine().connect() as conn:
        conn.execute(sa.text("SET enable_seqscan = off"))
        plan = conn.execute(sa.text(
            f'EXPLAIN SELECT "_id" FROM "{resource["id"]}" WHERE "緯度" BETWEEN 34.5 AND 34.6'
        )).scalars().all()
    assert any(indexes["緯度"] in line for line in plan), plan


def test_a_file_with_errors_gets_no_range_index(create_with_upload, dataset):
    data = rows(SAMPLE.read_text(encoding="utf-8"))
    data[0]["緯度"] = "北緯34度"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(data[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(data)
    resource = load(create_with_upload, dataset, out.getvalue())
    assert _range_indexes(resource["id"]) == {}
