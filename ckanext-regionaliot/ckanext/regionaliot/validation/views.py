"""Pages: a resource's validation report, its normalised CSV, the public file check, and
what CKAN's own forms do when the publish block refuses them."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from typing import Any
from urllib.parse import quote

import ckan.plugins.toolkit as tk
from flask import Blueprint, after_this_request, jsonify, make_response, send_file
from werkzeug.exceptions import RequestEntityTooLarge

from ckanext.regionaliot.lib import config, fetch

from . import downloads, records, service

log = logging.getLogger(__name__)

__all__ = ["validation"]

_ = tk._

validation = Blueprint("regionaliot_validation", __name__)

# Multipart framing around the file: boundaries, part headers, the schema and csrf fields.
_FORM_OVERHEAD = 64 * 1024
_UPLOAD_ACTION = "regionaliot_validate_upload"


def _check_max_bytes() -> int:
    return config.get_int("ckanext.regionaliot.validation.check_max_bytes")


@validation.before_app_request
def _cap_check_bodies():
    """The public check's body cap, before anything reads the body: CKAN's CSRF check and
    the security plugin's input guard read forms in app-wide hooks, which run before a
    blueprint's own. The page answers its form with a 413; the API (the action
    ``regionaliot_validate_upload``) answers CKAN's JSON error shape, not an HTML page."""
    request = tk.request
    args = request.view_args or {}
    page = request.method == "POST" and request.endpoint == "regionaliot_validation.check_file"
    api = request.endpoint == "api.action" and args.get("logic_function") == _UPLOAD_ACTION
    if not (page or api):
        return None
    limit = _check_max_bytes() + _FORM_OVERHEAD
    too_large = _too_large_page if page else _too_large_api
    if (request.content_length or 0) > limit:
        return too_large()
    request.max_content_length = limit  # a chunked body is cut off while it streams
    if api and request.method in ("POST", "PUT"):
        try:
            request.form  # noqa: B018 (parsed here, inside the cap, for CKAN's view)
        except RequestEntityTooLarge:
            return too_large()
    return None


def _too_large_api():
    limit = round(_check_max_bytes() / 1e6, 1)
    response = jsonify({"success": False, "error": {
        "__type": "Request Entity Too Large",
        "message": _("The file is larger than {limit} MB.").format(limit=limit)}})
    response.status_code = 413
    return response


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
        "validation": result, "can_run": can_run, "labels": service.labels(result, tk.h.lang()),
        "schema": records.wanted_schema(resource, package),
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
    schema = records.wanted_schema(resource, package)
    back = tk.redirect_to("regionaliot_validation.report", id=id, resource_id=resource_id)
    workdir = tempfile.mkdtemp(prefix="regionaliot-normalize-")

    @after_this_request
    def _cleanup(response):
        shutil.rmtree(workdir, ignore_errors=True)
        return response

    try:
        if records.is_upload(resource):
            source = records.upload_path(resource)
            if not source or not os.path.isfile(source):
                tk.h.flash_error(_("The uploaded file is missing from the file store."))
                return back
        else:
            fetched = fetch.fetch(resource["url"], limit=records.download_max_bytes(),
                                  directory=workdir, **records.download_options())
            source = fetched.path
            if not fetched.complete:
                tk.h.flash_error(_("The linked file is too large to normalise here."))
                return back
        output = os.path.join(workdir, "normalized.csv")
        service.normalize(source, output, schema, lang=tk.h.lang(),
                          encoding=records.declared_encoding(resource))
    except fetch.DownloadError as exc:
        tk.h.flash_error(_(exc.msgid).format(**exc.params))
        return back
    except service.Unreadable as exc:
        tk.h.flash_error(_("The file cannot be normalised: {reason}").format(reason=exc.message))
        return back
    except service.UnknownSchema:
        tk.h.flash_error(_("The validator does not know this standard schema."))
        return back
    except Exception:
        log.exception("Normalising resource %s failed", resource_id)
        tk.h.flash_error(_("The corrected file could not be made. Try again later."))
        return back
    stem = os.path.splitext(os.path.basename(resource.get("url") or "") or resource_id)[0]
    # Werkzeug adds "; charset=utf-8" to text/* types itself (twice if given here).
    return send_file(output, mimetype="text/csv", as_attachment=True,
                     download_name=f"{stem or resource_id}-normalized.csv")


