"""Harvester regionaliot_ichiran against a local server of オープンデータ一覧 files (UTF-8 with BOM,
Shift_JIS), through the real gather/fetch/import stages on PostgreSQL, Solr and Redis: one
dataset per row with a link resource, bad rows named, unchanged skipped, changed updated,
removed rows withdrawn; broken, foreign and forbidden files record a harvest error and change
nothing."""
from __future__ import annotations

import json

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestObject
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.regionaliot.harvest.ichiran_harvester import RegionalIoTIchiranHarvester
from source_files import Files

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

HEADER = ("都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,データ名称,データ概要,データ形式,"
          "分類,更新頻度,URL,API対応有無,ライセンス,登録日,最終更新日,備考")
ROWS = {
    "1": "332020,1,岡山県,倉敷市,AED設置箇所一覧,市内のAED,CSV,社会保障・衛生,随時,"
         "https://data.example.jp/aed.csv,無,CC BY 4.0,2020/4/1,令和6年4月1日,",
    "2": "332020,2,岡山県,倉敷市,観光パンフレット,,PDF,運輸・観光,毎年,"
         "https://data.example.jp/kanko.pdf,無,CC BY 4.0,2020-04-01,2024-04-01,英語版あり",
    "3": "332054,3,岡山県,笠岡市,笠岡市の人口,,\"CSV,XLSX\",人口・世帯,毎月,"
         "https://data.example.jp/pop.csv,有,公共データ利用規約 第1.0版,2020-04-01,2024-04-01,",
    "4": "332020,4,岡山県,倉敷市,URLなし,,CSV,その他,,,無,CC BY 4.0,,2024-04-01,",
    "5": "332020,5,岡山県,倉敷市,ライセンス記載なし,,CSV,その他,,https://data.example.jp/5.csv,,,,,",
}
ALLOW_SETTINGS = ("ckanext.regionaliot.harvest.allowed_hosts",
                  "ckanext.regionaliot.security.fetch_allowed_hosts")


def listing(rows: dict[str, str], encoding: str) -> bytes:
    return "\r\n".join([HEADER, *rows.values()]).encode(encoding) + b"\r\n"


@pytest.fixture
def files(monkeypatch):
    server = Files()
    harvest_list, site_list = ALLOW_SETTINGS  # the one harvest list; the site-wide one empty
    monkeypatch.setitem(tk.config, harvest_list, f"127.0.0.1:{server.port}")
    monkeypatch.setitem(tk.config, site_list, "")
    yield server
    server.close()


@pytest.fixture
def orgs():
    return (factories.Organization(name="kurashiki", title="倉敷市", lg_code="332020",
                                   prefecture="33"),
            factories.Organization(name="kasaoka", title="笠岡市", lg_code="332054",
                                   prefecture="33"))


def harvest(source):
    harvester = RegionalIoTIchiranHarvester()
    job = HarvestJobObj(source=source, run=False)
    job.status = "Running"
    job.save()
    ids = queue.gather_stage(harvester, job) or []
    for object_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    return ids, job


def harvested(source):
    model.Session.expire_all()
    rows = (model.Session.query(HarvestObject.guid, HarvestObject.package_id)
            .filter(HarvestObject.harvest_source_id == source.id, HarvestObject.current.is_(True)))
    return {guid: call_action("package_show", id=package_id) for guid, package_id in rows}


def errors(job):
    gather = [e.message for e in model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id)]
    objects = [e.message for o in job.objects for e in o.errors]
    return gather, objects


