"""Issue 15, item 8: a validation job that dies never leaves its file 「検証中」 for ever.

Against the real PostgreSQL and Redis (RQ 1.16). A dead work-horse is simulated with RQ's
own failure handling (the code its worker runs when waitpid reports the horse killed),
and once for real: a `ckan jobs worker --burst` whose work-horses are killed with SIGKILL.
A dead worker is a job left in RQ's StartedJobRegistry.
"""
from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ckan.model as model
import pytest
import rq
from ckan.lib import jobs as ckan_jobs
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.validation import jobs, liveness, records
from ckanext.regionaliot.validation.model import ResourceValidation
from rq.registry import FailedJobRegistry, StartedJobRegistry

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

SAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy" / "aed.csv"
VALIDATE = f"{jobs.validate_resource.__module__}.validate_resource"
CHECK = f"{jobs.after_validation.__module__}.after_validation"
DIED_JA = "2回中断されました"


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def dataset(sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], private=True, standard_dataset="aed",
                             user={"name": sysadmin["name"]})


@pytest.fixture
def large(ckan_config, monkeypatch):
    """Every upload goes to the background job."""
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.sync_max_bytes", 100)


def upload(create_with_upload, dataset, **kwargs):
    context = {"user": model.User.get(dataset["creator_user_id"]).name}
    return create_with_upload(SAMPLE.read_text(encoding="utf-8"), "aed.csv", context=context,
                              package_id=dataset["id"], url="aed.csv", format="CSV", **kwargs)


def queued(func: str) -> list[rq.job.Job]:
    return [job for job in ckan_jobs.get_queue().jobs if job.func_name == func]


def record(resource_id: str) -> ResourceValidation:
    model.Session.remove()
    found = ResourceValidation.get(resource_id)
    assert found is not None
    return found


def start(job: rq.job.Job, worker_name: str = "", ttl: int = 600) -> None:
    """What a worker does when it takes a job, and what the job does first."""
    queue = ckan_jobs.get_queue()
    queue.remove(job)
    job.worker_name = worker_name
    job.set_status(rq.job.JobStatus.STARTED)
    job.save()
    registry = StartedJobRegistry(queue=queue)
    # Scored by expiry: a negative ttl is a heartbeat that expired ttl seconds ago.
    queue.connection.zadd(registry.key, {job.id: time.time() + ttl})
    row = record(job.args[0])
    records.mark_running(row)
    model.Session.commit()


def horse_killed(job: rq.job.Job) -> None:
    """What RQ 1.16's worker does when waitpid says its work-horse was killed
    (Worker.monitor_work_horse → handle_job_failure): the job fails, its dependents run."""
    queue = ckan_jobs.get_queue()
    worker = rq.Worker([queue], connection=queue.connection)
    job.ended_at = datetime.datetime.now(datetime.timezone.utc)
    worker.handle_job_failure(job, queue=queue,
                              exc_string="Work-horse terminated unexpectedly; waitpid returned 9")
    queue.connection.delete(worker.key)  # its failure counter: this worker never existed


def run_check() -> None:
    checks = queued(CHECK)
    assert len(checks) == 1, "RQ did not run the check after the dead job"
    checks[0].perform()
    ckan_jobs.get_queue().remove(checks[0])


def test_a_killed_work_horse_is_retried_once_then_the_file_is_an_error(
        app, create_with_upload, dataset, sysadmin, large):
    resource = upload(create_with_upload, dataset)
    assert record(resource["id"]).status == "pending"
    assert [j.args for j in queued(VALIDATE)] == [[resource["id"]]]
    assert queued(CHECK) == []  # waits for the validation job (RQ dependency)

    first = queued(VALIDATE)[0]
    start(first)
    horse_killed(first)
    run_check()
    again = record(resource["id"])
    assert again.status == "pending" and again.attempts == 1
    assert [j.args for j in queued(VALIDATE)] == [[resource["id"]]]  # queued once more

    second = queued(VALIDATE)[0]
    start(second)
    horse_killed(second)
    run_check()
    final = record(resource["id"])
    assert final.status == "error" and final.attempts == 1
    assert queued(VALIDATE) == []  # given up: no third run

    shown = app.get(f"/api/3/action/resource_validation_show?id={resource['id']}",
                    headers={"Authorization": sysadmin["token"]}).json["result"]
    assert DIED_JA in shown["message"]
    # Still blocks publishing, now with the reason instead of "not validated yet".
    refused = app.post("/api/3/action/package_patch", json={"id": dataset["id"], "private": False},
                       headers={"Authorization": sysadmin["token"]}, status=409).json
    assert DIED_JA in refused["error"]["private"][0]


