"""Malformed requests answer 4xx with a clear message, never 500 (issue 15, item 10).

Each function here is wired by ``views.py`` onto the security blueprint
(``before_app_request`` / ``app_errorhandler``); none patches CKAN or another extension.

- ``reject_malformed_input``: a NUL or an unpaired surrogate anywhere in the path, the
  query, a form or a JSON body (PostgreSQL cannot store either: psycopg2 raises inside the
  action and CKAN answers 500; upstream ckan/ckan#9324 for NUL), JSON nested deeper than
  ``MAX_JSON_DEPTH`` (Werkzeug's parser raises RecursionError, which CKAN's API does not
  catch), and a boolean parameter of a core action that is neither true nor false
  (``package_search?include_private=maybe``: core calls ``asbool`` on it, which raises
  ValueError), and an ``id`` that is not text (a JSON list or number reaches SQL) → 400. API requests get CKAN's JSON error shape, pages CKAN's error page.
- ``refuse_unlinkable_download``: ``/dataset/<id>/resource/<rid>/download`` of a link
  whose URL is not a web address (``javascript:``, ``data:``, a bare name): CKAN builds a
  route from it and fails with BuildError (cf. ckan/ckan#1106) → 404.
- activity's ``/dataset/changes_multiple`` (and the group/organization ones) without both
  version ids → 400 (cf. ckan/ckan#6495: the same view's 500s).
- ``not_authorized`` / ``not_found`` / ``bad_form``: CKAN's and other extensions' views that
  let NotAuthorized, ObjectNotFound or DataError escape (activity's changes pages for an
  unknown or private activity; the DataStore dictionary form with a malformed key) →
  403 / 404 / 400 pages. An uncaught ValidationError is answered by the
  validation plugin's handler (``validation/views.py``): Flask keeps one handler per class.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import DataError
from flask import jsonify

log = logging.getLogger(__name__)

# NUL, and the UTF-16 surrogates (only an unpaired one can reach a Python str, and no
# UTF-8 encoder accepts it).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# No CKAN or DataStore payload comes near this; Python's parser gives up near 1,000.
MAX_JSON_DEPTH = 100
# Parameters that core actions pass to ``asbool`` unchecked (ckan/logic/action/get.py of
# 2.11.6): package_search, package_show, group/organization list and show, user_list.
CORE_BOOLEAN_PARAMETERS = frozenset({
    "include_private", "include_drafts", "include_deleted", "use_default_schema",
    "all_fields", "include_dataset_count", "include_member_count", "include_site_user",
    "include_plugin_data", "include_datasets", "include_tags", "include_users",
    "include_groups", "include_extras", "include_followers", "include_num_followers",
})
# The activity plugin's "compare versions" pages read new_id and old_id unchecked.
_ACTIVITY_RANGE = frozenset({"activity.package_changes_multiple",
                             "activity.group_changes_multiple",
                             "activity.organization_changes_multiple"})
# CKAN's resource download routes: resource.download and <type>_resource.download.
_DOWNLOAD_ENDPOINT = re.compile(r"^(?:[\w-]+_)?resource\.download$")

_ = tk._


class _Malformed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- answers


def _is_api() -> bool:
    return (tk.request.endpoint or "").startswith("api.") or tk.request.path.startswith("/api/")


def api_error(status: int, kind: str, message: str):
    """CKAN's Action API error shape (``views/api.py``), with ``status``."""
    response = jsonify({"success": False, "error": {"__type": kind, "message": message}})
    response.status_code = status
    return response


def _page(status: int, name: str, message: str):
    return tk.render("error_document_template.html", {
        "code": status, "name": name, "content": message,
        "show_login_redirect_link": status == 403 and tk.current_user.is_anonymous}), status


def _bad_request(message: str):
    if _is_api():
        return api_error(400, "Bad Request", message)
    return _page(400, _("Bad request"), message)


# ---------------------------------------------------------------- input


