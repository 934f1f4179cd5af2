"""Issue 15, item 10: every request the probe answered with a 500 now gets a 4xx with a
clear message (never a traceback). Against the real PostgreSQL, Solr and Redis.

The test app propagates exceptions (CKAN registers its catch-all 500 handler only outside
testing), so a request that would still be a 500 fails its test with the exception.
Messages are checked in Japanese, the portal's default language.
"""
from __future__ import annotations

import json

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

NUL_OR_SURROGATE = "保存できない文字"
CSV = "name,value\r\n川,1\r\n"


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def dataset(sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], name="takahashi-river",
                             user={"name": sysadmin["name"]})


def as_admin(sysadmin):
    return {"Authorization": sysadmin["token"]}


def assert_api_error(response, status, kind, *fragments):
    assert response.status_code == status, response.body
    assert "Traceback" not in response.body
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] == kind
    text = json.dumps(body["error"], ensure_ascii=False)
    for fragment in fragments:
        assert fragment in text, text


def assert_page(response, status, *fragments):
    assert response.status_code == status, response.body[:2000]
    assert "Traceback" not in response.body
    assert response.headers["Content-Type"].startswith("text/html")
    for fragment in fragments:
        assert fragment in response.body, response.body[:4000]


# ---------------------------------------------------------------- NUL and lone surrogates


@pytest.mark.parametrize("action", [
    "resource_validation_show", "resource_validation_run", "package_show", "resource_show",
])
def test_nul_in_an_id_in_the_query_is_a_400(app, sysadmin, action):
    response = app.get(f"/api/3/action/{action}?id=a%00b", headers=as_admin(sysadmin),
                       expect_errors=True)
    # resource_validation_run is not side-effect free: CKAN reads no query for it, the
    # guard refuses the NUL all the same.
    assert_api_error(response, 400, "Bad Request", NUL_OR_SURROGATE, "「id」")


@pytest.mark.parametrize("action", [
    "resource_validation_show", "resource_validation_run", "package_show", "resource_show",
])
@pytest.mark.parametrize("bad", ["a\u0000b", "\ud800", "x\udfffy"])
def test_nul_or_lone_surrogate_in_a_json_id_is_a_400(app, sysadmin, action, bad):
    # json.dumps writes "\ud800" as the escape a client sends; Python's parser turns it
    # back into a lone surrogate, which no UTF-8 encoder (psycopg2's) accepts.
    body = json.dumps({"id": bad})
    assert "\\ud" in body or "\\u0000" in body
    response = app.post(f"/api/3/action/{action}", data=body, content_type="application/json",
                        headers=as_admin(sysadmin), expect_errors=True)
    assert_api_error(response, 400, "Bad Request", NUL_OR_SURROGATE)


def test_nul_in_a_form_field_is_a_400(app, sysadmin):
    response = app.post("/api/3/action/package_show", data={"id": "a\x00b"},
                        headers=as_admin(sysadmin), expect_errors=True)
    assert_api_error(response, 400, "Bad Request", NUL_OR_SURROGATE, "「id」")


def test_nul_in_a_json_key_or_nested_value_is_a_400(app, sysadmin):
    for payload in ({"id": "x", "extras": [{"key": "k\u0000", "value": "v"}]},
                    {"id\u0000": "x"}):
        response = app.post("/api/3/action/package_show", json=payload,
                            headers=as_admin(sysadmin), expect_errors=True)
        assert_api_error(response, 400, "Bad Request", NUL_OR_SURROGATE)


def test_nul_in_the_schema_of_the_public_check_is_a_400(app):
    import io

    response = app.post("/api/3/action/regionaliot_validate_upload",
                        data={"upload": (io.BytesIO(CSV.encode()), "a.csv"), "schema": "aed\x00"},
                        expect_errors=True)
    assert_api_error(response, 400, "Bad Request", NUL_OR_SURROGATE, "「schema」")


def test_undecodable_percent_escapes_are_not_a_500(app, sysadmin):
    # Werkzeug decodes %ED%A0%80 (a UTF-8-encoded surrogate) to U+FFFD, not a surrogate:
    # the id is merely unknown.
    response = app.get("/api/3/action/package_show?id=%ED%A0%80", headers=as_admin(sysadmin),
                       expect_errors=True)
    assert response.status_code == 404, response.body


def test_nul_in_the_validation_report_path_is_a_400_page(app):
    response = app.get("/dataset/a%00b/resource/c%00d/validation", expect_errors=True)
    assert_page(response, 400, NUL_OR_SURROGATE, "「id」")


def test_nul_in_a_dataset_page_path_is_a_400_page(app):
    response = app.get("/dataset/a%00b", expect_errors=True)
    assert_page(response, 400, NUL_OR_SURROGATE)


