"""The harvest import's shortcuts (one Solr commit per job, one index per created dataset,
package_show answered from the document just indexed, no tracking reads for a dataset that
cannot have views yet) change nothing that is stored: a harvested dataset, its search
document and its activity equal those of a plain package_create of the same dict, by the
same user, on the real PostgreSQL and Solr."""
from __future__ import annotations

import json

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.regionaliot.harvest.ckan_api_harvester import RegionalIoTCKANAPIHarvester
from ckanext.regionaliot.harvest.logic.action import HARVESTER
from remote_portal import Remote, dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

# What differs between two datasets made from one dict: their ids, names and times.
VOLATILE = {"id", "name", "package_id", "metadata_created", "metadata_modified", "created",
            "last_modified", "index_id", "_version_", "title_string", "timestamp",
            "indexed_ts"}


def same(value, ids):
    """``value`` without what differs between two copies (ids and names replaced)."""
    if isinstance(value, dict):
        return {k: same(v, ids) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [same(v, ids) for v in value]
    if isinstance(value, str):
        for old, new in ids.items():
            value = value.replace(old, new)
    return value


def differences(mine, theirs, path=""):
    """Where two values differ, as paths (a readable failure)."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return [d for k in sorted(set(mine) | set(theirs), key=str)
                for d in differences(mine.get(k, "<missing>"), theirs.get(k, "<missing>"),
                                     f"{path}.{k}")]
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        return [d for i, (a, b) in enumerate(zip(mine, theirs, strict=True))
                for d in differences(a, b, f"{path}[{i}]")]
    return [] if mine == theirs else [f"{path}: {mine!r} != {theirs!r}"]


def shown(package_id, ids):
    return same(call_action("package_show", {"use_cache": False}, id=package_id), ids)


def document(package_id, ids):
    doc = search.show(package_id)
    for key in ("data_dict", "validated_data_dict"):
        doc[key] = json.loads(doc[key])
    if "validated_data_dict" in doc["data_dict"]:  # CKAN stores it inside data_dict too
        doc["data_dict"]["validated_data_dict"] = json.loads(doc["data_dict"]["validated_data_dict"])
    return same(doc, ids)


def activities(package_id):
    # From the table: activity lists hide the site user's (ckan.hide_activity_from_users).
    from ckanext.activity.model import Activity

    return model.Session.query(Activity).filter(Activity.object_id == package_id).all()


def activity(package_id, ids):
    [only] = activities(package_id)
    return same({"activity_type": only.activity_type, "user_id": only.user_id,
                 "data": only.data}, ids)


@pytest.fixture
def remote(monkeypatch):
    server = Remote()
    monkeypatch.setitem(tk.config, "ckanext.regionaliot.security.fetch_allowed_hosts", "")
    monkeypatch.setitem(tk.config, "ckanext.regionaliot.harvest.allowed_hosts",
                        f"127.0.0.1:{server.port}")
    yield server
    server.close()


def test_a_harvested_dataset_is_stored_indexed_and_logged_as_package_create_would(remote):
    org = factories.Organization(name="kurashiki", title="倉敷市", lg_code="332020",
                                 prefecture="33")
    remote.datasets = [dataset(1), dataset(2, tags=[{"name": "防災"}, {"name": "避難所"}],
                                            notes="複数の\n段落")]
    source = HarvestSourceObj(url=remote.url, source_type="regionaliot_ckan_api",
                              owner_org=org["id"], config="{}")
    harvester = RegionalIoTCKANAPIHarvester()
    job = HarvestJobObj(source=source, run=False)
    job.status = "Running"
    job.save()
    object_ids = queue.gather_stage(harvester, job)
    assert len(object_ids) == 2
    for object_id in object_ids:
        assert queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id)) is not False
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    # Searchable as soon as the job has ended (one Solr commit for the job).
    found = call_action("package_search", fq=f"owner_org:{org['id']}", rows=10)
    assert found["count"] == 2
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    for object_id in object_ids:
        obj = HarvestObject.get(object_id)
        assert obj.current and obj.package_id
        harvested = model.Package.get(obj.package_id)
        # The same dict, through package_create as any other client (Solr committed).
        wanted = json.loads(obj.content)
        wanted["name"] = harvested.name + "-ref"
        made = call_action("package_create", {"user": site_user, "ignore_auth": True,
                                              HARVESTER: True}, **wanted)
        ids = {harvested.id: "<id>", made["id"]: "<id>", harvested.name + "-ref": "<name>",
               harvested.name: "<name>"}
        for mine, theirs in zip(harvested.resources, model.Package.get(made["id"]).resources,
                                strict=True):
            ids.update({mine.id: "<res>", theirs.id: "<res>"})

        assert differences(shown(harvested.id, ids), shown(made["id"], ids)) == []
        assert differences(document(harvested.id, ids), document(made["id"], ids)) == []
        mine, theirs = activity(harvested.id, ids), activity(made["id"], ids)
        assert mine["activity_type"] == "new package"
        assert differences(mine, theirs) == []


def test_the_import_asks_solr_and_the_tracking_table_nothing_it_already_knows(remote,
                                                                              monkeypatch):
    from ckan.lib.search.query import PackageSearchQuery
    from sqlalchemy import event

    org = factories.Organization(name="kurashiki", lg_code="332020", prefecture="33")
    remote.datasets = [dataset(i) for i in range(1, 4)]
    source = HarvestSourceObj(url=remote.url, source_type="regionaliot_ckan_api",
                              owner_org=org["id"], config="{}")
    harvester = RegionalIoTCKANAPIHarvester()
    job = HarvestJobObj(source=source, run=False)
    job.status = "Running"
    job.save()
    object_ids = queue.gather_stage(harvester, job)

    asked = []
    get_index = PackageSearchQuery.get_index
    monkeypatch.setattr(PackageSearchQuery, "get_index",
                        lambda self, ref: asked.append(ref) or get_index(self, ref))
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(model.meta.engine, "before_cursor_execute", seen)
    try:
        for object_id in object_ids:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    finally:
        event.remove(model.meta.engine, "before_cursor_execute", seen)
    assert len(object_ids) == 3
    assert {o.state for o in model.Session.query(HarvestObject)
            .filter(HarvestObject.id.in_(object_ids))} == {"COMPLETE"}
    # The activity's package_show read the document just indexed, not Solr.
    assert asked == []
    # No page views asked for datasets just created; their files' views (by URL) still are.
    assert [s for s in statements if "tracking_summary.package_id =" in s] == []
    assert [s for s in statements if "tracking_summary.url =" in s]
    # Each created dataset has its one activity.
    for object_id in object_ids:
        package_id = HarvestObject.get(object_id).package_id
        assert len(activities(package_id)) == 1
