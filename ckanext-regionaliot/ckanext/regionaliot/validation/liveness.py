"""Is the job a validation waits for still alive? Read from RQ's queue and registries.

A record that is pending or running waits for a job; when that job died (kill -9 of the
work-horse or of the worker, out of memory) the record is stale. ``records`` asks this
before trusting a queued record, ``jobs`` before recovering one; this module imports
neither of them, so neither depends on the other for it.
"""
from __future__ import annotations

import datetime
import logging
import os
import socket
from typing import Any

from ckanext.regionaliot.lib import config

log = logging.getLogger(__name__)

# The dotted name RQ stores for the validation job (jobs.validate_resource; a unit test
# keeps the two equal).
JOB_FUNCTION = "ckanext.regionaliot.validation.jobs.validate_resource"
# A record queued this recently may not have its job in Redis yet (queued after commit).
PENDING_GRACE_SECONDS = 60
# A running job older than the job timeout plus this is dead even if RQ still lists it
# (RQ's worker kills a job at its timeout, and its work-horse at the timeout + 60 s).
STALE_MARGIN_SECONDS = 300


def job_timeout() -> int:
    """The validation job's time limit in seconds."""
    return config.get_int("ckanext.regionaliot.validation.job_timeout")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_gone(job: Any, connection: Any) -> bool:
    """The worker that started ``job`` is dead: unregistered (its heartbeat expired), or
    registered on this host under a pid that no longer exists (killed moments ago)."""
    from rq.worker import Worker

    if not job.worker_name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name,
                                connection=connection)
    if worker is None:
        return True
    return worker.hostname == socket.gethostname() and bool(worker.pid) and not _pid_alive(
        int(worker.pid))


def live_jobs() -> set[str]:
    """Resource ids whose validation job is waiting in the queue or running on a worker
    that is alive, according to RQ's queue and registries in Redis."""
    from ckan.lib.jobs import get_queue
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    queue = get_queue()
    connection = queue.connection
    started = StartedJobRegistry(queue=queue)
    started.cleanup()  # abandoned jobs (heartbeat expired) to failed, as RQ's own upkeep does
    running = set(started.get_job_ids())
    waiting = set(queue.get_job_ids()) | set(ScheduledJobRegistry(queue=queue).get_job_ids())
    # Taken from the queue by a worker, not yet in the started registry.
    waiting |= {i.decode() if isinstance(i, bytes) else i
                for i in connection.lrange(queue.intermediate_queue_key, 0, -1)}
    ids = sorted(running | waiting)
    live: set[str] = set()
    for job in Job.fetch_many(ids, connection=connection, serializer=queue.serializer):
        if job is None or job.func_name != JOB_FUNCTION:
            continue
        if job.id in running and job.id not in waiting and _worker_gone(job, connection):
            continue
        try:
            live.add(job.args[0])
        except Exception:  # a job whose arguments cannot be read is not ours to judge
            log.warning("Could not read the arguments of job %s", job.id)
    return live


def _age(since: datetime.datetime | None, now: datetime.datetime) -> float:
    return (now - since).total_seconds() if since else float("inf")


def stale(record: Any, live: set[str], now: datetime.datetime) -> bool:
    """Whether ``record`` (a ResourceValidation) waits for a job that no longer exists,
    given the ``live`` resource ids of :func:`live_jobs` and the time ``now`` (UTC)."""
    if record.status == "running":
        if record.resource_id in live:
            return _age(record.started, now) > job_timeout() + STALE_MARGIN_SECONDS
        return True  # the job marks it running itself: no job means it died
    if record.status == "pending":
        if record.resource_id in live:
            return False  # waiting its turn, however long the queue
        return _age(record.queued or record.created, now) > PENDING_GRACE_SECONDS
    return False


def is_stale(record: Any, now: datetime.datetime) -> bool:
    """:func:`stale` with the queue read now (False if Redis cannot tell: then nothing is
    queued twice)."""
    if record.status not in ("pending", "running"):
        return False
    try:
        live = live_jobs()
    except Exception:
        log.exception("Could not read the job queue")
        return False
    return stale(record, live, now)
