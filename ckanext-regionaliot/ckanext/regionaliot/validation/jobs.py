"""The background validation job, and the one place that queues it.

``ckan jobs worker`` runs it on CKAN's default queue. The job validates links (never
fetched inside a web request) and uploads above ``validation.sync_max_bytes``.
"""
from __future__ import annotations

import logging
import time

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import event

from ckanext.regionaliot.lib import config
from ckanext.regionaliot.lib.i18n import N_

from . import records
from .model import ResourceValidation

log = logging.getLogger(__name__)

JOB_TITLE = "regionaliot validation {}"
# Callers commit before enqueueing, but a worker may still read a replica that lags.
WAIT_FOR_RESOURCE_SECONDS = 10


def enqueue_after_commit(record: ResourceValidation) -> None:
    """Queue the validation of ``record``'s resource once the current transaction commits.

    A job queued earlier could run before the commit and read the resource's old link or
    no record at all; a rolled-back transaction queues nothing.
    """
    session = model.Session()
    session.info.setdefault(_QUEUE_KEY, set()).add(record.resource_id)


_QUEUE_KEY = "regionaliot_validation_jobs"


@event.listens_for(model.Session, "after_commit")
def _enqueue_committed(session) -> None:
    for resource_id in sorted(session.info.pop(_QUEUE_KEY, ())):
        try:
            tk.enqueue_job(validate_resource, [resource_id],
                           title=JOB_TITLE.format(resource_id),
                           rq_kwargs={"timeout": config.get_int(
                               "ckanext.regionaliot.validation.job_timeout")})
        except Exception:  # Redis down: say so instead of staying "pending" forever
            log.exception("Could not queue validation of resource %s", resource_id)
            _store_queue_failure(resource_id)


@event.listens_for(model.Session, "after_rollback")
def _forget_queued(session) -> None:
    session.info.pop(_QUEUE_KEY, None)


def _store_queue_failure(resource_id: str) -> None:
    # The session cannot run SQL inside after_commit: a connection of its own.
    table = ResourceValidation.__table__
    with model.meta.engine.begin() as connection:
        connection.execute(table.update().where(table.c.resource_id == resource_id).values(
            status="error", message=QUEUE_FAILED, report=None, error_count=0,
            warning_count=0, finished=records.now()))


QUEUE_FAILED = N_("The file could not be queued for validation. Run the validation again later.")


def _load(resource_id: str):
    deadline = time.monotonic() + WAIT_FOR_RESOURCE_SECONDS
    while True:
        resource = model.Resource.get(resource_id)
        if resource is not None or time.monotonic() >= deadline:
            return resource
        model.Session.remove()
        time.sleep(0.5)


def validate_resource(resource_id: str) -> None:
    """Validate a resource's file (a link, or a large upload) and store the report.

    Never raises for bad files: a broken file is a report, a failure is status error.
    """
    resource = _load(resource_id)
    if resource is None or resource.state != "active":
        log.info("Resource %s is gone; nothing to validate", resource_id)
        return
    context = {"ignore_auth": True, "use_cache": False}
    try:
        package = tk.get_action("package_show")(context, {"id": resource.package_id})
    except tk.ObjectNotFound:
        return
    resource_dict = next((r for r in package["resources"] if r["id"] == resource_id), None)
    if resource_dict is None:
        return
    record = ResourceValidation.get(resource_id)
    if record is not None and record.status == "pending":
        records.mark_running(record)  # visible to the resource page while the job works
        model.Session.commit()
    try:
        records.ensure(resource_dict, package, background=True)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        log.exception("Validation job for resource %s failed", resource_id)
        record = ResourceValidation.get(resource_id)
        if record is not None:
            records.mark_error(record, records.INTERNAL_PROBLEM)
            model.Session.commit()
    records.reindex(package["id"])
