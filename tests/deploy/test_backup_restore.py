"""`make backup` / `make restore FILE=...` (deploy/backup.sh) on the test profile.

What is exercised: datasets with uploaded files and a DataStore table are created through
the action API, `deploy/backup.sh backup --profile test` archives them, then everything is
wiped (CKAN's tables emptied, the DataStore table dropped, the Solr core cleared, the
filestore directory removed) and `deploy/backup.sh restore FILE --profile test` must bring
back every dataset (in the database and in search) and every uploaded file byte for byte.

Why the same services and not a second PostgreSQL/Solr in a fresh data directory: that
costs a second cluster, a second JVM and two profiles' migrations, well over a minute on
these machines, and proves little more. The restore itself does what a fresh directory
needs: it drops and recreates both databases (an empty database is what it restores
into, whatever was there), replaces the filestore directory, re-applies the DataStore
grants and rebuilds the index from nothing. The path that differs in a fresh directory,
starting the services and restoring the secrets, is deploy/stack.sh's, run by the restore
when the services are down or a secret changed.

The backup and restore run as subprocesses, exactly as `make` runs them; this process's
database connections are released first and reopened after, since the restore drops the
databases they point to (DROP DATABASE ... WITH (FORCE) would end them anyway).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import ckan.lib.search as search
import pytest
from ckan import model
from ckan.common import config
from ckan.lib.uploader import get_resource_uploader
from ckan.tests import factories, helpers
from ckan.tests.helpers import call_action
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ROOT = Path(__file__).resolve().parents[2]
BACKUP_SH = ROOT / "deploy" / "backup.sh"

# Bytes that a text-mode or encoding slip would change: NUL, CRLF, Shift_JIS, UTF-8.
FILES = {
    "aed": [("aed.csv", "名称,緯度,経度\r\n倉敷市役所,34.58,133.77\r\n".encode("shift_jis"))],
    "toilet": [
        ("公衆トイレ一覧.csv", "名称,住所\n駅前トイレ,倉敷市阿知\n".encode()),
        ("map.bin", bytes(range(256)) * 40),
    ],
    "population": [("population.json", b'{"total": 474592}\n')],
}


def _release_connections():
    """Close every pooled connection to the test databases (CKAN's and the DataStore's)."""
    from ckanext.datastore.backend import postgres as datastore_pg

    model.Session.remove()
    model.meta.engine.dispose()
    for engine in datastore_pg._engines.values():
        engine.dispose()


def _profile() -> str:
    """The profile of the ini pytest runs on: test, or test-N on a numbered slot."""
    return Path(config["__file__"]).stem


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # The data directory is the one holding the test profile's filestore (var by default).
    env = dict(os.environ, REGIONALIOT_DATA=str(Path(config["ckan.storage_path"]).parent))
    env.pop("REGIONALIOT_PROFILE", None)
    _release_connections()
    return subprocess.run(
        ["bash", str(BACKUP_SH), *args],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )


def _upload(user: str, package_id: str, filename: str, data: bytes) -> dict:
    return call_action(
        "resource_create",
        {"user": user},
        package_id=package_id,
        name=filename,
        url=filename,
        upload=FakeFileStorage(BytesIO(data), filename),
    )


def _stored_bytes(resource: dict) -> bytes:
    return Path(get_resource_uploader(resource).get_path(resource["id"])).read_bytes()


@pytest.fixture
def catalogue():
    """Three datasets with uploaded files, a link resource and a DataStore table."""
    sysadmin = factories.Sysadmin()
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    uploads = {}
    for key, files in FILES.items():
        dataset = factories.Dataset(name=f"backup-{key}", owner_org=org["id"])
        for filename, data in files:
            uploads[_upload(sysadmin["name"], dataset["id"], filename, data)["id"]] = data
    linked = factories.Resource(package_id="backup-aed", url="https://example.org/aed.csv")
    call_action(
        "datastore_create",
        {"user": sysadmin["name"]},
        resource_id=linked["id"],
        force=True,
        fields=[{"id": "名称", "type": "text"}, {"id": "件数", "type": "int"}],
        records=[{"名称": "倉敷市", "件数": 312}, {"名称": "総社市", "件数": 58}],
    )
    return {"uploads": uploads, "datastore_resource": linked["id"]}


def _wipe(datastore_resource: str) -> None:
    """Empty everything a restore must bring back, and check that it is gone."""
    call_action("datastore_delete", resource_id=datastore_resource, force=True)
    helpers.reset_db()
    search.clear_all()
    shutil.rmtree(config["ckan.storage_path"])
    assert call_action("package_list") == []
    assert call_action("package_search", q="*:*")["count"] == 0


def test_backup_then_restore_brings_back_datasets_files_and_datastore(catalogue, tmp_path):
    names = sorted(f"backup-{key}" for key in FILES)
    assert sorted(call_action("package_list")) == names

    backup = _run("backup", "--profile", _profile(), "--out", str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    archives = list(tmp_path.glob("regionaliot-test-*.tar.gz"))
    assert len(archives) == 1
    assert archives[0].stat().st_mode & 0o077 == 0  # it holds the secrets
    assert "datasets=3" in backup.stdout
    assert f"uploads={len(catalogue['uploads'])}" in backup.stdout

    _wipe(catalogue["datastore_resource"])

    restore = _run("restore", str(archives[0]), "--profile", _profile())
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "datasets=3" in restore.stdout
    _release_connections()  # the old connections died with the dropped databases

    assert sorted(call_action("package_list")) == names
    found = call_action("package_search", q="*:*", rows=10)
    assert sorted(d["name"] for d in found["results"]) == names
    assert call_action("package_search", q="トイレ")["count"] == 1

    restored = {}
    for name in names:
        for resource in call_action("package_show", id=name)["resources"]:
            if resource["url_type"] == "upload":
                restored[resource["id"]] = _stored_bytes(resource)
    assert restored == catalogue["uploads"]

    rows = call_action("datastore_search", resource_id=catalogue["datastore_resource"], sort="件数 desc")
    assert [(r["名称"], r["件数"]) for r in rows["records"]] == [("倉敷市", 312), ("総社市", 58)]


def test_restore_refuses_a_missing_or_damaged_archive_and_changes_nothing(tmp_path):
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])

    missing = _run("restore", "--profile", _profile())
    assert missing.returncode != 0
    assert missing.stderr.startswith("FAILED: restore needs the archive")

    damaged = tmp_path / "regionaliot-test-20260101-000000.tar.gz"
    damaged.write_bytes(b"\x1f\x8b not really gzip")
    result = _run("restore", str(damaged), "--profile", _profile())
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("FAILED: ")
    _release_connections()
    assert call_action("package_show", id=dataset["id"])["name"] == dataset["name"]