def test_clean_requests_still_work(app, sysadmin, dataset):
    response = app.get(f"/api/3/action/package_show?id={dataset['id']}",
                       headers=as_admin(sysadmin))
    assert response.json["result"]["name"] == "takahashi-river"
    response = app.post("/api/3/action/package_show", json={"id": dataset["name"]},
                        headers=as_admin(sysadmin))
    assert response.json["success"] is True


# ---------------------------------------------------------------- deep JSON


def nested(depth: int) -> str:
    return '{"id": ' + "[" * depth + "]" * depth + "}"


def test_json_nested_50000_deep_is_a_400(app, sysadmin):
    response = app.post("/api/3/action/package_show", data=nested(50_000),
                        content_type="application/json", headers=as_admin(sysadmin),
                        expect_errors=True)
    assert_api_error(response, 400, "Bad Request", "入れ子", "100")


def test_json_nested_just_over_the_limit_is_a_400_and_under_it_is_not(app, sysadmin):
    def deep(depth):
        return '{"id": "no-such-dataset", "extras": ' + "[" * depth + "]" * depth + "}"

    over = app.post("/api/3/action/package_show", data=deep(100),
                    content_type="application/json", headers=as_admin(sysadmin),
                    expect_errors=True)
    assert_api_error(over, 400, "Bad Request", "入れ子")
    under = app.post("/api/3/action/package_show", data=deep(98),
                     content_type="application/json", headers=as_admin(sysadmin),
                     expect_errors=True)
    assert under.status_code == 404, under.body  # passed on to package_show


@pytest.mark.parametrize("bad_id", [["a"], [[["a"]]], 42, {"x": 1}])
def test_an_id_that_is_not_text_is_a_400(app, sysadmin, bad_id):
    for action in ("package_show", "resource_show"):
        response = app.post(f"/api/3/action/{action}", json={"id": bad_id},
                            headers=as_admin(sysadmin), expect_errors=True)
        assert_api_error(response, 400, "Bad Request", "「id」")


def test_json_nested_50000_deep_as_a_form_key_is_a_400(app, sysadmin):
    # CKAN also reads a form whose only key is JSON (its value "1" or "").
    response = app.post("/api/3/action/package_show", data={nested(50_000): "1"},
                        headers=as_admin(sysadmin), expect_errors=True)
    assert_api_error(response, 400, "Bad Request", "入れ子")


# ---------------------------------------------------------------- asbool parameters


@pytest.mark.parametrize("query", [
    "package_search?include_private=maybe",
    "package_search?include_drafts=perhaps",
    "package_search?include_deleted=x",
    "package_search?use_default_schema=sometimes",
    "group_list?all_fields=maybe",
    "organization_list?include_dataset_count=2",
])
def test_a_boolean_that_is_neither_true_nor_false_is_a_400(app, query):
    response = app.get(f"/api/3/action/{query}", expect_errors=True)
    name = query.split("?")[1].split("=")[0]
    assert_api_error(response, 400, "Bad Request", f"「{name}」", "true か false")


def test_a_boolean_in_a_json_body_is_checked_too(app):
    response = app.post("/api/3/action/package_search", json={"include_private": "maybe"},
                        expect_errors=True)
    assert_api_error(response, 400, "Bad Request", "「include_private」")


def test_true_and_false_in_any_spelling_ckan_accepts_still_work(app):
    for value in ("true", "False", "yes", "0", "on"):
        response = app.get(f"/api/3/action/package_search?include_private={value}")
        assert response.json["success"] is True


# ---------------------------------------------------------------- activity changes


@pytest.mark.parametrize("path", ["/dataset/changes_multiple",
                                  "/dataset/changes_multiple?new_id=x",
                                  "/organization/changes_multiple?old_id=x",
                                  "/group/changes_multiple"])
def test_changes_multiple_without_both_ids_is_a_400_page(app, path):
    # activity_show(id=None) raises ObjectNotFound; the view does not catch it.
    response = app.get(path, expect_errors=True)
    assert_page(response, 400, "比較する2つの版")


def test_changes_multiple_of_unknown_activities_is_a_404_page(app):
    response = app.get("/dataset/changes_multiple?new_id=nope&old_id=nope", expect_errors=True)
    assert_page(response, 404)


