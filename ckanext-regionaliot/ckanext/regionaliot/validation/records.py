"""Validation of resources of standard datasets: when, where and what is stored.

A resource is validated when it has a standard schema (its own ``standard_schema``
or, for CSV/TSV/xlsx files, the dataset's ``standard_dataset``). Uploaded files up to
``validation.sync_max_bytes`` are validated at once; larger files and every link are
validated by the background job (``jobs.py``), so no request ever waits for a remote
server. A file whose sha256 and requested schema match the stored validation is not
validated again. Nothing here deletes or changes a file, and nothing here enqueues:
``ensure`` says whether a job is needed and the caller asks ``jobs.enqueue``.
"""
from __future__ import annotations

import datetime
import hashlib
import logging
import os
import posixpath
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import uploader
from rq.timeouts import JobTimeoutException

from ckanext.regionaliot.lib import config, fetch
from ckanext.regionaliot.lib.i18n import N_, current_lang

from . import liveness, service
from .model import ResourceValidation

log = logging.getLogger(__name__)

TABULAR_FORMATS = {"csv", "tsv", "txt", "xlsx", "text/csv", "text/tab-separated-values"}
TABULAR_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx")
# Statuses that stop a dataset from being made public (pending/running: not validated yet).
BLOCKING = ("failure", "error", "pending", "running")
# A stored validation of the same file that needs no new run.
SETTLED = ("success", "failure")
QUEUED = ("pending", "running")
INTERNAL_PROBLEM = N_("Validation stopped because of an internal problem. "
                      "Try again later or contact the portal administrators.")


# ---------------------------------------------------------------- config


def sync_max_bytes() -> int:
    return config.get_int("ckanext.regionaliot.validation.sync_max_bytes")


def max_findings() -> int:
    return config.get_int("ckanext.regionaliot.validation.max_findings")


def download_max_bytes() -> int:
    return config.get_int("ckanext.regionaliot.validation.download_max_bytes")


def download_options() -> dict[str, Any]:
    """Keyword arguments of ``lib.fetch.fetch`` for linked files."""
    return {
        "timeout": config.get_float("ckanext.regionaliot.validation.download_timeout"),
        "allow_private": config.get_bool("ckanext.regionaliot.validation.allow_private_urls"),
    }


def declared_encoding(resource: dict[str, Any]) -> str | None:
    """The character encoding the editor chose for the file (None: detect it)."""
    value = (resource.get("encoding") or "").strip()
    return value or None

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


def now() -> datetime.datetime:
    return datetime.datetime.utcnow()


@dataclass
class Outcome:
    """What ``ensure`` did: the stored validation (None: the resource is not validated)
    and whether the background job must run (the caller commits, then enqueues)."""

    record: ResourceValidation | None
    needs_job: bool = False


def _record(resource: dict[str, Any], package_id: str,
            record: ResourceValidation | None) -> ResourceValidation:
    if record is None:
        record = ResourceValidation(resource_id=resource["id"], package_id=package_id,
                                    status="pending", runs=0, error_count=0, warning_count=0)
        model.Session.add(record)
    return record


def mark_error(record: ResourceValidation, msgid: str, **params: Any) -> ResourceValidation:
    """Status error: we could not validate. ``msgid`` is translated when shown."""
    record.status = "error"
    record.message = msgid
    record.report = {"message_params": params} if params else None
    record.error_count = 0
    record.warning_count = 0
    record.finished = now()
    return record


def mark_pending(record: ResourceValidation, retry: bool = False) -> None:
    """Waiting for the background job (then ``jobs.enqueue_after_commit``).

    ``retry``: queued again because the previous job died (counted in ``attempts``);
    otherwise a new file or a new request, which starts the count again.
    """
    record.status = "pending"
    record.message = None
    record.started = None
    record.finished = None
    record.queued = now()
    record.attempts = (record.attempts or 0) + 1 if retry else 0


def _settled_or_waiting(record: ResourceValidation) -> bool:
    """The stored validation needs no new run: it is settled, or its job is still queued
    or running. A job that died (kill -9, out of memory) does not count: uploading the
    same file again, or saving the dataset, then queues it again."""
    if record.status in SETTLED:
        return True
    if record.status in QUEUED:
        return not liveness.is_stale(record, now())
    return False


def mark_running(record: ResourceValidation) -> None:
    record.status = "running"
    record.started = now()


def _run(record: ResourceValidation, path: str, schema: str, sha: str, size: int,
         encoding: str | None) -> None:
    mark_running(record)
    record.file_sha256 = sha
    record.file_size = size
    record.runs = (record.runs or 0) + 1
    try:
        report = service.validate(path, schema, max_findings=max_findings(), encoding=encoding)
    except service.UnknownSchema:
        mark_error(record, N_("The validator does not know the standard schema \"{schema}\"."),
                   schema=schema)
        return
    except JobTimeoutException:  # the job's own time limit: jobs.py says so
        raise
    except Exception:  # the engine must never take the upload down with it
        log.exception("Validation of resource %s failed", record.resource_id)
        mark_error(record, INTERNAL_PROBLEM)
        return
    counts = report.get("counts") or {}
    if report.get("checked") is False and not counts.get("errors"):
        # Only general checks ran (no standard determined): unchecked, never a pass.
        mark_error(record, N_("Which standard dataset this file is could not be determined "
                              "from its header, so it was not checked. Choose the dataset's "
                              "standard and validate it again."))
        return
    record.status = "success" if report.get("valid") else "failure"
    record.message = None
    record.schema_name = report.get("schema")
    record.generation = report.get("generation")
    record.encoding = report.get("encoding")
    record.rows = report.get("rows")
    record.error_count = counts.get("errors", 0)
    record.warning_count = counts.get("warnings", 0)
    record.report = report
    record.finished = now()


