"""The background validation job, and the one place that queues it.

``ckan jobs worker`` runs it on CKAN's default queue. The job validates links (never
fetched inside a web request) and uploads above ``validation.sync_max_bytes``.

A job that dies (kill -9 of the work-horse or of the worker, out of memory) must not leave
its file 「検証中」 (pending/running) for ever, which would block publishing: each job is
followed by ``after_validation`` (an RQ dependency that runs however the job ended), and
``recover_stale`` (``ckan regionaliot validate-stale``, run before the worker starts) finds
records whose job is no longer queued or running. Either queues the file once more
(``attempts``); the next death is status error with ``JOB_DIED``.
"""
from __future__ import annotations

import datetime
import logging
import time

import ckan.model as model
import ckan.plugins.toolkit as tk
from rq.job import Dependency
from rq.timeouts import JobTimeoutException
from sqlalchemy import event

from ckanext.regionaliot.lib.i18n import N_

from . import liveness, records
from .model import ResourceValidation

log = logging.getLogger(__name__)

JOB_TITLE = "regionaliot validation {}"
# Callers commit before enqueueing, but a worker may still read a replica that lags.
WAIT_FOR_RESOURCE_SECONDS = 10


def enqueue_after_commit(record: ResourceValidation) -> None:
    """Queue the validation of ``record``'s resource once the current transaction commits.

    A job queued earlier could run before the commit and read the resource's old link or
    no record at all; a rolled-back transaction queues nothing. Call it after
    ``records.mark_pending``: the job is tied to the record's ``queued`` stamp.
    """
    session = model.Session()
    session.info.setdefault(_QUEUE_KEY, {})[record.resource_id] = _stamp(record.queued)


_QUEUE_KEY = "regionaliot_validation_jobs"
CHECK_TITLE = "regionaliot validation check {}"
# Seconds the check after a validation job may take (it reads one row, may queue a job).
CHECK_TIMEOUT = 300


def _stamp(value: datetime.datetime | None) -> str:
    return value.isoformat() if value else ""


@event.listens_for(model.Session, "after_commit")
def _enqueue_committed(session) -> None:
    for resource_id, queued in sorted(session.info.pop(_QUEUE_KEY, {}).items()):
        try:
            _enqueue(resource_id, queued)
        except Exception:  # Redis down: say so instead of staying "pending" forever
            log.exception("Could not queue validation of resource %s", resource_id)
            _store_queue_failure(resource_id)


def _enqueue(resource_id: str, queued: str) -> None:
    job = tk.enqueue_job(validate_resource, [resource_id], title=JOB_TITLE.format(resource_id),
                         rq_kwargs={"timeout": liveness.job_timeout()})
    # Runs when the job has ended, even if it failed or its work-horse was killed
    # (RQ enqueues a dependent with allow_failure from the worker's failure handling).
    tk.enqueue_job(after_validation, [resource_id, queued], title=CHECK_TITLE.format(resource_id),
                   rq_kwargs={"timeout": CHECK_TIMEOUT,
                              "depends_on": Dependency(jobs=[job], allow_failure=True)})


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
JOB_DIED = N_("Validation was interrupted twice before it finished (the background worker "
              "stopped or ran out of memory). Upload the file again or run the validation "
              "again; if it happens again, contact the portal administrators.")
TIMED_OUT = N_("Validation took longer than {seconds} seconds and was stopped. Try again "
               "later or contact the portal administrators.")


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
    except Exception as exc:
        model.Session.rollback()
        timed_out = isinstance(exc, JobTimeoutException)
        if timed_out:
            log.error("Validation job for resource %s timed out", resource_id)
        else:
            log.exception("Validation job for resource %s failed", resource_id)
        record = ResourceValidation.get(resource_id)
        if record is not None:
            if timed_out:
                records.mark_error(record, TIMED_OUT, seconds=liveness.job_timeout())
            else:
                records.mark_error(record, records.INTERNAL_PROBLEM)
            model.Session.commit()
    records.reindex(package["id"])


# ---------------------------------------------------------------- jobs that died

# A job that died is queued once more; when that one dies too the file gets JOB_DIED.
MAX_REQUEUES = 1


def after_validation(resource_id: str, queued: str) -> None:
    """The job after each validation job, however that ended.

    If the validation job finished, its record is settled and this does nothing. If its
    work-horse died (kill -9, out of memory) the record is still pending or running:
    queue the file once more, or give up with an error. A record queued again since
    (a new upload, "validate again") belongs to a newer job and is left alone.
    """
    record = ResourceValidation.get(resource_id)
    if record is None or record.status not in records.QUEUED:
        return
    if _stamp(record.queued) != queued:
        return
    log.warning("Validation job for resource %s ended without a result", resource_id)
    outcome = recover(record)
    model.Session.commit()
    if outcome == "failed":
        records.reindex(record.package_id)


def recover(record: ResourceValidation) -> str:
    """A record whose job died: ``requeued`` (once) or ``failed`` (status error)."""
    resource = model.Resource.get(record.resource_id)
    if resource is not None and resource.state == "active" and (
            (record.attempts or 0) < MAX_REQUEUES):
        records.mark_pending(record, retry=True)
        enqueue_after_commit(record)
        return "requeued"
    records.mark_error(record, JOB_DIED)
    return "failed"


def recover_stale(now: datetime.datetime | None = None) -> dict[str, int]:
    """Every pending or running validation whose job died: queued once more, or error.

    ``ckan regionaliot validate-stale``; deploy/stack.sh runs it before each worker start.
    """
    now = now or records.now()
    live = liveness.live_jobs()
    counts = {"requeued": 0, "failed": 0}
    failed_packages = set()
    stuck = (model.Session.query(ResourceValidation)
             .filter(ResourceValidation.status.in_(records.QUEUED)).all())
    for record in stuck:
        if not liveness.stale(record, live, now):
            continue
        left = record.status
        outcome = recover(record)
        counts[outcome] += 1
        if outcome == "failed":
            failed_packages.add(record.package_id)
        log.warning("Validation of resource %s was left %s by a job that died: %s",
                    record.resource_id, left, outcome)
    model.Session.commit()
    for package_id in sorted(failed_packages):
        records.reindex(package_id)
    return counts
