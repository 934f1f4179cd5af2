"""Issue 16 in the portal: schemas loaded at start-up, the corrected file and the
suggested standard on the public check page (/validate). Real services."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from ckanext.regionaliot.validation import service
from ckanext.regionaliot.validation.plugin import RegionalIoTValidationPlugin
from regionaliot.validation import engine
from regionaliot.validation.registry import Registry

SAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy"


def test_a_broken_schema_file_stops_start_up_with_its_name(tmp_path, monkeypatch):
    broken = tmp_path / "standard"
    broken.mkdir()
    (broken / "aed.json").write_text("{", encoding="utf-8")
    monkeypatch.setattr(engine, "default_registry", lambda: Registry(extra_dirs=[tmp_path]))
    with pytest.raises(service.BrokenSchemas, match="aed.json"):
        RegionalIoTValidationPlugin().configure({})


def _aed_with_full_width_phone() -> bytes:
    rows = list(csv.reader(io.StringIO((SAMPLES / "aed.csv").read_text(encoding="utf-8"))))
    phone = rows[0].index("電話番号")
    rows[1][phone] = "０８６－４２６－３０３０"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("cp932")


@pytest.mark.usefixtures("with_plugins")
def test_check_page_offers_the_corrected_file_and_lists_the_changes(app):
    original = _aed_with_full_width_phone()
    page = app.post("/validate", data={"schema": "aed",
                                       "upload": (io.BytesIO(original), "aed.csv")})
    body = page.body
    assert "修正済みファイル" in body and 'download="aed-corrected.csv"' in body
    assert "Shift_JIS" in body  # the encoding as people call it, not cp932
    # A link to a short-lived download, not the file inside the page (issue 16).
    assert "data:text/csv" not in body
    href = re.search(r'href="https?://[^"/]+(/validate/corrected/[A-Za-z0-9_-]{32}\.csv)"', body)
    assert href, body[:2000]
    download = app.get(href.group(1))
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in download.headers["Cache-Control"]
    corrected = download.body
    assert "086-426-3030" in corrected and "０８６" not in corrected
    changes = re.search(r'<ul class="regionaliot-changes">(.*?)</ul>', body, re.S)
    assert changes and "<li>" in changes.group(1)


@pytest.mark.usefixtures("with_plugins")
def test_a_header_of_another_standard_offers_to_check_again_as_it(app):
    aed = (SAMPLES / "aed.csv").read_bytes()
    page = app.post("/validate", data={"schema": "public_toilet",
                                       "upload": (io.BytesIO(aed), "aed.csv")})
    assert "regionaliot-suggest" in page.body
    assert "/validate?schema=aed" in page.body
    again = app.get("/validate?schema=aed")
    assert re.search(r'<option value="aed"\s+selected', again.body)


@pytest.mark.usefixtures("with_plugins")
def test_the_api_gives_the_corrected_file_as_a_short_lived_download(app):
    result = app.post("/api/3/action/regionaliot_validate_upload",
                      data={"schema": "aed", "corrected": "true",
                            "upload": (io.BytesIO(_aed_with_full_width_phone()), "aed.csv")}).json["result"]
    corrected = result["corrected"]
    assert corrected["expires_in"] == 600 and corrected["download_name"] == "aed-corrected.csv"
    assert any("086-426-3030" in change["message"] for change in corrected["changes"])
    path = re.sub(r"^https?://[^/]+", "", corrected["url"])
    assert "086-426-3030" in app.get(path).body
    # Without asking, no file is made; an unknown or expired token is a clear 404.
    plain = app.post("/api/3/action/regionaliot_validate_upload",
                     data={"schema": "aed", "upload": (io.BytesIO(_aed_with_full_width_phone()),
                                                       "aed.csv")}).json["result"]
    assert "corrected" not in plain
    gone = app.get("/validate/corrected/" + "A" * 32 + ".csv", status=404)
    assert "expired" in gone.body or "期限" in gone.body