def ensure(resource: dict[str, Any], package: dict[str, Any], *, force: bool = False,
           background: bool = False) -> Outcome:
    """Bring the stored validation of ``resource`` up to date.

    ``force`` validates even an unchanged file; ``background`` is the job itself: it
    validates links and files of any size. Outside the job a link, or an upload above
    ``sync_max_bytes``, is marked pending and ``Outcome.needs_job`` is set.
    Changes are added to the session; the caller commits.
    """
    record = ResourceValidation.get(resource["id"]) if resource.get("id") else None
    schema = wanted_schema(resource, package)
    if schema is None:
        if record is not None:
            model.Session.delete(record)
        return Outcome(None)
    record = _record(resource, package["id"], record)
    previous_schema, previous_url = record.schema_requested, record.url
    record.schema_requested = schema
    record.package_id = package["id"]
    record.url = resource.get("url") or ""
    same_schema = previous_schema == schema
    encoding = declared_encoding(resource)
    if is_upload(resource):
        return _ensure_upload(record, resource, schema, same_schema, encoding, force, background)
    if background:
        return _validate_link(record, schema, encoding, force)
    if not force and same_schema and previous_url == record.url and _settled_or_waiting(record):
        return Outcome(record)  # the link did not change: a dataset save, say
    record.file_sha256 = None
    record.file_size = None
    mark_pending(record)
    return Outcome(record, needs_job=True)


def _ensure_upload(record: ResourceValidation, resource: dict[str, Any], schema: str,
                   same_schema: bool, encoding: str | None, force: bool,
                   background: bool) -> Outcome:
    path = upload_path(resource)
    if not path or not os.path.isfile(path):
        mark_error(record, N_("The uploaded file is missing from the file store."))
        return Outcome(record)
    size = os.path.getsize(path)
    sha = sha256_of(path)
    same = same_schema and record.file_sha256 == sha
    if not force and same and (record.status in SETTLED if background
                               else _settled_or_waiting(record)):
        return Outcome(record)
    if background or size <= sync_max_bytes():
        _run(record, path, schema, sha, size, encoding)
        return Outcome(record)
    record.file_sha256 = sha
    record.file_size = size
    mark_pending(record)
    return Outcome(record, needs_job=True)


def _validate_link(record: ResourceValidation, schema: str, encoding: str | None,
                   force: bool) -> Outcome:
    """The job's part for a link: download it (guarded, capped) and validate it."""
    limit = download_max_bytes()
    try:
        fetched = fetch.fetch(record.url, limit=limit, **download_options())
    except fetch.DownloadError as exc:
        mark_error(record, exc.msgid, **exc.params)
        return Outcome(record)
    try:
        if not fetched.complete:
            mark_error(record, N_("The linked file is larger than {limit} bytes and was "
                                  "not validated."), limit=limit)
            return Outcome(record)
        if not force and record.file_sha256 == fetched.sha256 and record.status in SETTLED:
            return Outcome(record)
        _run(record, fetched.path, schema, fetched.sha256, fetched.size, encoding)
        return Outcome(record)
    finally:
        fetched.remove()


# ---------------------------------------------------------------- reading


def show(record: ResourceValidation, with_report: bool = True) -> dict[str, Any]:
    """The API form of a validation, in the reader's language (message and findings)."""
    data = record.as_dict(with_report=with_report)
    if record.status == "error" and record.message:
        params = (record.report or {}).get("message_params") or {}
        data["message"] = tk._(record.message).format(**params)
        if with_report:
            data["report"] = None
    elif with_report:
        data["report"] = service.in_language(data.get("report"), current_lang())
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


def as_private(value: Any) -> bool:
    """``private`` read exactly as package_update will save it, by CKAN's own
    boolean_validator ("on", "", "maybe" and the like are public)."""
    from ckan.logic.validators import boolean_validator

    if value is None:
        return False
    try:
        return bool(boolean_validator(value, {}))
    except (tk.Invalid, AttributeError):  # a JSON number: package_update refuses it too
        return False


def is_public(private: Any, state: str | None) -> bool:
    return not as_private(private) and (state or "active") == "active"


def unpublishable(dataset_ids: list[str]) -> dict[str, str]:
    """Of ``dataset_ids``, the private ones that may not be made public: id → title."""
    blocked: dict[str, str] = {}
    for dataset_id in dataset_ids:
        package = model.Package.get(dataset_id)
        if package is None or is_public(package.private, package.state):
            continue
        shown = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                              {"id": package.id})
        if publish_blockers(shown):
            blocked[dataset_id] = package.title or package.name
    return blocked


def reindex(package_id: str) -> None:
    """Put the new validation status into the search index (the facet)."""
    from ckan.lib import search

    try:
        search.rebuild(package_id)
    except Exception:  # a stale facet is better than a failed upload
        log.exception("Could not reindex dataset %s after validation", package_id)
