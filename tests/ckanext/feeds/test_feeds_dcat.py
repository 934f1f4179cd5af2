"""DCAT of the sensor feeds (profile regionaliot_feeds, feeds/dcat.py, after euro_dcat_ap_3 and
regionaliot), read back with rdflib queries from the real stack: the feed's periodicity and
temporal coverage, the API as a dcat:DataService, the GeoJSON and CSV distributions, the
daily files' days; datasets of other types stay as they were."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from urllib.parse import urlsplit

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

JST = dt.timezone(dt.timedelta(hours=9))
EU = "http://publications.europa.eu/resource/authority/frequency/"
IANA = "http://www.iana.org/assignments/media-types/"

SENSORS = [
    {"sensor_id": "sakazu", "name": "高梁川 酒津", "kind": "river_level", "measures": "水位",
     "unit": "m", "latitude": "34.623", "longitude": "133.738", "warning_level": "4.2",
     "danger_level": "5.3"},
    {"sensor_id": "eki-nishi", "name": "倉敷駅西アンダーパス", "kind": "underpass",
     "unit": "m", "latitude": "34.603", "longitude": "133.764"},
]


def _feed(org: dict, interval: int, **extra) -> dict:
    return call_action("package_create", {"user": factories.Sysadmin()["name"]}, type="feed",
                       name=f"river-{uuid.uuid4().hex[:8]}", title="高梁川 水位", owner_org=org["id"],
                       category="kokudo-kisho", license_id="cc-by-4.0",
                       observation_interval=interval, sensors=SENSORS, **extra)


@pytest.fixture
def feeds(test_request_context):
    org = factories.Organization(name="kurashiki", title="倉敷市", lg_code="332020")
    with test_request_context():
        river = _feed(org, 600)
        quiet = _feed(org, 10)  # no observations yet
        first = dt.datetime(2026, 11, 2, 9, 0, 10, tzinfo=JST)
        call_action("regionaliot_feed_push", {"ignore_auth": True}, id=river["name"], observations=json.dumps([
            {"sensor_id": "eki-nishi", "observed_at": (first + dt.timedelta(days=d)).isoformat(),
             "value": 0.1 * d} for d in range(3)] + [
            {"sensor_id": "sakazu", "observed_at": (first + dt.timedelta(hours=1)).isoformat(),
             "value": 3.0}]))
    factories.Dataset(name="toilets", title="公衆トイレ一覧", owner_org=org["id"])
    return river, quiet, first


def _graph(app, path: str, fmt: str = "turtle") -> Graph:
    return Graph().parse(data=app.get(path, status=200).body, format=fmt)


def _dataset_by_id(g: Graph, dataset: dict) -> URIRef:
    return URIRef(next(str(d) for d in g.subjects(RDF.type, DCAT.Dataset)
                       if str(d).endswith(dataset["id"])))


def test_a_feed_says_its_periodicity_coverage_api_and_files(app, feeds):
    river, _quiet, first = feeds
    g = _graph(app, f"/dataset/{river['name']}.ttl")
    ds = _dataset_by_id(g, river)

    assert set(g.objects(ds, DCTERMS.accrualPeriodicity)) == {URIRef(EU + "10MIN")}
    assert set(g.objects(ds, DCAT.temporalResolution)) == {Literal("PT10M", datatype=XSD.duration)}
    (period,) = g.objects(ds, DCTERMS.temporal)
    (start,) = g.objects(period, DCAT.startDate)
    assert start.datatype == XSD.dateTime and start.toPython() == first
    assert not list(g.objects(period, DCAT.endDate))  # the feed goes on

    rows = g.query("""
        SELECT ?service ?endpoint WHERE {
            ?service a dcat:DataService ; dcat:servesDataset ?ds ; dcat:endpointURL ?endpoint .
        }""", initNs={"dcat": DCAT}, initBindings={"ds": ds})
    endpoints = {str(r.endpoint).split("/api/3/action/")[1] for r in rows}
    assert endpoints == {"regionaliot_feed_query", "regionaliot_feed_latest"}
    (service,) = {r.service for r in rows}

    paths = {}
    for distribution in g.objects(ds, DCAT.distribution):
        for url in g.objects(distribution, DCAT.accessURL):
            parts = urlsplit(str(url))
            paths[parts.path + (f"?{parts.query}" if parts.query else "")] = distribution
    api = paths[f"/api/3/action/regionaliot_feed_query?id={river['name']}"]
    geojson = paths[f"/feeds/{river['name']}/sensors.geojson"]
    csv = paths[f"/feeds/{river['name']}/observations.csv"]
    assert (api, DCAT.accessService, service) in g and (csv, DCAT.accessService, service) in g
    assert (geojson, DCAT.mediaType, URIRef(IANA + "application/geo+json")) in g
    assert str(next(g.objects(geojson, DCAT.downloadURL))).endswith("/sensors.geojson")
    assert Literal("Sensors with their latest values (GeoJSON)", lang="en") in set(
        g.objects(geojson, DCTERMS.title))
    licence = URIRef("https://creativecommons.org/licenses/by/4.0/deed.ja")
    for distribution in (api, geojson, csv):
        assert (distribution, DCTERMS.license, licence) in g
        assert (distribution, RDF.type, DCAT.Distribution) in g

    # The same feed is in the catalogue with the same statements, and RDF/XML parses too.
    catalog = _graph(app, "/catalog.ttl")
    assert (_dataset_by_id(catalog, river), DCTERMS.accrualPeriodicity, URIRef(EU + "10MIN")) in catalog
    xml = _graph(app, f"/dataset/{river['name']}.rdf", "xml")
    assert (ds, DCTERMS.accrualPeriodicity, URIRef(EU + "10MIN")) in xml


def test_a_feed_without_observations_is_continuous_and_has_no_coverage_yet(app, feeds):
    _river, quiet, _first = feeds
    g = _graph(app, f"/dataset/{quiet['name']}.ttl")
    ds = _dataset_by_id(g, quiet)
    assert set(g.objects(ds, DCTERMS.accrualPeriodicity)) == {URIRef(EU + "UPDATE_CONT")}
    assert set(g.objects(ds, DCAT.temporalResolution)) == {Literal("PT10S", datatype=XSD.duration)}
    assert not list(g.objects(ds, DCTERMS.temporal))


def test_a_daily_file_carries_its_day_and_other_datasets_are_untouched(app, cli, feeds):
    from ckan.cli.cli import ckan

    river, _quiet, first = feeds
    day = first.date()
    result = cli.invoke(ckan, ["regionaliot", "feeds", "daily-csv", "--feed", river["name"],
                               "--day", day.isoformat()])
    assert result.exit_code == 0, result.output
    (resource,) = call_action("package_show", id=river["id"])["resources"]
    g = _graph(app, f"/dataset/{river['name']}.ttl")
    distribution = next(d for d in g.objects(_dataset_by_id(g, river), DCAT.distribution)
                        if str(d).endswith(resource["id"]))
    (period,) = g.objects(distribution, DCTERMS.temporal)
    assert next(g.objects(period, DCAT.startDate)).toPython() == dt.datetime(2026, 11, 2, tzinfo=JST)
    assert next(g.objects(period, DCAT.endDate)).toPython() == dt.datetime(2026, 11, 3, tzinfo=JST)
    assert set(g.objects(distribution, DCAT.mediaType)) == {URIRef(IANA + "text/csv")}
    assert str(next(g.objects(distribution, DCAT.downloadURL))).endswith(resource["url"].rsplit("/", 1)[1])

    toilets = _graph(app, "/dataset/toilets.ttl")
    ds = next(toilets.subjects(RDF.type, DCAT.Dataset))
    assert not list(toilets.objects(ds, DCTERMS.accrualPeriodicity))
    assert not list(toilets.objects(ds, DCTERMS.temporal))
    assert not list(toilets.subjects(RDF.type, DCAT.DataService))
    assert not list(toilets.objects(ds, DCAT.distribution))
