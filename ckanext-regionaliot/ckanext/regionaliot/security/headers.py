"""Security headers on every response, and user uploads that cannot run script.

CKAN 2.11 sends no Content-Security-Policy, X-Frame-Options or X-Content-Type-Options,
and serves an uploaded resource ``inline`` with the Content-Type of its editable
``mimetype`` field: an uploaded .svg or .html ran its script on the portal's origin (the
class of ckan/ckan#8594, CVE-2021-25967). Here, after every request (views.py registers
:func:`add_security_headers` with ``after_app_request``):

* every response: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``,
  ``X-Frame-Options: SAMEORIGIN`` (resource views are same-origin iframes);
* pages: the Content-Security-Policy of ``ckanext.regionaliot.security.content_security_policy``
  (its default is what CKAN 2.11's templates, webassets and resource views need);
* user uploads (resource downloads of every dataset type, and the group/user/site images
  under ``/uploads/``): a sandboxing CSP (``default-src 'none'; sandbox``), and
  ``Content-Disposition: attachment`` unless the file is served as a raster image, which
  browsers never execute. ``nosniff`` keeps a browser from reading an image as HTML.

Headers a view set itself are kept (``setdefault``), except on uploads, where ours win.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Response, current_app

from ckanext.regionaliot.lib import config

# Group, organization, user and site images: Flask's static route over <storage>/storage.
_UPLOADS_PREFIX = "/uploads/"

# Served inline: raster images only (no SVG, no HTML, no PDF: a PDF viewer runs script).
INLINE_MIMETYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# Nothing in an uploaded file may load or run anything; the sandbox also gives the
# document an opaque origin, so even a browser ignoring attachment cannot reach our cookies.
UPLOAD_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


def page_csp() -> str:
    # One line, however the setting was written (the declared default is folded YAML).
    return " ".join(config.get_str("ckanext.regionaliot.security.content_security_policy").split())


def is_download_view(view: object) -> bool:
    # By name: CKAN re-executes ckan.views.* whenever it builds an app, so the function
    # object differs from one app (and test) to the next.
    return (getattr(view, "__module__", None) == "ckan.views.resource"
            and getattr(view, "__name__", None) == "download")


def is_upload_request() -> bool:
    """A resource download (by view function: CKAN registers ``resource.download``,
    ``dataset_resource.download``, ``harvest_resource.download`` … one per dataset type)
    or a file under /uploads/."""
    request = tk.request
    endpoint = request.endpoint or ""
    if is_download_view(current_app.view_functions.get(endpoint)):
        return True
    return endpoint == "static" and request.path.startswith(_UPLOADS_PREFIX)


def _as_attachment(response: Response) -> None:
    # Keep send_file's filename parameters (filename=…; filename*=UTF-8''…).
    disposition = response.headers.get("Content-Disposition", "")
    kind, sep, params = disposition.partition(";")
    if kind.strip().lower() != "attachment":
        response.headers["Content-Disposition"] = "attachment" + (sep + params if sep else "")


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    referrer_policy = config.get_str("ckanext.regionaliot.security.referrer_policy")
    if referrer_policy:
        headers.setdefault("Referrer-Policy", referrer_policy)
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")

    if is_upload_request():
        # Also on 304 and redirects: the policy must not depend on what the view answered.
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Content-Security-Policy"] = UPLOAD_CSP
        if response.mimetype not in INLINE_MIMETYPES and response.status_code < 300:
            _as_attachment(response)
        return response

    csp = page_csp()
    if csp:
        headers.setdefault("Content-Security-Policy", csp)
    return response