def test_a_job_that_finished_leaves_nothing_for_the_check_to_do(create_with_upload, dataset,
                                                                large):
    resource = upload(create_with_upload, dataset)
    job = queued(VALIDATE)[0]
    job.perform()
    ckan_jobs.get_queue().remove(job)
    done = record(resource["id"])
    assert done.status == "success"
    jobs.after_validation(resource["id"], jobs._stamp(done.queued))
    assert record(resource["id"]).status == "success"
    assert queued(VALIDATE) == []


def test_the_check_leaves_a_newer_job_alone(create_with_upload, dataset, large):
    resource = upload(create_with_upload, dataset)
    first = queued(VALIDATE)[0]
    stamp_of_first = jobs._stamp(record(resource["id"]).queued)
    # Other bytes are uploaded while the first job runs: a second job owns the record.
    start(first)
    other = "\ufeff" + SAMPLE.read_text(encoding="utf-8")  # a BOM: other bytes
    create_with_upload(other, "aed.csv", context={"user": model.User.get(
        dataset["creator_user_id"]).name}, action="resource_update", id=resource["id"],
        url="aed.csv", format="CSV")
    assert jobs._stamp(record(resource["id"]).queued) != stamp_of_first
    horse_killed(first)
    run_check()  # the first job's check
    newer = record(resource["id"])
    assert newer.status == "pending" and newer.attempts == 0  # not counted against it
    assert len(queued(VALIDATE)) == 1


def test_a_job_abandoned_by_a_dead_worker_is_queued_again(create_with_upload, dataset, large):
    resource = upload(create_with_upload, dataset)
    job = queued(VALIDATE)[0]
    start(job, worker_name="gone-worker", ttl=-5)  # its heartbeat expired: worker dead

    assert jobs.recover_stale() == {"requeued": 1, "failed": 0}
    again = record(resource["id"])
    assert again.status == "pending" and again.attempts == 1
    assert [j.args for j in queued(VALIDATE)] == [[resource["id"]]]
    assert job.id in FailedJobRegistry(queue=ckan_jobs.get_queue())  # RQ's own bookkeeping

    # The new job dies the same way: the file gets an error with the reason.
    start(queued(VALIDATE)[0], worker_name="gone-worker", ttl=-5)
    assert jobs.recover_stale() == {"requeued": 0, "failed": 1}
    assert record(resource["id"]).status == "error"
    assert jobs.JOB_DIED == call_action("resource_validation_show", id=resource["id"])["message"]


@pytest.fixture
def fake_worker():
    """A worker registered in Redis on this host; its pid is set by the test."""
    queue = ckan_jobs.get_queue()
    worker = rq.Worker([queue], connection=queue.connection, name="stack-worker")
    worker.register_birth()
    yield worker
    worker.register_death()


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_job_of_a_worker_killed_moments_ago_is_queued_again(create_with_upload, dataset,
                                                              large, fake_worker):
    # `make up` right after kill -9 of the worker: its job still looks alive in Redis
    # (registry entry and worker key not expired yet), but its pid is gone.
    fake_worker.connection.hset(fake_worker.key, "pid", dead_pid())
    resource = upload(create_with_upload, dataset)
    start(queued(VALIDATE)[0], worker_name=fake_worker.name, ttl=600)
    assert jobs.recover_stale() == {"requeued": 1, "failed": 0}
    assert record(resource["id"]).status == "pending"


def test_a_job_of_a_live_worker_is_left_alone_until_it_overruns(create_with_upload, dataset,
                                                                large, fake_worker):
    fake_worker.connection.hset(fake_worker.key, "pid", os.getpid())
    resource = upload(create_with_upload, dataset)
    start(queued(VALIDATE)[0], worker_name=fake_worker.name, ttl=600)
    assert jobs.recover_stale() == {"requeued": 0, "failed": 0}
    assert record(resource["id"]).status == "running"

    # Running longer than the job timeout and the margin: RQ should have killed it.
    row = record(resource["id"])
    row.started = records.now() - datetime.timedelta(
        seconds=liveness.job_timeout() + liveness.STALE_MARGIN_SECONDS + 5)
    model.Session.commit()
    assert jobs.recover_stale() == {"requeued": 1, "failed": 0}


def test_pending_files_wait_their_turn_however_long_the_queue(create_with_upload, dataset, large):
    resource = upload(create_with_upload, dataset)
    row = record(resource["id"])
    row.queued = records.now() - datetime.timedelta(hours=5)
    model.Session.commit()
    assert jobs.recover_stale() == {"requeued": 0, "failed": 0}  # its job is still queued

    # Redis lost the queue (flushed, restored from an old backup): the file is queued again,
    # but not one that was queued a moment ago (its job is queued after the commit).
    ckan_jobs.get_queue().empty()
    now = records.now()
    assert jobs.recover_stale(now=row.queued + datetime.timedelta(seconds=10)) == {
        "requeued": 0, "failed": 0}
    assert jobs.recover_stale(now=now) == {"requeued": 1, "failed": 0}
    assert [j.args for j in queued(VALIDATE)] == [[resource["id"]]]