def _check_page_vars() -> dict[str, Any]:
    return {
        "schemas": service.schema_choices(),
        "max_mb": _max_mb(),
        "report": None, "errors": {}, "filename": None, "selected": "", "corrected": None,
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
                                 "lang": tk.h.lang(), "corrected": True})
            except tk.ValidationError as e:
                extra["errors"] = e.error_dict
            except Exception:
                log.exception("Public file check failed")
                extra["errors"] = {"upload": [_("The file could not be checked. "
                                                "Try again later.")]}
            if extra["report"] and extra["report"].get("corrected"):
                # A link to a short-lived download, not the file inside the page.
                extra["corrected"] = dict(extra["report"]["corrected"],
                                          href=extra["report"]["corrected"]["url"])
    else:
        # "Check again as …" links here with the suggested standard picked.
        extra["selected"] = tk.request.args.get("schema", "")
    return tk.render("regionaliot/check_file.html", extra)


def corrected(token: str):
    """A corrected file of the public check, while its short-lived download lasts."""
    kept = downloads.take(token)
    if kept is None:
        return tk.abort(404, _("This download has expired (corrected files are kept for "
                               "{minutes} minutes). Check the file again to get a new one.").format(
            minutes=downloads.TTL // 60))
    content, name = kept
    response = make_response(content)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _attachment(name: str) -> str:
    # RFC 6266: an ASCII fallback and the UTF-8 name (a Japanese file name survives).
    return f"attachment; filename=\"corrected.csv\"; filename*=UTF-8''{quote(name)}"


# ---------------------------------------------------------------- CKAN's forms and the block


@validation.app_errorhandler(tk.ValidationError)
def _refused_in_a_stock_form(error: tk.ValidationError):
    """A ValidationError that a view of CKAN's own did not catch.

    The publish block refuses with a ValidationError, for the web as for the API; two of
    CKAN's forms do not expect one from the action they call and would answer 500:
    the new-dataset form's last step, and an organization's bulk "make public".
    Any other uncaught one is the user's input, not a server fault: 400, not 500.
    """
    endpoint = tk.request.endpoint or ""
    errors = error.error_dict or {}
    if endpoint.endswith("_resource.new") and "private" in errors:
        return _finish_new_dataset_as_private(errors["private"])
    if endpoint.endswith(".bulk_process") and "datasets" in errors:
        return _publish_the_others(errors["datasets"])
    summary = " ".join("{}: {}".format(field, " ".join(str(m) for m in (
        msgs if isinstance(msgs, list) else [msgs]))) for field, msgs in errors.items())
    return tk.render("error_document_template.html", {
        "code": 400, "name": _("Bad request"), "content": summary or _("Bad request")}), 400


def _finish_new_dataset_as_private(messages: list[str]):
    """The "Finish" of a new dataset whose files block publication: keep it, privately."""
    dataset_id = (tk.request.view_args or {}).get("id")
    package_type = tk.request.endpoint.rsplit("_resource.", 1)[0]
    try:
        dataset = tk.get_action("package_show")(_context(), {"id": dataset_id})
        tk.get_action("package_update")(dict(_context(), allow_state_change=True),
                                        dict(dataset, state="active", private=True))
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return tk.abort(404, _("Dataset not found"))
    tk.h.flash_notice(_("The dataset was saved as private.") + " " + " ".join(messages))
    return tk.redirect_to(f"{package_type}.read", id=dataset_id)


def _publish_the_others(messages: list[str]):
    """Bulk "make public": publish the datasets that may be, name the ones that stay private."""
    group_type = tk.request.endpoint.rsplit(".", 1)[0]
    org_id = (tk.request.view_args or {}).get("id")
    requested = [key[len("dataset_"):] for key in tk.request.form if key.startswith("dataset_")]
    blocked = records.unpublishable(requested)
    others = [d for d in requested if d not in blocked]
    if others:
        org = tk.get_action("organization_show")(_context(), {"id": org_id,
                                                              "include_datasets": False})
        tk.get_action("bulk_update_public")(_context(), {"datasets": others, "org_id": org["id"]})
    tk.h.flash_error(" ".join(messages))
    return tk.redirect_to(f"{group_type}.bulk_process", id=org_id)


validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation",
                        view_func=report)
validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation/run",
                        view_func=run, methods=["POST"])
validation.add_url_rule("/dataset/<id>/resource/<resource_id>/validation/normalized.csv",
                        view_func=normalized)
validation.add_url_rule("/validate", view_func=check_file, methods=["GET", "POST"])
validation.add_url_rule("/validate/corrected/<token>.csv", view_func=corrected)
