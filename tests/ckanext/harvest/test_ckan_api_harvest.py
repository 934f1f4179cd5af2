"""Harvester regionaliot_ckan_api against local CKAN-API and data eye servers, through the
real gather/fetch/import stages (ckanext-harvest's test runner, no queues) on PostgreSQL,
Solr and Redis: create, skip unchanged, update, withdraw, hand-made datasets untouched, and
hostile sources that record a harvest error and change nothing."""
from __future__ import annotations

import collections
import contextvars
import json
import threading

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.search.index import PackageSearchIndex
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestObject
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.regionaliot.harvest import importer
from ckanext.regionaliot.harvest.ckan_api_harvester import RegionalIoTCKANAPIHarvester
from remote_portal import Remote, Silent, dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def remote(monkeypatch):
    server = Remote()
    # The one harvest allow-list: the security plugin's check of the source's URL when it
    # is saved and every request of the harvester read it (the site-wide list stays empty).
    monkeypatch.setitem(tk.config, "ckanext.regionaliot.security.fetch_allowed_hosts", "")
    monkeypatch.setitem(tk.config, "ckanext.regionaliot.harvest.allowed_hosts",
                        f"127.0.0.1:{server.port}")
    yield server
    server.close()


@pytest.fixture
def kurashiki():
    return factories.Organization(name="kurashiki", title="倉敷市", lg_code="332020",
                                  prefecture="33")


def make_source(url, owner, config=None):
    return HarvestSourceObj(url=url, source_type="regionaliot_ckan_api", owner_org=owner,
                            config=json.dumps(config or {}))


def harvest(source):
    """One harvest job through gather, fetch and import: (object ids, job)."""
    harvester = RegionalIoTCKANAPIHarvester()
    job = HarvestJobObj(source=source, run=False)
    job.status = "Running"
    job.save()
    ids = queue.gather_stage(harvester, job) or []
    for object_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    return ids, job


def harvested(source):
    rows = (model.Session.query(HarvestObject.guid, HarvestObject.package_id)
            .filter(HarvestObject.harvest_source_id == source.id, HarvestObject.current.is_(True)))
    return {guid: model.Package.get(package_id) for guid, package_id in rows}


def errors(job):
    gather = [e.message for e in model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id)]
    objects = [e.message for o in job.objects for e in o.errors]
    return gather, objects


def public_names():
    return {d["name"] for d in call_action("package_search", rows=100)["results"]}