def test_uploading_the_same_file_again_recovers_a_stuck_file(create_with_upload, dataset,
                                                             large, ckan_config, monkeypatch):
    resource = upload(create_with_upload, dataset)
    start(queued(VALIDATE)[0], worker_name="gone-worker", ttl=-5)
    assert record(resource["id"]).status == "running"

    # The same bytes uploaded again are validated (here at once), not skipped as
    # "unchanged and already being validated".
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.sync_max_bytes", 2_000_000)
    upload(create_with_upload, dataset, action="resource_update", id=resource["id"])
    fixed = record(resource["id"])
    assert fixed.status == "success" and fixed.attempts == 0


def test_a_dataset_save_does_not_queue_a_live_job_twice(create_with_upload, dataset, large):
    resource = upload(create_with_upload, dataset)
    call_action("package_patch", {"user": model.User.get(dataset["creator_user_id"]).name},
                id=dataset["id"], notes="説明を更新")
    assert [j.args for j in queued(VALIDATE)] == [[resource["id"]]]
    assert record(resource["id"]).status == "pending"


def test_a_job_that_times_out_says_so(create_with_upload, dataset, large, monkeypatch):
    from ckanext.regionaliot.validation import service
    from rq.timeouts import JobTimeoutException

    def too_slow(*args, **kwargs):
        raise JobTimeoutException("Task exceeded maximum timeout value (1800 seconds)")

    resource = upload(create_with_upload, dataset)
    monkeypatch.setattr(service, "validate", too_slow)
    jobs.validate_resource(resource["id"])
    shown = call_action("resource_validation_show", id=resource["id"])
    assert shown["status"] == "error"
    assert shown["message"] == jobs.TIMED_OUT.format(seconds=liveness.job_timeout())


def test_the_validate_stale_command(cli, create_with_upload, dataset, large):
    from ckan.cli.cli import ckan

    resource = upload(create_with_upload, dataset)
    start(queued(VALIDATE)[0], worker_name="gone-worker", ttl=-5)
    result = cli.invoke(ckan, ["regionaliot", "validate-stale"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert record(resource["id"]).status == "pending"


# ---------------------------------------------------------------- for real: kill -9


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _running_validation(queue: rq.Queue, pid: int) -> str | None:
    """The validation job the worker with ``pid`` is running, if any."""
    for registered in rq.Worker.all(queue=queue):
        if registered.pid != pid:
            continue
        job_id = registered.get_current_job_id()
        if job_id:
            job = rq.job.Job.fetch(job_id, connection=queue.connection)
            if job.func_name == VALIDATE:
                return job.id
    return None


def test_kill_9_of_the_work_horse_for_real(request, sysadmin, dataset, ckan_config, monkeypatch):
    """A real `ckan jobs worker --burst`; each work-horse running a validation job is
    killed with SIGKILL. The first death is retried, the second one is an error."""
    from ckan.tests.pytest_ckan.fixtures import FakeFileStorage

    ini = request.config.getoption("--ckan-ini")
    # The worker reads the ini, so the file goes to its filestore (not a tmpdir).
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.validation.sync_max_bytes", 100)
    with SAMPLE.open("rb") as handle:
        resource = call_action("resource_create", {"user": sysadmin["name"]},
                               package_id=dataset["id"], url="aed.csv", format="CSV",
                               upload=FakeFileStorage(handle, "aed.csv"))
    assert record(resource["id"]).status == "pending"
    queue = ckan_jobs.get_queue()
    for job in queue.jobs:  # only ours: xloader's would call the site back
        if job.func_name not in (VALIDATE, CHECK):
            queue.remove(job)

    worker = subprocess.Popen([str(Path(sys.executable).parent / "ckan"), "-c", ini, "jobs",
                               "worker", "--burst"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    killed: list[str] = []
    deadline = time.monotonic() + 240
    try:
        while worker.poll() is None and time.monotonic() < deadline:
            before = _running_validation(queue, worker.pid)
            horses = _children(worker.pid)
            if before and before not in killed and len(horses) == 1 and (
                    _running_validation(queue, worker.pid) == before):
                try:
                    os.kill(horses[0], signal.SIGKILL)
                except ProcessLookupError:
                    continue
                killed.append(before)
            time.sleep(0.005)
        output = worker.communicate(timeout=60)[0].decode(errors="replace")
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert len(killed) == 2, output[-3000:]
    final = record(resource["id"])
    assert final.status == "error", output[-3000:]
    assert final.attempts == 1
    assert output.count("ended without a result") == 2  # after_validation, once per death


def test_liveness_names_the_job_rq_stores():
    # liveness.py cannot import jobs.py (jobs imports records, records imports liveness),
    # so it spells the job's dotted name; this keeps the two equal.
    assert liveness.JOB_FUNCTION == VALIDATE
