"""Validation of resources of standard datasets: when, where and what is stored.

A resource is validated when it has a standard schema (its own ``standard_schema``
or, for CSV/TSV/xlsx files, the dataset's ``standard_dataset``). Files up to
``validation.sync_max_bytes`` are validated at once, larger ones by a job on
CKAN's queue. A file whose sha256 and requested schema match the stored
validation is not validated again. Nothing here deletes or changes a file.
"""
from __future__ import annotations

import datetime
import hashlib
import logging
import os
import posixpath
from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import uploader

from . import download, validation_service
from .model import ResourceValidation

log = logging.getLogger(__name__)

N_ = download.N_

TABULAR_FORMATS = {"csv", "tsv", "txt", "xlsx", "text/csv", "text/tab-separated-values"}
TABULAR_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx")
# Statuses that stop a dataset from being made public (pending/running: not validated yet).
BLOCKING = ("failure", "error", "pending", "running")
# A stored validation of the same file that needs no new run.
SETTLED = ("success", "failure")
QUEUED = ("pending", "running")
JOB_TITLE = "regionaliot validation {}"


# ---------------------------------------------------------------- config


def sync_max_bytes() -> int:
    return tk.config.get("ckanext.regionaliot.validation.sync_max_bytes")


def max_findings() -> int:
    return tk.config.get("ckanext.regionaliot.validation.max_findings")


def _download_options() -> dict[str, Any]:
    return {
        "timeout": tk.config.get("ckanext.regionaliot.validation.download_timeout"),
        "allow_private": tk.config.get("ckanext.regionaliot.validation.allow_private_urls"),
    }


def _report_lang() -> str:
    # Stored reports are read by staff in the portal's default language.
    return tk.config.get("ckan.locale_default") or "ja"


# ---------------------------------------------------------------- which resources


def _blank(value: Any) -> bool:
    return value in (None, "", "none")


def _looks_tabular(resource: dict[str, Any]) -> bool:
    fmt = (resource.get("format") or "").strip().lower().lstrip(".")
    if fmt:
        return fmt in TABULAR_FORMATS
    path = urlsplit(resource.get("url") or "").path.lower()
    return posixpath.splitext(path)[1] in TABULAR_EXTENSIONS


def wanted_schema(resource: dict[str, Any], package: dict[str, Any]) -> str | None:
    """The schema a resource must be validated against, or None.

    The resource's own ``standard_schema`` wins (its value ``none`` opts a file out,
    e.g. a PDF manual in an AED dataset); otherwise the dataset's
    ``standard_dataset`` applies to CSV/TSV/xlsx resources.
    """
    if not resource.get("url"):
        return None
    own = resource.get("standard_schema")
    if own == "none":
        return None
    if not _blank(own):
        return own
    dataset = package.get("standard_dataset")
    if _blank(dataset) or not _looks_tabular(resource):
        return None
    return dataset


def is_upload(resource: dict[str, Any]) -> bool:
    return resource.get("url_type") == "upload"


def upload_path(resource: dict[str, Any]) -> str | None:
    upload = uploader.get_resource_uploader(resource)
    if not getattr(upload, "storage_path", None):
        return None
    return upload.get_path(resource["id"])


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- the work


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _record(resource: dict[str, Any], package_id: str,
            record: ResourceValidation | None) -> ResourceValidation:
    if record is None:
        record = ResourceValidation(resource_id=resource["id"], package_id=package_id,
                                    status="pending", runs=0, error_count=0, warning_count=0)
        model.Session.add(record)
    return record


def _set_error(record: ResourceValidation, msgid: str, **params: Any) -> ResourceValidation:
    """Status error: we could not validate. ``msgid`` is translated when shown."""
    record.status = "error"
    record.message = msgid
    record.report = {"message_params": params} if params else None
    record.error_count = 0
    record.warning_count = 0
    record.finished = _now()
    return record