def test_create_skip_update_withdraw_and_hand_made_untouched(remote, kurashiki, monkeypatch):
    indexed = collections.Counter()
    index_package = PackageSearchIndex.index_package

    def counting(self, pkg_dict, *args, **kwargs):
        indexed[pkg_dict["id"]] += 1
        return index_package(self, pkg_dict, *args, **kwargs)

    monkeypatch.setattr(PackageSearchIndex, "index_package", counting)
    other = factories.Organization(name="kasaoka", title="笠岡市", lg_code="332054", prefecture="33")
    hand_made = factories.Dataset(name="332020_ds1", title="職員が作成", owner_org=kurashiki["id"])
    remote.datasets = [dataset(i, f"2024-04-0{i}T00:00:00.000000") for i in range(1, 6)]
    remote.datasets[1]["organization"] = {"name": "kasaoka-city", "title": "笠岡市"}
    remote.datasets[2]["license_id"] = "other-closed"
    remote.datasets[3].update(title="AED設置箇所一覧", name="332020_aed",
                              resources=[{"url": "https://data.example.jp/aed.csv",
                                          "name": "AED", "format": "CSV"}],
                              groups=[{"name": "x", "title": "社会保障・衛生"}])
    # page_size 2: three search pages; kasaoka mapped by name in the source's config
    source = make_source(remote.url, kurashiki["id"],
                         {"page_size": 2, "organizations": {"kasaoka-city": "332054"}})

    ids, job = harvest(source)
    assert errors(job) == ([], [])
    assert len(ids) == 4  # the closed licence is left out
    by_guid = harvested(source)
    assert set(by_guid) == {"remote-00001", "remote-00002", "remote-00004", "remote-00005"}
    # Each created dataset indexed once (CKAN alone indexes a new dataset twice), and found.
    assert {indexed[p.id] for p in by_guid.values()} == {1}
    assert {"332020_ds1-2", by_guid["remote-00002"].name} <= public_names()
    first = call_action("package_show", id=by_guid["remote-00001"].id)
    assert first["name"] == "332020_ds1-2"  # the hand-made dataset keeps its name
    assert first["harvest_identifier"] == "remote-00001"
    assert first["harvest_url"] == remote.url + "dataset/332020_ds1"
    assert first["owner_org"] == kurashiki["id"]
    assert by_guid["remote-00002"].owner_org == other["id"]
    aed = call_action("package_show", id=by_guid["remote-00004"].id)
    assert aed["standard_dataset"] == "aed" and aed["category"] == "shakaihosho-eisei"
    # A standard dataset waits, private, for the background validation of its link.
    assert aed["private"] is True
    assert call_action("resource_validation_show", id=aed["resources"][0]["id"])["status"] == "pending"

    # Unchanged: nothing queued, no revision, no activity.
    before = {g: (p.metadata_modified, len(call_action("package_activity_list", id=p.id)))
              for g, p in harvested(source).items()}
    ids, job = harvest(source)
    assert ids == [] and errors(job) == ([], [])
    model.Session.expire_all()
    after = {g: (p.metadata_modified, len(call_action("package_activity_list", id=p.id)))
             for g, p in harvested(source).items()}
    assert after == before

    # One changed, one deleted at the source.
    remote.datasets[0] = dict(remote.datasets[0], title="収集テスト1（改訂）",
                              metadata_modified="2024-05-01T00:00:00.000000")
    del remote.datasets[4]
    ids, job = harvest(source)
    assert len(ids) == 2 and errors(job) == ([], [])
    model.Session.expire_all()
    by_guid = harvested(source)
    assert by_guid["remote-00001"].title == "収集テスト1（改訂）"
    gone = call_action("package_show", id=by_guid["remote-00005"].id)
    assert gone["state"] == "active" and gone["private"] is True and gone["harvest_withdrawn"]
    assert gone["name"] not in public_names()
    assert "332020_ds1-2" in public_names()

    # The dataset comes back at the source: public again, stamp cleared.
    remote.datasets.append(dataset(5, "2024-06-01T00:00:00.000000"))
    ids, job = harvest(source)
    assert len(ids) == 1
    back = call_action("package_show", id=by_guid["remote-00005"].id)
    assert back["private"] is False and not back.get("harvest_withdrawn")

    mine = call_action("package_show", id=hand_made["id"])
    assert mine["title"] == "職員が作成" and mine["metadata_modified"] == hand_made["metadata_modified"]


def test_dataeye_ckan_api_dialect(remote, kurashiki):
    remote.datasets = [
        {"id": 15, "name": "15", "title": "公衆トイレ一覧", "notes": "",
         "organization": {"name": "kurashiki-city", "title": "倉敷市"},
         "resources": [{"url": "/resource_download/88", "name": "トイレ",
                        "resource_license_id": "pdl"}]},
        {"id": 16, "name": "16", "title": "統計書", "license_id": "",
         "resources": [{"url": "/resource_download/89", "name": "統計"}]},
    ]
    source = make_source(remote.url + "ckan_api/", kurashiki["id"])
    ids, job = harvest(source)
    assert errors(job) == ([], [])
    by_guid = harvested(source)
    assert set(by_guid) == {"15"}  # 16 has no licence: left out
    toilet = call_action("package_show", id=by_guid["15"].id)
    assert toilet["license_id"] == "pdl-1.0"
    assert toilet["standard_dataset"] == "public_toilet"
    assert toilet["resources"][0]["url"] == remote.url + "resource_download/88"
    assert toilet["harvest_url"] == remote.url + "ckan_api/package_show?id=15"


