"""Harvester regionaliot_dcat against a local server of DCAT pages (Turtle and RDF/XML, hydra
paging), through the real gather/fetch/import stages (ckanext-harvest's stage functions, no
queues) on PostgreSQL, Solr and Redis: datasets in our schema (organization from the
publisher's 団体コード, category from dcat:theme, licence, @ja/@en titles), unchanged skipped,
changed updated, deleted withdrawn; hostile sources (billion laughs, XXE, broken RDF, HTTP
500, redirects to forbidden addresses, hosts not allowed, too large) record a harvest error
and change nothing."""
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
from ckanext.regionaliot.harvest.dcat_harvester import RegionalIoTDCATHarvester
from source_files import Files

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
"""
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def turtle_dataset(key: str, title: str, code: str, theme: str, licence: str = CC_BY,
                   title_en: str = "") -> str:
    english = f', "{title_en}"@en' if title_en else ""
    return f"""
<http://remote.example/dataset/{key}> a dcat:Dataset ;
  dct:title "{title}"@ja{english} ; dct:description "{title}の説明"@ja ;
  dct:identifier "{key}" ; dcat:keyword "防災"@ja ; dcat:theme <{theme}> ;
  dct:publisher [ a foaf:Organization ; foaf:name "発行者"@ja ; dct:identifier "{code}" ] ;
  dcat:distribution [ a dcat:Distribution ; dct:title "{title} CSV" ;
    dcat:accessURL <https://data.example.jp/{key}.csv> ; dct:format "CSV" ;
    dct:license <{licence}> ] .
"""


def page_one(base: str, datasets: list[str]) -> bytes:
    return (PREFIXES + f"""
<{base}/catalog.ttl> a hydra:PartialCollectionView ; hydra:next <{base}/page2.rdf> .
""" + "".join(datasets)).encode()


def page_two_xml(title: str = "イベント一覧") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/"
  xmlns:foaf="http://xmlns.com/foaf/0.1/">
 <dcat:Dataset rdf:about="http://remote.example/dataset/event">
  <dct:title xml:lang="ja">{title}</dct:title>
  <dct:identifier>event</dct:identifier>
  <dcat:theme rdf:resource="http://publications.europa.eu/resource/authority/data-theme/TRAN"/>
  <dct:license rdf:resource="https://creativecommons.org/publicdomain/zero/1.0/"/>
  <dct:publisher><foaf:Organization><dct:identifier>332020</dct:identifier></foaf:Organization></dct:publisher>
  <dcat:distribution><dcat:Distribution>
   <dcat:accessURL rdf:resource="https://data.example.jp/event.pdf"/><dct:format>PDF</dct:format>
  </dcat:Distribution></dcat:distribution>
 </dcat:Dataset>
</rdf:RDF>""".encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
""" + b"".join(
    f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'.encode()
    for n in range(1, 10)) + b"""]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">
 <dcat:Dataset rdf:about="http://remote.example/dataset/lol"><dct:title>&lol9;</dct:title></dcat:Dataset>
</rdf:RDF>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">
 <dcat:Dataset rdf:about="http://remote.example/dataset/xxe"><dct:title>&xxe;</dct:title></dcat:Dataset>
