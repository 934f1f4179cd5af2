"""Issue 15, item 11: the public check's API answers a too large file with CKAN's JSON
error shape (not an HTML page), and the corrected CSV has one charset. Real services."""
from __future__ import annotations

import io
from pathlib import Path

import ckan.model as model
import pytest
from ckan.tests import factories
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy" / "aed.csv"
ACTION = "/api/3/action/regionaliot_validate_upload"
HUGE = b"a,b\r\n" * 100_000  # 500 kB


@pytest.fixture
def small_cap(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.check_max_bytes", 1000)


def assert_json_413(response):
    assert response.status_code == 413, response.body[:500]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] == "Request Entity Too Large"
    assert "MB" in body["error"]["message"]


def test_a_too_large_file_to_the_api_is_a_json_413(app, small_cap):
    response = app.post(ACTION, data={"upload": (io.BytesIO(HUGE), "aed.csv")},
                        expect_errors=True)
    assert_json_413(response)


def test_a_too_large_chunked_body_to_the_api_is_a_json_413(app, small_cap):
    # No Content-Length: the body is cut off while it streams (gunicorn sets
    # wsgi.input_terminated for chunked requests).
    boundary, body = encode_multipart(MultiDict({"upload": FileStorage(io.BytesIO(HUGE),
                                                                       "aed.csv")}))
    response = app.post(ACTION, input_stream=io.BytesIO(body),
                        content_type=f"multipart/form-data; boundary={boundary}",
                        headers={"Transfer-Encoding": "chunked"},
                        environ_overrides={"wsgi.input_terminated": True}, expect_errors=True)
    assert_json_413(response)


def test_the_check_page_still_answers_its_form_with_a_413(app, small_cap):
    page = app.post("/validate", data={"upload": (io.BytesIO(HUGE), "aed.csv")},
                    expect_errors=True)
    assert page.status_code == 413
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'name="upload"' in page.body


def test_a_file_within_the_cap_is_still_checked(app):
    response = app.post(ACTION, data={"upload": (io.BytesIO(SAMPLE.read_bytes()), "aed.csv"),
                                      "schema": "aed"})
    assert response.json["result"]["valid"] is True


def test_the_corrected_csv_has_one_charset(app, create_with_upload):
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"], private=True, standard_dataset="aed",
                                user={"name": sysadmin["name"]})
    resource = create_with_upload(SAMPLE.read_text(encoding="utf-8"), "aed.csv",
                                  context={"user": model.User.get(sysadmin["id"]).name},
                                  package_id=dataset["id"], url="aed.csv", format="CSV")
    response = app.get(
        f"/dataset/{dataset['name']}/resource/{resource['id']}/validation/normalized.csv",
        headers={"Authorization": sysadmin["token"]})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")