def test_rows_become_datasets_then_skip_update_withdraw(files, orgs):
    kurashiki, kasaoka = orgs
    files.routes["/ichiran.csv"] = (200, "text/csv", listing(ROWS, "utf-8-sig"))
    source = HarvestSourceObj(url=files.base + "/ichiran.csv", source_type="regionaliot_ichiran",
                              owner_org=kurashiki["id"], config=json.dumps({}))

    ids, job = harvest(source)
    gather, objects = errors(job)
    assert objects == []
    assert len(gather) == 2
    # Row 4 of the data, line 5: the parser's row problem, stored Japanese first too.
    assert gather[0].startswith("5 行目: URL「") and "/ Row 5: the URL" in gather[0]
    assert gather[1].startswith("6 行目:") and "/ Row 6:" in gather[1]  # Japanese first
    assert "default_license" in gather[1]
    by_guid = harvested(source)
    assert set(by_guid) == {"ichiran:332020:1", "ichiran:332020:2", "ichiran:332054:3"}
    aed = by_guid["ichiran:332020:1"]
    assert aed["name"] == "332020-ichiran-1" and aed["title"] == "AED設置箇所一覧"
    assert aed["standard_dataset"] == "aed" and aed["category"] == "shakaihosho-eisei"
    assert aed["license_id"] == "cc-by-4.0" and aed["frequency"].endswith("/UPDATE_CONT")
    assert aed["private"] is True  # waits for the background validation of its link
    assert [r["url"] for r in aed["resources"]] == ["https://data.example.jp/aed.csv"]
    assert aed["harvest_url"] == files.base + "/ichiran.csv"
    kanko = by_guid["ichiran:332020:2"]
    assert kanko["private"] is False and kanko["notes"] == "英語版あり"
    assert kanko["resources"][0]["format"] == "PDF"
    pop = by_guid["ichiran:332054:3"]
    assert pop["owner_org"] == kasaoka["id"] and pop["license_id"] == "pdl-1.0"

    # The same list again, now in Shift_JIS: nothing changed, nothing queued.
    files.routes["/ichiran.csv"] = (200, "text/csv", listing(ROWS, "cp932"))
    modified = {g: d["metadata_modified"] for g, d in harvested(source).items()}
    ids, job = harvest(source)
    assert ids == [] and errors(job)[1] == []
    assert {g: d["metadata_modified"] for g, d in harvested(source).items()} == modified

    # Row 2 changed, row 3 gone (Shift_JIS).
    rows = dict(ROWS, **{"2": ROWS["2"].replace("観光パンフレット", "観光パンフレット（改訂）")})
    del rows["3"]
    files.routes["/ichiran.csv"] = (200, "text/csv", listing(rows, "cp932"))
    ids, job = harvest(source)
    assert len(ids) == 2 and errors(job)[1] == []
    by_guid = harvested(source)
    assert by_guid["ichiran:332020:2"]["title"] == "観光パンフレット（改訂）"
    gone = by_guid["ichiran:332054:3"]
    assert gone["private"] is True and gone["harvest_withdrawn"] and gone["state"] == "active"
    public = {d["name"] for d in call_action("package_search", rows=100)["results"]}
    assert public == {"332020-ichiran-2"}


def test_broken_foreign_and_forbidden_lists_harm_nothing(files, orgs, monkeypatch):
    kurashiki, _ = orgs
    files.routes["/ichiran.csv"] = (200, "text/csv", listing(ROWS, "utf-8-sig"))
    source = HarvestSourceObj(url=files.base + "/ichiran.csv", source_type="regionaliot_ichiran",
                              owner_org=kurashiki["id"],
                              config=json.dumps({"default_license": "cc-by-4.0"}))
    harvest(source)
    before = harvested(source)
    assert len(before) == 4  # row 5 gets the source's default licence

    cases = {
        "binary": ((200, "text/csv", b"\x00\x01\x02\xff" * 500), "could not be read"),
        "html page": ((200, "text/html", b"<html><body>Not found</body></html>"), "not an open data list"),
        "another standard": ((200, "text/csv", "名称,住所,緯度,経度\nA,B,1,2\n".encode()),
                             "not an open data list"),
        "404": ((404, "text/plain", b"gone"), "404"),
        "redirect": ((302, "http://10.0.0.1/ichiran.csv", b""), "private"),
        "too large": (None, "bytes"),
        "not allowed": (None, "private"),
    }
    for case, (route, expected) in cases.items():
        with monkeypatch.context() as patch:
            files.routes["/ichiran.csv"] = route or (200, "text/csv", listing(ROWS, "utf-8-sig"))
            if case == "too large":
                patch.setitem(tk.config, "ckanext.regionaliot.harvest.max_bytes", 100)
            if case == "not allowed":
                for key in ALLOW_SETTINGS:
                    patch.setitem(tk.config, key, "")
            ids, job = harvest(source)
        gather, objects = errors(job)
        assert ids == [] and objects == [], case
        assert len(gather) == 1 and expected in gather[0], (case, gather)
        if case == "another standard":  # the parser's reason is translated inside the message
            assert "オープンデータ一覧（標準データセット 14）ではありません" in gather[0].split(" / ")[0]
        assert harvested(source) == before, case  # nothing changed, nothing withdrawn