def _run(record: ResourceValidation, path: str, schema: str, sha: str, size: int) -> None:
    record.status = "running"
    record.started = _now()
    record.file_sha256 = sha
    record.file_size = size
    record.runs = (record.runs or 0) + 1
    try:
        report = validation_service.validate(path, schema, lang=_report_lang(),
                                             max_findings=max_findings())
    except validation_service.UnknownSchema:
        _set_error(record, N_("The validator does not know the standard schema \"{schema}\"."),
                   schema=schema)
        return
    except Exception:  # the engine must never take the upload down with it
        log.exception("Validation of resource %s failed", record.resource_id)
        _set_error(record, N_("Validation stopped because of an internal problem. "
                              "Try again later or contact the portal administrators."))
        return
    counts = report.get("counts") or {}
    record.status = "success" if report.get("valid") else "failure"
    record.message = None
    record.schema_name = report.get("schema")
    record.generation = report.get("generation")
    record.encoding = report.get("encoding")
    record.rows = report.get("rows")
    record.error_count = counts.get("errors", 0)
    record.warning_count = counts.get("warnings", 0)
    record.report = report
    record.finished = _now()


def _unchanged(record: ResourceValidation | None, schema: str, sha: str | None,
               statuses: tuple[str, ...]) -> bool:
    return (record is not None and sha is not None and record.file_sha256 == sha
            and record.schema_requested == schema and record.status in statuses)


def _enqueue(record: ResourceValidation) -> None:
    from . import jobs

    record.status = "pending"
    record.message = None
    record.started = None
    record.finished = None
    try:
        tk.enqueue_job(jobs.validate_resource, [record.resource_id],
                       title=JOB_TITLE.format(record.resource_id),
                       rq_kwargs={"timeout": tk.config.get(
                           "ckanext.regionaliot.validation.job_timeout")})
    except Exception:  # Redis down: say so instead of staying "pending" forever
        log.exception("Could not queue validation of resource %s", record.resource_id)
        _set_error(record, N_("The file could not be queued for validation. "
                              "Run the validation again later."))


def ensure(resource: dict[str, Any], package: dict[str, Any], *, force: bool = False,
           check_links: bool = True, background: bool = False) -> ResourceValidation | None:
    """Bring the stored validation of ``resource`` up to date; returns it (None: not validated).

    ``force`` validates even an unchanged file; ``check_links`` False trusts the
    stored validation of a link whose URL did not change (saves a download on
    every dataset save); ``background`` is the job: no size threshold.
    Changes are added to the session; the caller commits.
    """
    record = ResourceValidation.get(resource["id"]) if resource.get("id") else None
    schema = wanted_schema(resource, package)
    if schema is None:
        if record is not None:
            model.Session.delete(record)
        return None
    url = resource.get("url") or ""
    if (record is not None and not force and not check_links and not is_upload(resource)
            and record.url == url and record.schema_requested == schema):
        return record  # a dataset save: editing the resource or "validate again" re-fetches
    record = _record(resource, package["id"], record)
    previous_schema = record.schema_requested
    record.schema_requested = schema
    record.package_id = package["id"]
    record.url = url
    if is_upload(resource):
        _ensure_upload(record, resource, schema, previous_schema, force, background)
    else:
        _ensure_link(record, url, schema, previous_schema, force, background)
    return record


def _ensure_upload(record: ResourceValidation, resource: dict[str, Any], schema: str,
                   previous_schema: str | None, force: bool, background: bool) -> None:
    path = upload_path(resource)
    if not path or not os.path.isfile(path):
        _set_error(record, N_("The uploaded file is missing from the file store."))
        return
    size = os.path.getsize(path)
    sha = sha256_of(path)
    same = previous_schema == schema and record.file_sha256 == sha
    if not force and same and record.status in (SETTLED if background else SETTLED + QUEUED):
        return
    if background or size <= sync_max_bytes():
        _run(record, path, schema, sha, size)
    else:
        record.file_sha256 = sha
        record.file_size = size
        _enqueue(record)