</rdf:RDF>"""


ALLOW_SETTINGS = ("ckanext.regionaliot.harvest.allowed_hosts",
                  "ckanext.regionaliot.security.fetch_allowed_hosts")


@pytest.fixture
def files(monkeypatch):
    server = Files()
    # The one harvest allow-list (the source's URL check and every request); the
    # portal-wide list stays empty.
    harvest_list, site_list = ALLOW_SETTINGS
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
    """One harvest job through gather, fetch and import: (object ids, job)."""
    harvester = RegionalIoTDCATHarvester()
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
    return {guid.rsplit("/", 1)[-1]: call_action("package_show", id=package_id)
            for guid, package_id in rows}


def errors(job):
    gather = [e.message for e in model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id)]
    objects = [e.message for o in job.objects for e in o.errors]
    return gather, objects


def catalogue(files, *, aed_title="AED設置箇所一覧", with_toilet=True):
    base = files.base
    datasets = [
        turtle_dataset("aed", aed_title, "332020", "http://remote.example/group/shakaihosho-eisei",
                       title_en="AED locations"),
        turtle_dataset("closed", "非公開ライセンス", "332020", "http://remote.example/group/sonota",
                       licence="https://creativecommons.org/licenses/by-nc/4.0/"),
    ]
    if with_toilet:  # 笠岡市 by its 5-digit code
        datasets.append(turtle_dataset("toilet", "トイレの場所", "33205",
                                       "http://remote.example/group/kyoiku-bunka-seikatsu"))
    files.routes["/catalog.ttl"] = (200, "text/turtle", page_one(base, datasets))
    files.routes["/page2.rdf"] = (200, "application/rdf+xml", page_two_xml())


def test_turtle_and_rdf_xml_pages_into_our_schema_then_skip_update_withdraw(files, orgs):
    kurashiki, kasaoka = orgs
    catalogue(files)
    source = HarvestSourceObj(url=files.base + "/catalog.ttl", source_type="regionaliot_dcat",
                              owner_org=kurashiki["id"], config=json.dumps({}))

    ids, job = harvest(source)
    gather, objects = errors(job)
    assert objects == []
    assert len(gather) == 1 and "closed" in gather[0] and "licence" in gather[0]
    assert len(ids) == 3
    by_key = harvested(source)
    assert set(by_key) == {"aed", "toilet", "event"}
    aed = by_key["aed"]
    assert aed["title"] == "AED設置箇所一覧" and aed["title_en"] == "AED locations"
    assert aed["owner_org"] == kurashiki["id"] and aed["license_id"] == "cc-by-4.0"
    assert aed["category"] == "shakaihosho-eisei" and aed["standard_dataset"] == "aed"
    assert aed["harvest_identifier"] == "http://remote.example/dataset/aed"
    assert aed["resources"][0]["url"] == "https://data.example.jp/aed.csv"
    assert aed["private"] is True  # a standard dataset waits for its background validation
    current = model.Session.query(HarvestObject).filter_by(
        guid="http://remote.example/dataset/aed", current=True).one()
    assert RegionalIoTDCATHarvester().get_original_url(current.id) == \
        "http://remote.example/dataset/aed"  # the harvest page's link to the remote record
    toilet = by_key["toilet"]
    assert toilet["owner_org"] == kasaoka["id"] and toilet["category"] == "kyoiku-bunka-seikatsu"
    assert toilet["private"] is False and toilet["name"] == "332054-toilet"
    event = by_key["event"]  # from the RDF/XML page
    assert event["category"] == "unyu-kanko" and event["license_id"] == "cc0-1.0"
    assert [t["name"] for t in toilet["tags"]] == ["防災"]

    # Unchanged: nothing queued, no revision.
    modified = {k: d["metadata_modified"] for k, d in harvested(source).items()}
    ids, job = harvest(source)
    assert ids == [] and errors(job)[1] == []
    assert {k: d["metadata_modified"] for k, d in harvested(source).items()} == modified

    # One changed, one gone from the catalogue.
    catalogue(files, aed_title="AED設置箇所一覧（改訂）", with_toilet=False)
    ids, job = harvest(source)
    assert len(ids) == 2 and errors(job)[1] == []
    by_key = harvested(source)
    assert by_key["aed"]["title"] == "AED設置箇所一覧（改訂）"
    gone = by_key["toilet"]
    assert gone["state"] == "active" and gone["private"] is True and gone["harvest_withdrawn"]
    public = {d["name"] for d in call_action("package_search", rows=100)["results"]}
    assert public == {event["name"]}


HOSTILE = ["billion-laughs", "xxe", "broken-turtle", "500", "redirect-private",
           "host-not-allowed", "too-large", "remote-context", "page2-broken"]
EXPECTED = {"billion-laughs": "entities", "xxe": "entities", "broken-turtle": "RDF",
            "500": "500", "redirect-private": "private", "host-not-allowed": "private",
            "too-large": "1000 bytes", "remote-context": "@context", "page2-broken": "RDF"}


def make_hostile(files, hostile, monkeypatch):
    if hostile == "billion-laughs":
        files.routes["/catalog.ttl"] = (200, "application/rdf+xml", BILLION_LAUGHS)
    elif hostile == "xxe":
        files.routes["/catalog.ttl"] = (200, "application/rdf+xml", XXE)
    elif hostile == "broken-turtle":
        files.routes["/catalog.ttl"] = (200, "text/turtle", PREFIXES.encode() + b"<a> <b> ")
    elif hostile == "500":
        files.routes["/catalog.ttl"] = (500, "text/plain", b"oops")
    elif hostile == "redirect-private":
        files.redirect("/catalog.ttl", "http://169.254.169.254/latest/meta-data/")
    elif hostile == "host-not-allowed":
        for key in ALLOW_SETTINGS:
            monkeypatch.setitem(tk.config, key, "")
    elif hostile == "too-large":
        monkeypatch.setitem(tk.config, "ckanext.regionaliot.harvest.max_bytes", 1000)
    elif hostile == "remote-context":
        files.routes["/catalog.ttl"] = (200, "application/ld+json", json.dumps(
            {"@context": "http://169.254.169.254/context.jsonld", "@graph": []}).encode())
    elif hostile == "page2-broken":  # page one without 笠岡市's dataset, page two broken:
        # a partial listing must withdraw nothing
        files.routes["/catalog.ttl"] = (200, "text/turtle", page_one(files.base, [turtle_dataset(
            "aed", "AED設置箇所一覧", "332020", "http://remote.example/group/shakaihosho-eisei",
            title_en="AED locations")]))
        files.routes["/page2.rdf"] = (200, "application/rdf+xml", b"<rdf:RDF><oops")


def test_hostile_sources_record_an_error_and_harm_nothing(files, orgs, monkeypatch):
    kurashiki, _ = orgs
    catalogue(files)
    source = HarvestSourceObj(url=files.base + "/catalog.ttl", source_type="regionaliot_dcat",
                              owner_org=kurashiki["id"], config=json.dumps({}))
    harvest(source)
    before = harvested(source)
    assert len(before) == 3

    for hostile in HOSTILE:
        with monkeypatch.context() as patch:
            catalogue(files)
            make_hostile(files, hostile, patch)
            ids, job = harvest(source)
        gather, objects = errors(job)
        assert ids == [] and objects == [], hostile
        assert len(gather) == 1 and EXPECTED[hostile] in gather[0], (hostile, gather)
        assert harvested(source) == before, hostile  # nothing changed, nothing withdrawn
