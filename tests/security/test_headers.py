"""Uploaded files cannot run script on the portal's origin; every page carries security
headers (issue 15, item 2). Against the real services, through CKAN's own download view.

Probe family "XSS in uploads": before the fix an uploaded SVG came back ``image/svg+xml``,
``Content-Disposition: inline``, with no nosniff and no CSP, and Chromium ran its script.
"""
from __future__ import annotations

import re
import struct
import zlib
from urllib.parse import urlsplit

import pytest
from ckan.tests import factories
from ckanext.regionaliot.security import headers
from probe_tally import Tally

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
       b'<script>fetch("/api/3/action/package_search?include_private=true")</script></svg>')
HTML = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"


def _png() -> bytes:
    """A valid 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))


PNG = _png()


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def dataset(sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], user={"name": sysadmin["name"]})


@pytest.fixture
def upload(create_with_upload, dataset, sysadmin):
    def make(content: bytes, filename: str, **kwargs):
        return create_with_upload(content, filename, context={"user": sysadmin["name"]},
                                  package_id=dataset["id"], url=filename, name=filename,
                                  **kwargs)
    return make


def path_of(url: str) -> str:
    return urlsplit(url).path


def csp_directives(value: str) -> dict[str, str]:
    out = {}
    for part in value.split(";"):
        name, _, rest = part.strip().partition(" ")
        if name:
            out[name] = rest.strip()
    return out


def cannot_run(response) -> bool:
    h = response.headers
    csp = csp_directives(h.get("Content-Security-Policy", ""))
    return (h.get("X-Content-Type-Options") == "nosniff" and csp.get("default-src") == "'none'"
            and "sandbox" in csp and "script-src" not in csp)




SCRIPT_CARRIERS = [
    ("drawing.svg", SVG, "image/svg+xml"),
    ("page.html", HTML, "text/html"),
    ("page.htm", HTML, "text/html"),
    ("page.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
     "application/xhtml+xml"),
    ("doc.pdf", b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj",
     "application/pdf"),
    ("feed.xml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
     b"<script>alert(1)</script></html>", None),
]


def test_uploaded_script_carriers_are_attachments_in_a_sandbox(app, upload, sysadmin):
    tally = Tally("XSS in uploads")
    for filename, content, mimetype in SCRIPT_CARRIERS:
        resource = upload(content, filename)
        if mimetype:
            assert resource["mimetype"] == mimetype  # CKAN guessed it, as before the fix
        # With and without the file name; anonymous and as a logged-in editor.
        for url in (path_of(resource["url"]), path_of(resource["url"]).rsplit("/", 1)[0]):
            for environ in ({}, {"REMOTE_USER": sysadmin["name"]}):
                response = app.get(url, environ_overrides=environ, status=200)
                assert response.data == content  # the file itself, unchanged
                disposition = response.headers["Content-Disposition"]
                tally.record(f"{url} {environ}", cannot_run(response)
                             and disposition.startswith("attachment")
                             and (filename in disposition or not url.endswith(filename)))

    # resource.mimetype is an editable field, and CKAN serves the file with it: an editor
    # cannot make HTML inline by calling it an image, or by calling an image HTML.
    for filename, mimetype in (("innocent.png", "text/html"), ("innocent.html", "image/png")):
        resource = upload(HTML, filename, mimetype=mimetype)
        response = app.get(path_of(resource["url"]), status=200)
        assert response.headers["Content-Type"].startswith(mimetype)
        tally.record(f"{filename} as {mimetype}", cannot_run(response) and (
            mimetype == "image/png"  # inline, but nosniff: never read as HTML
            or response.headers["Content-Disposition"].startswith("attachment")))
    tally.check()


def test_images_stay_inline_for_image_view_but_sandboxed(app, upload, monkeypatch, tmp_path):
    resource = upload(PNG, "pixel.png")
    response = app.get(path_of(resource["url"]), status=200)
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert cannot_run(response)  # nosniff: an HTML file named .png is never read as HTML

    # Group, organization and user images are served from <storage>/storage/uploads by
    # Flask's static route: an editor-supplied name, so the same rules apply.
    root = tmp_path / "images"  # tmp_path itself is the test filestore (create_with_upload)
    folder = root / "uploads" / "group"
    folder.mkdir(parents=True)
    (folder / "logo.svg").write_bytes(SVG)
    flask_app = app.flask_app
    monkeypatch.setattr(flask_app, "static_folder", [*flask_app.static_folder, str(root)])
    response = app.get("/uploads/group/logo.svg", status=200)
    assert cannot_run(response)
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_every_download_route_of_every_dataset_type_is_covered(app):
    # dataset_resource.download, harvest_resource.download, … are copies CKAN makes per type.
    flask_app = app.flask_app
    endpoints = {r.endpoint for r in flask_app.url_map.iter_rules()
                 if headers.is_download_view(flask_app.view_functions[r.endpoint])}
    assert {"resource.download", "dataset_resource.download", "harvest_resource.download"} \
        <= endpoints
    for endpoint in endpoints:
        rule = next(r for r in flask_app.url_map.iter_rules() if r.endpoint == endpoint)
        url = re.sub(r"<(?:\w+:)?(\w+)>", "x", rule.rule)
        with flask_app.test_request_context(url):
            # Types share URLs (/dataset/…): whichever rule matches is a download view.
            from flask import request
            assert headers.is_download_view(flask_app.view_functions[request.endpoint])
            assert headers.is_upload_request(), endpoint


PAGE_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self' 'unsafe-inline'",  # CKAN 2.11's inline <script> and onclick=
    "frame-ancestors": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-src": "'self'",  # resource views are same-origin iframes
}


def assert_page_headers(response) -> None:
    h = response.headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "SAMEORIGIN"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = csp_directives(h["Content-Security-Policy"])
    for name, value in PAGE_DIRECTIVES.items():
        assert csp.get(name) == value, (name, h["Content-Security-Policy"])
    assert "sandbox" not in csp
    # Nothing from a CDN: every script and style source is the portal itself.
    assert "http" not in csp["script-src"] and "http" not in csp["style-src"]


def test_pages_carry_the_page_policy(app, dataset, upload, ckan_config, monkeypatch):
    resource = upload(PNG, "photo.png")  # image_view is one of ckan.views.default_views
    views = app.get(f"/api/3/action/resource_view_list?id={resource['id']}").json["result"]
    view = next(v for v in views if v["view_type"] == "image_view")
    resource_page = f"/dataset/{dataset['name']}/resource/{resource['id']}"
    pages = ("/", "/dataset/", f"/dataset/{dataset['name']}", "/validate", resource_page,
             f"{resource_page}/view/{view['id']}",  # SAMEORIGIN: the resource page frames it
             "/user/login", "/api/3/action/status_show", "/dataset/no-such-dataset-here")
    for url in pages:
        response = app.get(url, status=404 if "no-such" in url else 200)
        assert_page_headers(response)
        # Every <script src> and stylesheet loads under script-src/style-src 'self':
        # relative to the site (webassets), never another host.
        if response.headers["Content-Type"].startswith("text/html"):
            body = response.body
            for src in re.findall(r'<script[^>]+src="([^"]+)"', body) + \
                    re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', body):
                assert src.startswith("/") and not src.startswith("//"), (url, src)

    # The policy is a setting, written over several lines if need be.
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.security.content_security_policy",
                        "default-src 'self';\n  img-src 'self' https://cyberjapandata.gsi.go.jp")
    response = app.get("/", status=200)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; img-src 'self' https://cyberjapandata.gsi.go.jp")