def _ensure_link(record: ResourceValidation, url: str, schema: str,
                 previous_schema: str | None, force: bool, background: bool) -> None:
    limit = (tk.config.get("ckanext.regionaliot.validation.download_max_bytes") if background
             else sync_max_bytes())
    try:
        fetched = download.fetch(url, limit=limit, **_download_options())
    except download.DownloadError as exc:
        _set_error(record, exc.msgid, **exc.params)
        return
    try:
        if not fetched.complete:
            if background:
                _set_error(record, N_("The linked file is larger than {limit} bytes and was "
                                      "not validated."), limit=limit)
            elif record.status in QUEUED and previous_schema == schema and not force:
                pass  # already queued for this link
            else:
                record.file_sha256 = None
                record.file_size = None
                _enqueue(record)
            return
        same = previous_schema == schema and record.file_sha256 == fetched.sha256
        if not force and same and record.status in SETTLED:
            return
        _run(record, fetched.path, schema, fetched.sha256, fetched.size)
    finally:
        fetched.remove()


# ---------------------------------------------------------------- reading


def show(record: ResourceValidation, with_report: bool = True) -> dict[str, Any]:
    """The API form of a validation, with its message translated now."""
    data = record.as_dict(with_report=with_report)
    if record.status == "error" and record.message:
        params = (record.report or {}).get("message_params") or {}
        data["message"] = tk._(record.message).format(**params)
        if with_report:
            data["report"] = None
    return data


def dataset_status(package: dict[str, Any]) -> str:
    """One status for a dataset, the worst of its validated resources, for search facets:
    none | success | warning | pending | error | failure."""
    records = {r.resource_id: r for r in ResourceValidation.for_package(package["id"])}
    statuses = set()
    for resource in package.get("resources") or []:
        if wanted_schema(resource, package) is None:
            continue
        record = records.get(resource.get("id"))
        if record is None:
            statuses.add("pending")
        elif record.status == "success":
            statuses.add("warning" if record.warning_count else "success")
        elif record.status in QUEUED:
            statuses.add("pending")
        else:
            statuses.add(record.status)
    for status in ("failure", "error", "pending", "warning", "success"):
        if status in statuses:
            return status
    return "none"


# ---------------------------------------------------------------- publishing


def _has_new_upload(resource: dict[str, Any]) -> bool:
    upload = resource.get("upload")
    return bool(upload) and bool(getattr(upload, "filename", None) or hasattr(upload, "read"))


def publish_blockers(package: dict[str, Any]) -> list[str]:
    """Why ``package`` (the dataset as it will be saved) may not be public; [] if it may.

    Uses the stored validations: a resource without a current validation (new,
    re-uploaded, relinked or a changed schema) blocks until it has one.
    """
    problems = []
    for resource in package.get("resources") or []:
        schema = wanted_schema(resource, package)
        if schema is None:
            continue
        name = resource.get("name") or resource.get("url") or resource.get("id") or "?"
        record = ResourceValidation.get(resource["id"]) if resource.get("id") else None
        changed = (record is None or record.schema_requested != schema or _has_new_upload(resource)
                   or (not is_upload(resource) and record.url != resource.get("url")))
        if changed or record.status in QUEUED:
            problems.append(tk._("\"{name}\" has not been validated yet; publish the dataset "
                                 "once its validation has finished.").format(name=name))
        elif record.status == "failure":
            problems.append(tk._("\"{name}\" has {errors} error(s) against the standard "
                                 "schema.").format(name=name, errors=record.error_count))
        elif record.status == "error":
            problems.append(tk._("\"{name}\" could not be validated: {reason}").format(
                name=name, reason=show(record, with_report=False)["message"]))
    return problems


def reindex(package_id: str) -> None:
    """Put the new validation status into the search index (the facet)."""
    from ckan.lib import search

    try:
        search.rebuild(package_id)
    except Exception:  # a stale facet is better than a failed upload
        log.exception("Could not reindex dataset %s after validation", package_id)