def test_changes_multiple_of_a_private_dataset_is_a_403_page_for_visitors(app, sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    secret = factories.Dataset(owner_org=org["id"], private=True, user={"name": sysadmin["name"]})
    call_action("package_patch", {"user": sysadmin["name"]}, id=secret["id"], notes="更新")
    activities = call_action("package_activity_list", {"user": sysadmin["name"]}, id=secret["id"])
    assert len(activities) >= 2
    response = app.get(f"/dataset/changes_multiple?new_id={activities[0]['id']}"
                       f"&old_id={activities[-1]['id']}", expect_errors=True)
    assert_page(response, 403)
    assert "changes" not in response.body.split("<h1", 1)[-1][:200].lower()  # no diff shown


# ---------------------------------------------------------------- downloads of links


@pytest.mark.parametrize("url", [
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "JavaScript:alert(1)",
])
def test_download_of_a_link_that_is_not_a_web_address_is_a_404(app, sysadmin, dataset, url):
    resource = factories.Resource(package_id=dataset["id"], url=url)
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download",
                       expect_errors=True, follow_redirects=False)
    assert_page(response, 404, "Web アドレス")
    assert "<script>alert(1)" not in response.body


def test_download_of_a_web_link_still_redirects(app, dataset):
    resource = factories.Resource(package_id=dataset["id"], url="https://www.city.example.lg.jp/a.csv")
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download",
                       follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "https://www.city.example.lg.jp/a.csv"


def test_download_of_an_upload_still_serves_the_file(app, create_with_upload, dataset, sysadmin):
    resource = create_with_upload(CSV, "river.csv", package_id=dataset["id"], url="river.csv",
                                  context={"user": sysadmin["name"]})
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download")
    assert response.status_code == 200
    assert "川" in response.body


# ---------------------------------------------------------------- harvest jobs


@pytest.fixture
def harvest_source():
    from ckanext.harvest.model import HarvestSource

    # The model row only: no harvest_source_create (its URL checks are another test's),
    # and no job is run (run=False): nothing is fetched.
    source = HarvestSource(url="https://catalog.example.lg.jp/", type="ckan", active=True)
    source.save()
    return source


def test_a_second_harvest_job_for_a_source_is_a_409(app, sysadmin, harvest_source):
    payload = {"source_id": harvest_source.id, "run": False}
    first = app.post("/api/3/action/harvest_job_create", json=payload, headers=as_admin(sysadmin))
    assert first.json["result"]["status"] == "New"
    again = app.post("/api/3/action/harvest_job_create", json=payload,
                     headers=as_admin(sysadmin), expect_errors=True)
    assert_api_error(again, 409, "Validation Error", "待機中または実行中のジョブ")


def test_a_harvest_job_for_an_inactive_source_is_a_409(app, sysadmin, harvest_source):
    harvest_source.active = False
    harvest_source.save()
    response = app.post("/api/3/action/harvest_job_create",
                        json={"source_id": harvest_source.id, "run": False},
                        headers=as_admin(sysadmin), expect_errors=True)
    assert_api_error(response, 409, "Validation Error", "無効")


def test_a_harvest_job_without_a_source_is_a_409(app, sysadmin):
    response = app.post("/api/3/action/harvest_job_create", json={"run": False},
                        headers=as_admin(sysadmin), expect_errors=True)
    assert_api_error(response, 409, "Validation Error", "source_id")


def test_harvest_callers_still_catch_the_harvest_exception(sysadmin, harvest_source):
    from ckanext.harvest.logic import HarvestJobExists

    context = {"user": sysadmin["name"]}
    call_action("harvest_job_create", context, source_id=harvest_source.id, run=False)
    with pytest.raises(HarvestJobExists):
        call_action("harvest_job_create", context, source_id=harvest_source.id, run=False)


# ---------------------------------------------------------------- DataStore dictionary


def test_a_malformed_key_on_the_datastore_dictionary_form_is_a_400(app, sysadmin, dataset):
    import re

    resource = factories.Resource(package_id=dataset["id"], url="https://www.city.example.lg.jp/a.csv")
    call_action("datastore_create", resource_id=resource["id"], force=True,
                fields=[{"id": "名称", "type": "text"}], records=[{"名称": "高梁川"}])
    url = f"/dataset/{dataset['id']}/dictionary/{resource['id']}"
    browser = {"REMOTE_USER": sysadmin["name"]}
    client = app.test_client()
    form = client.get(url, environ_overrides=browser)
    token = re.search(r'name="(_csrf_token)" value="([^"]+)"', form.body)
    assert token, "the dictionary form has no CSRF field"
    response = client.post(url, data={token.group(1): token.group(2), "info__x__label": "名前"},
                           environ_overrides=browser, expect_errors=True)
    assert_page(response, 400, "項目名が正しくありません")
    # The table is untouched.
    info = call_action("datastore_search", resource_id=resource["id"])
    assert [f["id"] for f in info["fields"]] == ["_id", "名称"]
