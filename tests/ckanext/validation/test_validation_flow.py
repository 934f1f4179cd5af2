"""Validated publishing in the portal, end to end against PostgreSQL, Solr and Redis.

Upload → report → publish refused → fix → publish; the job path for large files;
the public check page; the report page's escaping; the validation_status facet.
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import ckan.model as model
import pytest
from ckan.lib import jobs
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.validation import records
from ckanext.regionaliot.validation.jobs import validate_resource
from ckanext.regionaliot.validation.model import ResourceValidation

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy" / "aed.csv"
CHILD_FLAG = 19  # 小児対応設備の有無
CODE = 0  # 都道府県コード又は市区町村コード


def aed_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def invalid_aed() -> str:
    rows = aed_rows()
    rows[1][CODE] = "332021"  # wrong check digit (332020 is right)
    rows[2][CHILD_FLAG] = "○"  # a symbol instead of 有/無
    return to_csv(rows)


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def dataset(sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], private=True, standard_dataset="aed",
                             title="AED設置箇所一覧", name="kurashiki-aed",
                             user={"name": sysadmin["name"]})


def upload(create_with_upload, dataset, content, name="aed.csv", **kwargs):
    # The activity plugin needs a real user behind every change.
    context = {"user": model.User.get(dataset["creator_user_id"]).name}
    return create_with_upload(content, name, context=context, package_id=dataset["id"], url=name,
                              format="CSV", name="AED設置箇所一覧", **kwargs)


def act(action, dataset, **kwargs):
    return call_action(action, {"user": model.User.get(dataset["creator_user_id"]).name},
                       **kwargs)


def show(resource_id, **kwargs):
    return call_action("resource_validation_show", id=resource_id, **kwargs)


def csrf_field(body: str) -> dict[str, str]:
    """The CSRF field of a rendered form (its token is tied to the client's session cookie)."""
    match = re.search(r'name="(_csrf_token)" value="([^"]+)"', body)
    assert match, "the form has no CSRF field"
    return {match.group(1): match.group(2)}


def patch_public(app, sysadmin, dataset_id, status=200):
    return app.post("/api/3/action/package_patch",
                    json={"id": dataset_id, "private": False},
                    headers={"Authorization": sysadmin["token"]}, status=status).json


def test_valid_upload_is_validated_at_once(create_with_upload, dataset):
    resource = upload(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))

    result = show(resource["id"])
    assert result["status"] == "success"
    assert result["schema"] == "aed" and result["generation"] == "legacy"
    assert result["rows"] == 4 and result["error_count"] == 0
    assert result["report"]["valid"] is True
    assert "path" not in result["report"]  # no server paths in the API


def test_invalid_upload_blocks_publishing_until_fixed(app, create_with_upload, dataset, sysadmin):
    resource = upload(create_with_upload, dataset, invalid_aed())

    result = show(resource["id"])
    assert result["status"] == "failure"
    assert result["error_count"] >= 2
    codes = {e["code"] for e in result["report"]["errors"]}
    assert "lgcode-check-digit" in codes
    assert {e["row"] for e in result["report"]["errors"]} >= {2, 3}

    refused = patch_public(app, sysadmin, dataset["id"], status=409)
    message = refused["error"]["private"][0]
    assert "公開できません" in message  # Japanese, the portal's default locale
    assert "AED設置箇所一覧" in message and str(result["error_count"]) in message
    assert call_action("package_show", id=dataset["id"])["private"] is True

    # Nothing is discarded: the upload is still in the filestore.
    path = records.upload_path(call_action("resource_show", id=resource["id"]))
    assert Path(path).read_bytes() == invalid_aed().encode("utf-8")

    # Re-upload the fixed file: validated again, then publishing is allowed.
    upload(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"),
           action="resource_update", id=resource["id"])
    assert show(resource["id"])["status"] == "success"
    assert patch_public(app, sysadmin, dataset["id"])["result"]["private"] is False


