"""Validation actions, and the publish block chained onto CKAN's dataset actions.

Publishing rule: a dataset may not become public (private → public, or draft →
active while public, or created public) while a resource with a standard
schema is not validated successfully (failure, error, pending or running).
Nothing is deleted: the refused update changes nothing and the upload stays.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib import config
from ckanext.regionaliot.lib.i18n import current_lang

from .. import downloads, jobs, records, service
from ..model import ResourceValidation
from . import schema as schemas

__all__ = [
    "resource_validation_show",
    "resource_validation_run",
    "regionaliot_validate_upload",
    "package_create",
    "package_update",
    "bulk_update_public",
]

_ = tk._


def _validate(data_dict: dict[str, Any], schema: dict[str, Any], context: Any) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _resource_and_package(resource_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound(_("Resource not found"))
    package = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                            {"id": resource.package_id})
    for item in package["resources"]:
        if item["id"] == resource.id:
            return item, package
    raise tk.ObjectNotFound(_("Resource not found"))


@tk.side_effect_free
def resource_validation_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The latest validation of a resource's file.

    :param id: the resource id
    :param include_report: include the findings (default true)
    :returns: status (pending|running|success|failure|error), schema, generation,
        encoding, rows, error_count, warning_count, file_sha256, started, finished,
        message (why status is error) and report (summary, errors, warnings).
    """
    data = _validate(data_dict, schemas.resource_validation_show_schema(), context)
    tk.check_access("resource_validation_show", context, data)
    resource = model.Resource.get(data["id"])
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound(_("Resource not found"))
    record = ResourceValidation.get(resource.id)
    if record is None:
        raise tk.ObjectNotFound(_("This resource has no validation report."))
    return records.show(record, with_report=data.get("include_report", True))


def resource_validation_run(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Validate a resource's file again, even if it has not changed.

    Small files are validated at once; larger ones are queued (status pending).

    :param id: the resource id
    :returns: the validation, as resource_validation_show
    """
    data = _validate(data_dict, schemas.resource_validation_run_schema(), context)
    tk.check_access("resource_validation_run", context, data)
    resource, package = _resource_and_package(data["id"])
    if records.wanted_schema(resource, package) is None:
        raise tk.ValidationError(
            {"id": [_("This resource has no standard schema to validate against.")]})
    outcome = records.ensure(resource, package, force=True)
    if outcome.needs_job:
        jobs.enqueue_after_commit(outcome.record)
    model.Session.commit()
    records.reindex(package["id"])
    return records.show(outcome.record)


def _max_check_bytes() -> int:
    return config.get_int("ckanext.regionaliot.validation.check_max_bytes")


class _TooLarge(Exception):
    pass


def _save_capped(upload: Any, path: str, limit: int) -> None:
    stream = getattr(upload, "stream", upload)
    size = 0
    with open(path, "wb") as out:
        for chunk in iter(lambda: stream.read(64 * 1024), b""):
            size += len(chunk)
            if size > limit:
                raise _TooLarge()
            out.write(chunk)


def regionaliot_validate_upload(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Validate an uploaded file and forget it (the public "check my file" service).

    :param upload: the file (multipart/form-data)
    :param schema: a standard dataset name (e.g. ``aed``); detected from the header if empty
    :param corrected: also make the corrected UTF-8 CSV (default false)
    :returns: the report (valid, checked, schema, generation, encoding, rows, summary,
        counts, errors, warnings); with ``corrected`` and a known standard, also
        ``corrected``: url (a download that works for ``expires_in`` seconds, then the file
        is gone), download_name, rows and changes (each with its message)
    """
    tk.check_access("regionaliot_validate_upload", context, data_dict)
    data = _validate(data_dict, schemas.validate_upload_schema(), context)
    upload = data["upload"]
    if not hasattr(upload, "read") and not hasattr(upload, "stream"):
        raise tk.ValidationError({"upload": [_("Send the file as a multipart/form-data upload.")]})
    limit = _max_check_bytes()
    lang = data.get("lang") or current_lang()
    workdir = tempfile.mkdtemp(prefix="regionaliot-check-")
    try:
        # Never the client's file name on disk: it is hostile input.
        path = os.path.join(workdir, "upload")
        try:
            _save_capped(upload, path, limit)
        except _TooLarge:
            raise tk.ValidationError({"upload": [
                _("The file is larger than {limit} MB.").format(limit=round(limit / 1e6, 1))]}) from None
        try:
            report = service.validate(path, data.get("schema") or None, lang=lang,
                                    max_findings=records.max_findings())
        except service.UnknownSchema:
            raise tk.ValidationError({"schema": [_("Unknown standard dataset.")]}) from None
        if data.get("corrected") and report.get("schema"):
            report["corrected"] = _corrected(path, report, lang, getattr(upload, "filename", ""))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _corrected(path: str, report: dict[str, Any], lang: str, filename: str | None) -> dict[str, Any] | None:
    """The corrected CSV of the checked upload, kept for a short-lived download (downloads.py)."""
    with open(path, "rb") as handle:
        content = handle.read()
    try:
        result = service.correct_bytes(content, report["schema"], lang=lang,
                                       encoding=report.get("encoding"))
    except (service.Unreadable, service.UnknownSchema):
        return None  # the report already says why the file cannot be used
    stem = os.path.splitext(os.path.basename(filename or ""))[0] or "file"
    name = f"{stem}-corrected.csv"
    token = downloads.keep(result.pop("content"), name)
    return dict(result, download_name=name, expires_in=downloads.TTL,
                url=tk.url_for("regionaliot_validation.corrected", token=token, _external=True))


# ---------------------------------------------------------------- the publish block


def _blocked_message(problems: list[str]) -> str:
    return _("The dataset cannot be made public until its standard-format files pass "
             "validation: {problems} The files are kept; fix them and upload them again, "
             "or download the corrected file from the validation report.").format(
        problems=" ".join(problems))


def _future_dataset(context: Any, data_dict: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The dataset as package_update will save it, and the current Package (or None)."""
    current = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    future = dict(data_dict)
    if current is not None:
        future.setdefault("id", current.id)
        if "resources" not in data_dict:  # package_update keeps them
            shown = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                                  {"id": current.id})
            future["resources"] = shown["resources"]
    return future, current


def _check_publishable(context: Any, data_dict: dict[str, Any], creating: bool) -> None:
    future, current = _future_dataset(context, data_dict)
    if creating:
        current = None
    private = data_dict["private"] if "private" in data_dict else (
        current.private if current is not None else False)
    state = data_dict.get("state") or (current.state if current is not None else "active")
    if not records.is_public(private, state):
        return
    if current is not None and records.is_public(current.private, current.state):
        return  # already public: not a publication (uploads to it are shown as errors)
    problems = records.publish_blockers(future)
    if not problems:
        return
    raise tk.ValidationError({"private": [_blocked_message(problems)]})


@tk.chained_action
def package_update(up_func, context, data_dict):
    _check_publishable(context, data_dict, creating=False)
    return up_func(context, data_dict)


@tk.chained_action
def package_create(up_func, context, data_dict):
    _check_publishable(context, data_dict, creating=True)
    return up_func(context, data_dict)


@tk.chained_action
def bulk_update_public(up_func, context, data_dict):
    blocked = records.unpublishable(data_dict.get("datasets") or [])
    if blocked:
        raise tk.ValidationError({"datasets": [
            _("These datasets have standard-format files that have not passed validation "
              "and stay private: {names}").format(names=", ".join(blocked.values()))]})
    return up_func(context, data_dict)
