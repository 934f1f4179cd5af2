"""DCAT output (ckanext-dcat's DCAT-AP 3 profile + ours, ckanext/regionaliot/dcat.py),
read back with rdflib queries, against the real stack."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

JPN = URIRef("http://publications.europa.eu/resource/authority/language/JPN")
ENG = URIRef("http://publications.europa.eu/resource/authority/language/ENG")


@pytest.fixture
def published(create_with_upload):
    org = factories.Organization(name="kurashiki", title="倉敷市", title_en="Kurashiki City",
                                 lg_code="332020", website="https://www.city.kurashiki.okayama.jp/")
    dataset = factories.Dataset(
        name="toilets", owner_org=org["id"], title="公衆トイレ一覧", title_en="Public toilets",
        notes="市内の公衆トイレ", category="unyu-kanko", license_id="cc-by-4.0",
        tags=[{"name": "トイレ"}])
    sysadmin = factories.Sysadmin()
    upload = create_with_upload("名称,住所\n駅前トイレ,倉敷市阿知1丁目\n", "toilets.txt",
                                context={"user": sysadmin["name"]}, url="toilets.txt",
                                package_id=dataset["id"], format="TXT", name="一覧")
    return dataset, upload


def _graph(app, path: str) -> Graph:
    response = app.get(path, status=200)
    return Graph().parse(data=response.body, format="turtle")


def test_dataset_rdf_has_languages_theme_publisher_licence_and_download(app, published):
    dataset, upload = published
    g = _graph(app, "/dataset/toilets.ttl")
    ds = next(g.subjects(RDF.type, DCAT.Dataset))
    titles = set(g.objects(ds, DCTERMS.title))
    assert titles == {Literal("公衆トイレ一覧", lang="ja"), Literal("Public toilets", lang="en")}
    assert set(g.objects(ds, DCTERMS.description)) == {Literal("市内の公衆トイレ", lang="ja")}
    assert set(g.objects(ds, DCTERMS.language)) == {JPN, ENG}
    assert Literal("トイレ", lang="ja") in set(g.objects(ds, DCAT.keyword))

    theme = next(g.objects(ds, DCAT.theme))
    assert str(theme).endswith("/group/unyu-kanko")
    assert (theme, RDF.type, SKOS.Concept) in g
    assert Literal("運輸・観光", lang="ja") in set(g.objects(theme, SKOS.prefLabel))

    publishers = list(g.objects(ds, DCTERMS.publisher))
    assert len(publishers) == 1 and str(publishers[0]).endswith("/organization/kurashiki")
    publisher = publishers[0]
    assert (publisher, DCTERMS.identifier, Literal("332020")) in g
    assert set(g.objects(publisher, FOAF.name)) == {Literal("倉敷市", lang="ja"),
                                                     Literal("Kurashiki City", lang="en")}
    place = next(g.objects(ds, DCTERMS.spatial))
    assert (place, DCTERMS.identifier, Literal("332020")) in g

    licence = URIRef("https://creativecommons.org/licenses/by/4.0/deed.ja")
    assert (ds, DCTERMS.license, licence) in g
    distribution = next(g.objects(ds, DCAT.distribution))
    assert (distribution, DCTERMS.license, licence) in g
    download = next(g.objects(distribution, DCAT.downloadURL))
    assert str(download).endswith("/download/toilets.txt")


def test_a_dataset_without_english_says_only_japanese(app, published):
    factories.Dataset(name="plain", title="人口", owner_org=published[0]["owner_org"])
    g = _graph(app, "/dataset/plain.ttl")
    ds = next(g.subjects(RDF.type, DCAT.Dataset))
    assert set(g.objects(ds, DCTERMS.language)) == {JPN}
    assert set(g.objects(ds, DCTERMS.title)) == {Literal("人口", lang="ja")}


def test_rdf_parses_back_with_the_english_title(app, published):
    from ckanext.dcat.processors import RDFParser

    response = app.get("/dataset/toilets.rdf", status=200)
    parser = RDFParser(profiles=["euro_dcat_ap_3", "regionaliot"])
    parser.parse(response.body, _format="xml")
    (parsed,) = list(parser.datasets())
    assert parsed["title"] == "公衆トイレ一覧" and parsed["title_en"] == "Public toilets"


def test_dcat_json_has_publisher_creator_and_landing_page(app, published):
    dataset, upload = published
    items = app.get("/dcat.json", status=200).json
    (item,) = [i for i in items if i["title"] == "公衆トイレ一覧"]
    assert item["landingPage"].endswith("/dataset/toilets")
    assert item["publisher"] == {"name": "倉敷市", "identifier": "332020",
                                 "homepage": "https://www.city.kurashiki.okayama.jp/"}
    assert item["creator"]["name"].startswith("倉敷市")
    assert item["title_en"] == "Public toilets" and item["language"] == ["ja", "en"]
    assert item["license"] == "https://creativecommons.org/licenses/by/4.0/deed.ja"
    assert item["theme"][0].endswith("/group/unyu-kanko")
    (distribution,) = item["distribution"]
    assert distribution["downloadURL"].endswith("/download/toilets.txt")


def test_dcat_json_refuses_a_bad_page_with_a_message(app):
    response = app.get("/api/3/action/dcat_datasets_list?page=abc", status=409)
    assert "page" in response.json["error"]