def test_pending_validation_also_blocks_publishing(app, create_with_upload, dataset, sysadmin,
                                                   ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.sync_max_bytes", 10)
    resource = upload(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    assert show(resource["id"])["status"] == "pending"
    message = patch_public(app, sysadmin, dataset["id"], status=409)["error"]["private"][0]
    assert "AED設置箇所一覧" in message


def test_unchanged_file_is_not_validated_again(create_with_upload, dataset):
    resource = upload(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    first = show(resource["id"])
    assert first["runs"] == 1

    # Saving the resource and the dataset without a new file does not re-validate.
    act("resource_patch", dataset, id=resource["id"], description="更新")
    act("package_patch", dataset, id=dataset["id"], notes="説明を更新")
    again = show(resource["id"])
    assert again["runs"] == 1
    assert again["finished"] == first["finished"]
    assert again["file_sha256"] == first["file_sha256"]

    # The same bytes uploaded again are still the same file.
    upload(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"),
           action="resource_update", id=resource["id"])
    assert show(resource["id"])["runs"] == 1

    # An explicit re-run does validate again.
    rerun = act("resource_validation_run", dataset, id=resource["id"])
    assert rerun["runs"] == 2 and rerun["status"] == "success"


def test_large_file_is_validated_by_a_background_job(create_with_upload, dataset, ckan_config,
                                                     monkeypatch, clean_queues):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.sync_max_bytes", 100)
    resource = upload(create_with_upload, dataset, invalid_aed())
    assert show(resource["id"])["status"] == "pending"

    queued = [job for job in jobs.get_queue().jobs if job.func_name == (
        validate_resource.__module__ + "." + validate_resource.__name__)]
    assert [job.args for job in queued] == [[resource["id"]]]

    queued[0].perform()  # what `ckan jobs worker` does, in this process
    model.Session.remove()
    result = show(resource["id"])
    assert result["status"] == "failure" and result["error_count"] >= 2
    assert result["runs"] == 1

    # The job's result reaches the search index.
    found = call_action("package_search", fq="validation_status:failure",
                        include_private=True)
    assert [d["id"] for d in found["results"]] == [dataset["id"]]


def test_search_facets_on_validation_status(create_with_upload, sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    user = {"name": sysadmin["name"]}
    good = factories.Dataset(owner_org=org["id"], standard_dataset="aed", private=True, user=user)
    warned = factories.Dataset(owner_org=org["id"], standard_dataset="aed", private=True,
                               user=user)
    bad = factories.Dataset(owner_org=org["id"], standard_dataset="aed", private=True, user=user)
    factories.Dataset(owner_org=org["id"], user=user)  # not a standard dataset
    upload(create_with_upload, good, SAMPLE.read_text(encoding="utf-8"))
    rows = aed_rows()
    rows[1][-1] = "=HYPERLINK(\"http://example.invalid\")"  # 備考: a formula cell is a warning
    upload(create_with_upload, warned, to_csv(rows))
    upload(create_with_upload, bad, invalid_aed())

    result = call_action("package_search", include_private=True,
                         **{"facet.field": '["validation_status"]'})
    items = {i["name"]: i["count"] for i in result["search_facets"]["validation_status"]["items"]}
    assert items == {"success": 1, "warning": 1, "failure": 1, "none": 1}
    labels = {i["name"]: i["display_name"] for i in
              result["search_facets"]["validation_status"]["items"]}
    assert labels["failure"] != "failure"  # a label for people, not the raw value
    only_bad = call_action("package_search", include_private=True,
                           fq="validation_status:failure")
    assert [d["id"] for d in only_bad["results"]] == [bad["id"]]


def test_resource_page_badge_and_report_page_escape_hostile_cells(app, create_with_upload,
                                                                  dataset, sysadmin):
    rows = aed_rows()
    rows[1][CHILD_FLAG] = "<script>alert('x')</script>"
    resource = upload(create_with_upload, dataset, to_csv(rows))
    assert show(resource["id"])["status"] == "failure"
    headers = {"Authorization": sysadmin["token"]}

    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}", headers=headers)
    report_url = f"/dataset/{dataset['name']}/resource/{resource['id']}/validation"
    assert report_url in page.body
    assert "エラー" in page.body

    report = app.get(report_url, headers=headers)
    assert "<script>alert(" not in report.body
    assert "&lt;script&gt;alert(" in report.body
    assert "小児対応設備の有無" in report.body


def test_normalized_csv_is_offered_from_the_stored_upload(app, create_with_upload, dataset,
                                                          sysadmin):
    rows = aed_rows()
    rows[2][CHILD_FLAG] = "○"
    resource = upload(create_with_upload, dataset, to_csv(rows))
    response = app.get(
        f"/dataset/{dataset['name']}/resource/{resource['id']}/validation/normalized.csv",
        headers={"Authorization": sysadmin["token"]})
    assert response.headers["Content-Type"].startswith("text/csv")
    fixed = list(csv.reader(io.StringIO(response.body)))
    assert fixed[2][CHILD_FLAG] == "有"


def test_visitors_see_a_public_report_but_cannot_make_the_corrected_file(app, create_with_upload,
                                                                         dataset):
    resource = upload(create_with_upload, dataset, SAMPLE.read_text(encoding="utf-8"))
    act("package_patch", dataset, id=dataset["id"], private=False)
    base = f"/dataset/{dataset['name']}/resource/{resource['id']}/validation"
    page = app.get(base)
    assert "検証" in page.body and "normalized.csv" not in page.body
    app.get(f"{base}/normalized.csv", status=403)


def test_a_stored_report_is_shown_in_the_readers_language(app, create_with_upload, dataset,
                                                           sysadmin):
    resource = upload(create_with_upload, dataset, invalid_aed())
    stored = ResourceValidation.get(resource["id"]).report
    assert stored["lang"] == "ja"  # validated once, in the portal's default language
    base = f"/dataset/{dataset['name']}/resource/{resource['id']}/validation"
    login = {"Authorization": sysadmin["token"]}
    japanese = app.get(base, headers=login).body
    english = app.get("/en" + base, headers=login).body
    assert "検査数字が合いません" in japanese
    assert "the check digit of local-government code" in english
    assert "検査数字" not in english
    api = app.get("/en/api/3/action/resource_validation_show", params={"id": resource["id"]},
                  headers=login).json["result"]["report"]
    finding = next(f for f in api["errors"] if f["code"] == "lgcode-check-digit")
    assert finding["message"].startswith('"') and "check digit" in finding["message"]


def test_private_report_is_not_shown_to_anonymous(app, create_with_upload, dataset):
    resource = upload(create_with_upload, dataset, invalid_aed())
    app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}/validation", status=404)
    api = app.get("/api/3/action/resource_validation_show", params={"id": resource["id"]},
                  expect_errors=True)
    assert api.status_code in (403, 404) and "report" not in api.body


def run_queued_validations():
    """What `ckan jobs worker` does with our queued jobs, in this process."""
    name = validate_resource.__module__ + "." + validate_resource.__name__
    queued = [job for job in jobs.get_queue().jobs if job.func_name == name]
    for job in queued:
        job.perform()
        job.delete()
    model.Session.remove()
    return [job.args for job in queued]


def test_link_to_private_address_is_refused_with_a_clear_error(dataset, clean_queues):
    resource = act("resource_create", dataset, package_id=dataset["id"], format="CSV",
                   url="http://127.0.0.1:8983/solr/admin/info.csv")
    assert show(resource["id"])["status"] == "pending"
    assert run_queued_validations() == [[resource["id"]]]
    result = show(resource["id"])
    assert result["status"] == "error"
    assert "127.0.0.1" not in result["message"] and result["message"]
    assert result["report"] is None


@pytest.fixture
def recording_server():
    """A local HTTP server serving the AED sample that records every request it gets."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []
    body = SAMPLE.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("how", ["resource_create", "package_create"])
def test_links_are_fetched_by_the_job_never_inside_the_request(
        how, dataset, recording_server, ckan_config, monkeypatch, clean_queues):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.allow_private_urls", True)
    base, seen = recording_server
    link = {"url": base + "/aed.csv", "format": "CSV"}
    if how == "resource_create":
        resource = act("resource_create", dataset, package_id=dataset["id"], **link)
    else:
        created = factories.Dataset(owner_org=dataset["owner_org"], private=True,
                                    standard_dataset="aed", resources=[link])
        resource = created["resources"][0]
    assert seen == []  # the request did not wait for the remote server
    assert show(resource["id"])["status"] == "pending"

    assert run_queued_validations() == [[resource["id"]]]
    assert seen == ["/aed.csv"]
    assert show(resource["id"])["status"] == "success"

    # Saving the dataset again with the same link neither fetches nor queues.
    act("package_patch", dataset, id=resource["package_id"], notes="edited")
    assert run_queued_validations() == [] and seen == ["/aed.csv"]


def test_public_check_page_validates_anonymously_and_stores_nothing(app, ckan_config):
    storage = Path(ckan_config["ckan.storage_path"])
    before_files = sorted(storage.rglob("*")) if storage.exists() else []
    before_rows = model.Session.query(ResourceValidation).count()
    tmp_before = set(os.listdir("/tmp"))

    page = app.get("/validate")
    assert 'name="upload"' in page.body

    rows = aed_rows()
    rows[1][CHILD_FLAG] = "<b>○</b>"
    response = app.post("/validate", data={
        "schema": "aed",
        "upload": (io.BytesIO(to_csv(rows).encode("cp932")), "aed.csv"),
    })
    assert "小児対応設備の有無" in response.body
    assert "&lt;b&gt;○&lt;/b&gt;" in response.body and "<b>○</b>" not in response.body
    assert "Shift_JIS" in response.body and "cp932" not in response.body  # as people say it

    binary = app.post("/validate", data={"upload": (io.BytesIO(b"\x00\x01\x02" * 100), "x.csv")})
    assert "Traceback" not in binary.body
    assert "バイナリ" in binary.body

    assert model.Session.query(ResourceValidation).count() == before_rows
    assert (sorted(storage.rglob("*")) if storage.exists() else []) == before_files
    assert not {n for n in set(os.listdir("/tmp")) - tmp_before if n.startswith("regionaliot")}


def test_public_check_refuses_files_over_the_limit(app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.check_max_bytes", 100)
    response = app.post("/validate", data={
        "upload": (io.BytesIO(SAMPLE.read_bytes()), "aed.csv")})
    assert "MB" in response.body and "Traceback" not in response.body


def test_check_action_for_api_clients(app):
    response = app.post("/api/3/action/regionaliot_validate_upload", data={
        "upload": (io.BytesIO(invalid_aed().encode("utf-8")), "aed.csv")}).json
    assert response["result"]["schema"] == "aed"  # detected from the header
    assert response["result"]["valid"] is False


def test_bulk_publish_refuses_datasets_with_errors(app, create_with_upload, dataset, sysadmin):
    upload(create_with_upload, dataset, invalid_aed())
    response = app.post("/api/3/action/bulk_update_public",
                        json={"datasets": [dataset["id"]], "org_id": dataset["owner_org"]},
                        headers={"Authorization": sysadmin["token"]}, status=409).json
    assert "AED設置箇所一覧" in response["error"]["datasets"][0]
    assert call_action("package_show", id=dataset["id"])["private"] is True


def test_new_dataset_form_finish_saves_private_instead_of_failing(app, sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    draft = factories.Dataset(owner_org=org["id"], private=False, state="draft",
                              standard_dataset="aed", user={"name": sysadmin["name"]})
    response = app.post(
        f"/dataset/{draft['name']}/resource/new",
        data={"id": "", "save": "go-metadata", "name": "AED", "format": "CSV", "url": "",
              "upload": (io.BytesIO(invalid_aed().encode("utf-8")), "aed.csv")},
        headers={"Authorization": sysadmin["token"]}, follow_redirects=False)
    assert response.status_code == 302  # not a server error
    saved = call_action("package_show", id=draft["id"])
    assert saved["state"] == "active" and saved["private"] is True
    assert show(saved["resources"][0]["id"])["status"] == "failure"


def test_dataset_search_page_offers_the_facet(app, sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    factories.Dataset(owner_org=org["id"], user={"name": sysadmin["name"]})
    page = app.get("/dataset/")
    assert "検証" in page.body and "標準データセット以外" in page.body


def test_linked_file_is_fetched_and_validated(dataset, ckan_config, monkeypatch, clean_queues):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    body = invalid_aed().encode("cp932")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.allow_private_urls", True)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/aed.csv"
        resource = act("resource_create", dataset, package_id=dataset["id"], url=url,
                       format="CSV", name="AED（リンク）")
        run_queued_validations()
        result = show(resource["id"])
        assert result["status"] == "failure" and result["encoding"] == "cp932"
        # A dataset save does not download the unchanged link again.
        act("package_patch", dataset, id=dataset["id"], notes="リンクはそのまま")
        assert run_queued_validations() == [] and show(resource["id"])["runs"] == 1
    finally:
        server.shutdown()
        server.server_close()


def test_public_check_refuses_an_oversized_body_before_parsing_it(app, ckan_config,
                                                                   monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.check_max_bytes", 1000)
    huge = b"a,b\r\n" * 100_000  # 500 kB: far over the cap and its form overhead
    page = app.post("/validate", data={"upload": (io.BytesIO(huge), "aed.csv")}, status=413)
    assert "MB" in page.body and 'name="upload"' in page.body  # the form, with the reason
    api = app.post("/api/3/action/regionaliot_validate_upload",
                   data={"upload": (io.BytesIO(huge), "aed.csv")}, status=413)
    assert "Traceback" not in api.body


def test_validate_again_and_check_page_need_a_csrf_token(app, create_with_upload, dataset,
                                                         sysadmin):
    resource = upload(create_with_upload, dataset, invalid_aed())
    report_url = f"/dataset/{dataset['name']}/resource/{resource['id']}/validation"
    browser = {"REMOTE_USER": sysadmin["name"]}  # a logged-in browser, not an API token
    client = app.test_client()  # one cookie jar: the CSRF token lives in the session
    client.post(report_url + "/run", environ_overrides=browser, status=400)
    client.post("/validate", data={"upload": (io.BytesIO(invalid_aed().encode()), "aed.csv")},
             environ_overrides=browser, status=400)
    assert show(resource["id"])["runs"] == 1

    token = csrf_field(client.get(report_url, environ_overrides=browser).body)
    client.post(report_url + "/run", data=token, environ_overrides=browser,
                follow_redirects=False, status=302)
    assert show(resource["id"])["runs"] == 2


@pytest.mark.parametrize("private", ["on", "no", "", "maybe", " False"])
def test_publish_block_reads_private_as_ckan_does(app, create_with_upload, dataset, sysadmin,
                                                  private):
    # CKAN's boolean_validator makes every string but true/yes/t/y/1 False (public).
    upload(create_with_upload, dataset, invalid_aed())
    response = app.post("/api/3/action/package_patch", json={"id": dataset["id"],
                                                              "private": private},
                        headers={"Authorization": sysadmin["token"]}, expect_errors=True)
    assert response.status_code == 409, response.body
    assert "private" in response.json["error"]
    assert call_action("package_show", id=dataset["id"])["private"] is True


def test_package_update_without_private_does_not_publish(app, create_with_upload, dataset,
                                                         sysadmin):
    upload(create_with_upload, dataset, invalid_aed())
    full = call_action("package_show", id=dataset["id"])
    del full["private"]
    full["notes"] = "private は送らない更新"
    response = app.post("/api/3/action/package_update", json=full,
                        headers={"Authorization": sysadmin["token"]}, expect_errors=True)
    # CKAN keeps a missing "private" as it was: the update is not a publication, so it is
    # saved (not refused) and the dataset stays private.
    assert response.status_code == 200, response.body
    saved = call_action("package_show", id=dataset["id"])
    assert saved["notes"] == "private は送らない更新" and saved["private"] is True


@pytest.mark.parametrize("action, payload", [
    ("resource_validation_show", {}),
    ("resource_validation_show", {"id": "no-such-resource"}),
    ("resource_validation_show", {"id": ["a", "b"]}),
    ("resource_validation_show", {"id": {"x": 1}}),
    ("resource_validation_show", {"id": "no-such-resource", "include_report": 1}),
    ("resource_validation_run", {}),
    ("resource_validation_run", {"id": "no-such-resource"}),
    ("resource_validation_run", {"id": 42}),
    ("regionaliot_validate_upload", {}),
    ("regionaliot_validate_upload", {"upload": "not a file", "schema": 3}),
    ("regionaliot_validate_upload", {"upload": {"a": 1}, "lang": ["en"]}),
])
def test_bad_input_to_the_actions_is_a_clear_error(app, sysadmin, action, payload):
    response = app.post(f"/api/3/action/{action}", json=payload,
                        headers={"Authorization": sysadmin["token"]}, expect_errors=True)
    assert response.status_code in (400, 404, 409), response.body
    assert response.json["success"] is False