@pytest.mark.parametrize("mode", ["broken", "500", "page2-500", "redirect", "redirect-loopback",
                                  "not-allowed", "silent"])
def test_hostile_source_records_an_error_and_harms_nothing(remote, kurashiki, mode, monkeypatch):
    remote.datasets = [dataset(i, f"2024-04-0{i}T00:00:00.000000") for i in range(1, 4)]
    source = make_source(remote.url, kurashiki["id"], {"page_size": 2})
    harvest(source)
    before = {g: (p.id, p.metadata_modified, p.private) for g, p in harvested(source).items()}
    assert len(before) == 3

    silent = None
    if mode == "silent":
        silent = Silent()
        monkeypatch.setitem(tk.config, "ckanext.regionaliot.harvest.allowed_hosts",
                            f"127.0.0.1:{remote.port} 127.0.0.1:{silent.port}")
        monkeypatch.setitem(tk.config, "ckanext.regionaliot.harvest.timeout", 1)
        monkeypatch.setitem(tk.config, "ckanext.regionaliot.harvest.deadline", 2)
        source.url = silent.url
        source.save()
    elif mode == "not-allowed":
        monkeypatch.setitem(tk.config, "ckanext.regionaliot.harvest.allowed_hosts", "")
    elif mode == "redirect-loopback":
        remote.mode = "redirect"
        remote.redirect_to = "http://127.0.0.1:9/latest"  # loopback, not allowed
    else:
        remote.mode = mode
    try:
        ids, job = harvest(source)
    finally:
        if silent:
            silent.close()
    gather, _ = errors(job)
    assert ids == [] and len(gather) == 1, gather
    # Stored Japanese first, then English (ckanext-harvest shows it as stored).
    assert gather[0].startswith("収集元のデータセットをすべては一覧できませんでした")
    assert "nothing was withdrawn" in gather[0].split(" / ", 1)[1]
    assert "{" not in gather[0].split("(", 1)[1]  # never the body
    model.Session.expire_all()
    assert {g: (p.id, p.metadata_modified, p.private) for g, p in harvested(source).items()} == before


def test_two_consumers_at_once_never_duplicate_a_dataset_or_a_name(remote, kurashiki):
    """Several fetch consumers import one job's objects at the same time: the same guid
    queued twice makes one dataset, two guids wanting one name get two names."""
    remote.datasets = [dataset(1), dataset(2, name="332020_ds1")]  # one wanted name
    source = make_source(remote.url, kurashiki["id"])
    job = HarvestJobObj(source=source, run=False)
    job.status = "Running"
    job.save()
    ids = queue.gather_stage(RegionalIoTCKANAPIHarvester(), job)
    first = HarvestObject.get(ids[0])
    again = importer.queue(job, importer.SourceState(source.id, {}), first.guid,
                           json.loads(first.content))  # as if a second job listed it
    importer.flush()
    ids += again
    barrier = threading.Barrier(len(ids))
    results = {}

    def consumer(object_id):
        try:
            barrier.wait()
            results[object_id] = importer.import_object(HarvestObject.get(object_id))
        except Exception as exc:  # shown by the assertion below
            results[object_id] = repr(exc)[:300]
        finally:
            model.Session.remove()  # each thread its own session, as each consumer process

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(consumer, i))
               for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results.values())) == ["True", "True", "unchanged"], results
    made = (model.Session.query(model.PackageExtra.value, model.Package.name)
            .join(model.Package, model.Package.id == model.PackageExtra.package_id)
            .filter(model.PackageExtra.key == "harvest_identifier").all())
    assert sorted(guid for guid, _ in made) == ["remote-00001", "remote-00002"]
    assert sorted(name for _, name in made) == ["332020_ds1", "332020_ds1-2"]
    assert set(harvested(source)) == {"remote-00001", "remote-00002"}
