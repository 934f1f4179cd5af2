"""Issue 15, item 11: what a purge removes (SECURITY.md, "Data removal").

A dataset purge removes the uploaded files of every resource the dataset had (active and
deleted) and their DataStore tables; resource_delete and package_delete keep them (CKAN's
soft delete, restorable; deleted resources are never served). Real PostgreSQL (both
databases) and filestore.
"""
from __future__ import annotations

import os
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.lib import uploader
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.datastore.backend import DatastoreBackend
from ckanext.regionaliot.validation.model import ResourceValidation

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLE = Path(__file__).resolve().parents[1] / "schemas" / "samples" / "legacy" / "aed.csv"


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def editor():
    return factories.UserWithToken()


@pytest.fixture
def dataset(sysadmin, editor):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"},
                                        {"name": editor["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], private=True, standard_dataset="aed",
                             user={"name": sysadmin["name"]})


def stored(resource: dict) -> Path:
    return Path(uploader.get_resource_uploader(resource).get_path(resource["id"]))


def has_table(resource_id: str) -> bool:
    return DatastoreBackend.get_active_backend().resource_exists(resource_id)


@pytest.fixture
def files(create_with_upload, dataset, sysadmin):
    """Two uploads (one then deleted) with a DataStore table each, and a link."""
    context = {"user": sysadmin["name"]}
    text = SAMPLE.read_text(encoding="utf-8")
    kept = create_with_upload(text, "aed.csv", context=context, package_id=dataset["id"],
                              url="aed.csv", format="CSV", name="AED")
    deleted = create_with_upload(text.replace("\r\n", "\n"), "old.csv", context=context,
                                 package_id=dataset["id"], url="old.csv", format="CSV")
    link = factories.Resource(package_id=dataset["id"], url="https://www.city.example.lg.jp/a.csv")
    for resource in (kept, deleted):
        call_action("datastore_create", resource_id=resource["id"], force=True,
                    fields=[{"id": "名称", "type": "text"}], records=[{"名称": "高梁川"}])
    assert ResourceValidation.get(kept["id"]) is not None
    call_action("resource_delete", context, id=deleted["id"])
    return kept, deleted, link


def test_resource_delete_keeps_the_file_until_the_dataset_is_purged(files):
    kept, deleted, _ = files
    assert stored(deleted).is_file()  # restorable: package_update with the resource again
    assert not has_table(deleted["id"])  # the DataStore drops its copy at once (CKAN's own)
    with pytest.raises(tk.ObjectNotFound):  # and the file is not served any more
        call_action("resource_show", id=deleted["id"])


def test_a_deleted_upload_can_be_restored_while_the_dataset_exists(app, files, dataset,
                                                                   sysadmin):
    # Why resource_delete keeps the file: CKAN can make the resource active again.
    kept, deleted, _ = files
    current = call_action("package_show", id=dataset["id"])
    call_action("package_update", {"user": sysadmin["name"]},
                **dict(current, resources=current["resources"] + [deleted]))
    assert call_action("resource_show", id=deleted["id"])["url_type"] == "upload"
    response = app.get(f"/dataset/{dataset['id']}/resource/{deleted['id']}/download",
                       headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 200
    assert response.body == SAMPLE.read_text(encoding="utf-8").replace("\r\n", "\n")


def test_package_delete_keeps_the_files(files, dataset, sysadmin):
    kept, deleted, _ = files
    call_action("package_delete", {"user": sysadmin["name"]}, id=dataset["id"])
    assert stored(kept).is_file() and stored(deleted).is_file()
    assert has_table(kept["id"])


def test_purge_removes_every_file_and_datastore_table_of_the_dataset(app, files, dataset,
                                                                    sysadmin):
    kept, deleted, link = files
    paths = [stored(kept), stored(deleted)]
    assert all(p.is_file() for p in paths) and has_table(kept["id"])

    response = app.post("/api/3/action/dataset_purge", json={"id": dataset["name"]},
                        headers={"Authorization": sysadmin["token"]})
    assert response.json["success"] is True

    assert model.Package.get(dataset["id"]) is None
    assert not any(p.exists() for p in paths)
    # CKAN's <id[0:3]>/<id[3:6]> directories of these files are gone when empty.
    assert not any(p.parent.exists() for p in paths)
    assert not has_table(kept["id"]) and not has_table(deleted["id"])
    model.Session.remove()
    assert ResourceValidation.get(kept["id"]) is None  # ON DELETE CASCADE
    assert link["id"]  # a link has nothing stored: nothing to remove, no error


def test_a_refused_purge_removes_nothing(app, files, dataset, editor):
    kept, deleted, _ = files
    response = app.post("/api/3/action/dataset_purge", json={"id": dataset["id"]},
                        headers={"Authorization": editor["token"]}, expect_errors=True)
    assert response.status_code == 403  # only sysadmins purge
    assert stored(kept).is_file() and stored(deleted).is_file()
    assert has_table(kept["id"])
    assert model.Package.get(dataset["id"]) is not None


def test_purge_of_an_unknown_dataset_is_still_ckans_404(app, sysadmin):
    response = app.post("/api/3/action/dataset_purge", json={"id": "no-such-dataset"},
                        headers={"Authorization": sysadmin["token"]}, expect_errors=True)
    assert response.status_code == 404


def test_other_files_in_the_filestore_are_untouched(app, files, dataset, sysadmin,
                                                    create_with_upload):
    other = factories.Dataset(owner_org=dataset["owner_org"], user={"name": sysadmin["name"]})
    neighbour = create_with_upload("a,b\r\n1,2\r\n", "n.csv", package_id=other["id"],
                                   url="n.csv", context={"user": sysadmin["name"]})
    app.post("/api/3/action/dataset_purge", json={"id": dataset["id"]},
             headers={"Authorization": sysadmin["token"]})
    assert stored(neighbour).is_file()
    assert os.path.isdir(stored(neighbour).parent)
