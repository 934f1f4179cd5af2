"""Pages: a resource's validation report, its normalised CSV, and the public file check."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, after_this_request, current_app, send_file

from . import download, resource_validation, validation_service

log = logging.getLogger(__name__)

__all__ = ["validation"]

_ = tk._

validation = Blueprint("regionaliot_validation", __name__)

# Multipart framing around the file: boundaries, part headers, the schema and csrf fields.
_FORM_OVERHEAD = 64 * 1024
_UPLOAD_ACTION = "regionaliot_validate_upload"


def _check_max_bytes() -> int:
    return tk.config.get("ckanext.regionaliot.validation.check_max_bytes")


@validation.before_request
def _protect_posts():
    """CSRF on our POST forms, and the /validate body cap before anything reads the body.

    CKAN exempts plugin blueprints from its CSRF check while
    ``ckan.csrf_protection.ignore_extensions`` is true (its default), so check here,
    with CKAN's own exemption: requests without a session user (API token or anonymous).
    """
    if tk.request.method != "POST":
        return None
    if tk.request.endpoint == "regionaliot_validation.check_file":
        limit = _check_max_bytes() + _FORM_OVERHEAD
        if (tk.request.content_length or 0) > limit:
            return _too_large_page()
        tk.request.max_content_length = limit  # a chunked body is cut off while it streams
    if current_app.config.get("WTF_CSRF_ENABLED") and not tk.g.get("login_via_auth_header"):
        from ckan.config.middleware.flask_app import csrf

        csrf.protect()
    return None


@validation.before_app_request
def _cap_check_action_body():
    """The API form of the public check: refuse a too large body before it is parsed."""
    args = tk.request.view_args or {}
    if tk.request.endpoint == "api.action" and args.get("logic_function") == _UPLOAD_ACTION:
        tk.request.max_content_length = _check_max_bytes() + _FORM_OVERHEAD


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def _load(id: str, resource_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        package = tk.get_action("package_show")(_context(), {"id": id})
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        # Like CKAN's dataset pages: a private dataset does not exist for outsiders.
        return tk.abort(404, _("Resource not found"))
    if resource["package_id"] != package["id"]:
        return tk.abort(404, _("Resource not found"))
    return package, resource


def report(id: str, resource_id: str):
    package, resource = _load(id, resource_id)
    try:
        result = tk.get_action("resource_validation_show")(_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        result = None
    can_run = _allowed("resource_validation_run", resource_id)
    return tk.render("regionaliot/validation_report.html", {
        "pkg_dict": package, "package": package, "resource": resource,
        "validation": result, "can_run": can_run,
        "schema": resource_validation.wanted_schema(resource, package),
    })


def _allowed(action: str, resource_id: str) -> bool:
    try:
        return tk.check_access(action, _context(), {"id": resource_id})
    except tk.NotAuthorized:
        return False


def run(id: str, resource_id: str):
    _load(id, resource_id)
    try:
        tk.get_action("resource_validation_run")(_context(), {"id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, _("Unauthorized to update resource %s") % resource_id)
    except tk.ValidationError as e:
        tk.h.flash_error(" ".join(str(m) for msgs in e.error_dict.values() for m in msgs))
    return tk.redirect_to("regionaliot_validation.report", id=id, resource_id=resource_id)


def normalized(id: str, resource_id: str):
    """The engine's corrected UTF-8 CSV of the stored file, made on request and not kept."""
    package, resource = _load(id, resource_id)
    # Normalising (and fetching a link) is real work done while the request waits: offered
    # to the people who can fix the resource, not to every visitor of a public page.
    if not _allowed("resource_validation_run", resource_id):
        return tk.abort(403, _("Only the dataset's editors can download the corrected file."))
    schema = resource_validation.wanted_schema(resource, package)
    back = tk.redirect_to("regionaliot_validation.report", id=id, resource_id=resource_id)
    workdir = tempfile.mkdtemp(prefix="regionaliot-normalize-")

    @after_this_request
    def _cleanup(response):
        shutil.rmtree(workdir, ignore_errors=True)
        return response

    try:
        if resource_validation.is_upload(resource):
            source = resource_validation.upload_path(resource)
            if not source or not os.path.isfile(source):
                tk.h.flash_error(_("The uploaded file is missing from the file store."))
                return back
        else:
            limit = tk.config.get("ckanext.regionaliot.validation.download_max_bytes")
            fetched = download.fetch(resource["url"], limit=limit, directory=workdir,
                                     **resource_validation._download_options())
            source = fetched.path
            if not fetched.complete:
                tk.h.flash_error(_("The linked file is too large to normalise here."))
                return back
        output = os.path.join(workdir, "normalized.csv")
        validation_service.normalize(source, output, schema, lang=tk.h.lang())
    except download.DownloadError as exc:
        tk.h.flash_error(_(exc.msgid).format(**exc.params))
        return back
    except validation_service.Unreadable as exc:
        tk.h.flash_error(_("The file cannot be normalised: {reason}").format(reason=exc.message))
        return back
    except validation_service.UnknownSchema:
        tk.h.flash_error(_("The validator does not know this standard schema."))
        return back
    except Exception:
        log.exception("Normalising resource %s failed", resource_id)
        tk.h.flash_error(_("The corrected file could not be made. Try again later."))
        return back
    stem = os.path.splitext(os.path.basename(resource.get("url") or "") or resource_id)[0]
    return send_file(output, mimetype="text/csv; charset=utf-8", as_attachment=True,
                     download_name=f"{stem or resource_id}-normalized.csv")


def _check_page_vars() -> dict[str, Any]:
    return {
        "schemas": validation_service.schema_choices(),
        "max_mb": _max_mb(),
        "report": None, "errors": {}, "filename": None, "selected": "",
    }


def _max_mb() -> float:
    return round(_check_max_bytes() / 1e6, 1)


def _too_large_page():
    extra = _check_page_vars()
    extra["errors"] = {"upload": [
        _("The file is larger than {limit} MB.").format(limit=_max_mb())]}
    return tk.render("regionaliot/check_file.html", extra), 413


def check_file():
    """Public: validate a file without logging in; it is deleted at once."""
    extra = _check_page_vars()
    if tk.request.method == "POST":
        upload = tk.request.files.get("upload")
        extra["selected"] = tk.request.form.get("schema", "")
        if not upload or not upload.filename:
            extra["errors"] = {"upload": [_("Choose a file to check.")]}
        else:
            extra["filename"] = upload.filename
            try:
                extra["report"] = tk.get_action("regionaliot_validate_upload")(
                    _context(), {"upload": upload, "schema": extra["selected"],
                                 "lang": tk.h.lang()})
            except tk.ValidationError as e:
                extra["errors"] = e.error_dict
            except Exception:
                log.exception("Public file check failed")
                extra["errors"] = {"upload": [_("The file could not be checked. "
                                                "Try again later.")]}
    return tk.render("regionaliot/check_file.html", extra)


validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation",
                        view_func=report)
validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation/run",
                        view_func=run, methods=["POST"])
validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation/normalized.csv",
                        view_func=normalized)
validation.add_url_rule("/validate", view_func=check_file, methods=["GET", "POST"])