def _strings(value: Any, depth_limit: int) -> Iterator[str]:
    """Every str key and value of a decoded JSON document, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > depth_limit:
            raise _Malformed(_("The JSON data is nested more than {limit} levels deep.")
                             .format(limit=depth_limit))
        if isinstance(item, dict):
            for key, child in item.items():
                yield key
                stack.append((child, depth + 1))
        else:
            stack.extend((child, depth + 1) for child in item)


def _check_text(where: str, value: Any) -> None:
    if isinstance(value, str) and _UNSTORABLE.search(value):
        raise _Malformed(_('The request contains a character that cannot be stored '
                           '(NUL or an unpaired surrogate) in "{field}".')
                         .format(field=_printable(where)))


def _printable(name: str) -> str:
    return _UNSTORABLE.sub("\ufffd", name)[:100]


def _check_boolean(name: str, value: Any) -> None:
    if name in CORE_BOOLEAN_PARAMETERS and isinstance(value, str):
        try:
            tk.asbool(value)
        except ValueError:
            raise _Malformed(_('"{field}" must be true or false.')
                             .format(field=name)) from None


def _json_payload() -> Any:
    """The JSON document CKAN's API view will read: the body, or a form whose one key is
    JSON (``views/api.py`` ``_get_request_data``). None if there is none or it is invalid
    (CKAN answers that itself)."""
    request = tk.request
    try:
        if request.method in ("POST", "PUT") and request.form:
            values = list(request.form.values())
            if len(values) == 1 and values[0] in ("1", ""):
                try:
                    return json.loads(next(iter(request.form.keys())))
                except ValueError:
                    return None
            return None
        if request.is_json:
            return request.get_json(silent=True)  # cached for CKAN's own call
    except RecursionError:
        raise _Malformed(_("The JSON data is nested more than {limit} levels deep.")
                         .format(limit=MAX_JSON_DEPTH)) from None
    return None


def _inspect_request() -> None:
    request = tk.request
    for name, value in (request.view_args or {}).items():
        _check_text(name, value)
    api_action = request.endpoint == "api.action"
    for name, value in request.args.items(multi=True):
        _check_text(name, name)
        _check_text(name, value)
        if api_action:
            _check_boolean(name, value)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            _check_text(name, name)
            _check_text(name, value)
            if api_action:
                _check_boolean(name, value)
        for name, upload in request.files.items(multi=True):
            _check_text(name, name)
            _check_text(name, upload.filename)
    if request.endpoint in _ACTIVITY_RANGE and not (
            request.args.get("new_id") and request.args.get("old_id")):
        raise _Malformed(_('Choose the two versions to compare ("new_id" and "old_id").'))
    if api_action:
        payload = _json_payload()
        for text in _strings(payload, MAX_JSON_DEPTH):
            _check_text(_("the JSON data"), text)
        if isinstance(payload, dict):
            for name, value in payload.items():
                _check_boolean(name, value)
            # Core actions look the id up as given: a list or a number reaches SQL (500).
            if payload.get("id") is not None and not isinstance(payload["id"], str):
                raise _Malformed(_('"{field}" must be text.').format(field="id"))


# ckanext/regionaliot/views.py (page views for CKAN's tracking plugin).
RAW_BODY_ENDPOINT = "regionaliot_tracking.page_view"


def reject_malformed_input():
    """``before_app_request``: 400 for input no view can store or parse."""
    if tk.request.endpoint in (None, RAW_BODY_ENDPOINT):
        # No view will read it (a 404), or the core's /_tracking view checks the body
        # itself: reading the form here would empty the body that CKAN's tracking hook
        # reads from the raw stream after the view.
        return None
    try:
        _inspect_request()
    except _Malformed as problem:
        log.info("Refused a malformed request to %s: %s", tk.request.path, problem.message)
        return _bad_request(problem.message)
    return None


# ---------------------------------------------------------------- downloads


def _downloadable_link(url: str) -> bool:
    """What CKAN's ``h.redirect_to`` can redirect to: a site path or an allowed scheme."""
    return url.startswith("/") or tk.h.is_url(url)


def refuse_unlinkable_download():
    """``before_app_request`` on the resource download routes: a link resource whose URL
    CKAN cannot redirect to gets a 404 with a reason instead of a BuildError (500)."""
    if not _DOWNLOAD_ENDPOINT.match(tk.request.endpoint or ""):
        return None
    resource_id = (tk.request.view_args or {}).get("resource_id")
    context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
    try:
        resource = tk.get_action("resource_show")(context, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None  # CKAN's view answers these itself
    if resource.get("url_type") == "upload" or "url" not in resource:
        return None
    if _downloadable_link(resource.get("url") or ""):
        return None
    return tk.abort(404, _("This resource's link is not a web address (http or https), "
                           "so there is nothing to download."))


# ---------------------------------------------------------------- escaped exceptions


def not_authorized(error: tk.NotAuthorized):
    """NotAuthorized that a view did not catch (activity's changes pages, say)."""
    if _is_api():
        return api_error(403, "Authorization Error", _("Access denied"))
    return _page(403, _("Forbidden"), str(error) or _("You are not allowed to see this page."))


def not_found(error: tk.ObjectNotFound):
    if _is_api():
        return api_error(404, "Not Found Error", _("Not found"))
    return _page(404, _("Not found"), str(error) or _("The page or object was not found."))


def bad_form(error: DataError):
    """DataError (a malformed form field name, ``tuplize_dict``) that a view did not catch:
    the DataStore data dictionary form, for one."""
    message = _("The form contains a malformed field name; reload the page and try again.")
    if _is_api():
        return api_error(400, "Integrity Error", message)
    return _page(400, _("Bad request"), message)
