"""DCAT → our schema, and the document checks before parsing (regionaliot.harvesters.dcat_map)."""
from __future__ import annotations

import json

import pytest
from regionaliot.harvesters import dcat_map

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dct="http://purl.org/dc/terms/">
 <rdf:Description rdf:about="http://x.example/d"><dct:title>&lol9;</dct:title></rdf:Description>
</rdf:RDF>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&xxe;</rdf:RDF>"""

PLAIN_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""


def test_billion_laughs_and_external_entities_are_refused_before_parsing():
    for document in (BILLION_LAUGHS, EXTERNAL,
                     b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1/x.dtd"><r/>'):
        with pytest.raises(dcat_map.Refused) as caught:
            dcat_map.check_document(document, "xml")
        assert caught.value.msgid == dcat_map.MSG_ENTITIES


def test_plain_and_broken_xml():
    assert dcat_map.check_document(PLAIN_XML, "xml").startswith("<?xml")
    with pytest.raises(dcat_map.Refused) as caught:
        dcat_map.check_document(b"<?xml version=\"1.0\"?><<not xml", "xml")  # rdflib sees the rest
    assert caught.value.msgid == dcat_map.MSG_XML


def test_json_ld_remote_context_is_refused():
    local = {"@context": {"dct": "http://purl.org/dc/terms/"}, "@id": "http://x.example/d"}
    assert dcat_map.check_document(json.dumps(local).encode(), "json-ld")
    for context in ("http://169.254.169.254/latest", ["https://x.example/c.jsonld"],
                    [{"a": "b"}, "http://127.0.0.1/c"]):
        nested = {"@graph": [{"@context": context, "@id": "http://x.example/d"}]}
        with pytest.raises(dcat_map.Refused) as caught:
            dcat_map.check_document(json.dumps(nested).encode(), "json-ld")
        assert caught.value.msgid == dcat_map.MSG_REMOTE_CONTEXT
    with pytest.raises(dcat_map.Refused):
        dcat_map.check_document(b"{not json", "json-ld")


def test_formats():
    assert dcat_map.rdf_format("text/turtle; charset=utf-8", b"") == "turtle"
    assert dcat_map.rdf_format("application/rdf+xml", b"") == "xml"
    assert dcat_map.rdf_format(None, b"\xef\xbb\xbf  <?xml") == "xml"
    assert dcat_map.rdf_format("text/plain", b"[{}]") == "json-ld"
    assert dcat_map.rdf_format(None, b"@prefix dct: <x> .") == "turtle"
    for refused in ("application/trix", "trig", "text/html"):
        with pytest.raises(dcat_map.Refused):
            dcat_map.rdf_format(refused, b"<x/>")
    with pytest.raises(dcat_map.Refused) as caught:
        dcat_map.check_document("@prefix x: <y> .".encode("utf-16"), "turtle")
    assert caught.value.msgid == dcat_map.MSG_ENCODING


def parsed(**overrides):
    record = {
        "title": "AED設置箇所一覧", "title_en": "AED locations", "notes": "市内のAED",
        "tags": [{"name": "防災"}, {"name": "x"}, {"name": "医療・福祉"}],
        "license_id": "",
        "extras": [{"key": "uri", "value": "http://remote.example/dataset/aed"},
                   {"key": "identifier", "value": "aed-001"},
                   {"key": "theme", "value": json.dumps(
                       ["http://remote.example/group/shakaihosho-eisei"])},
                   {"key": "publisher_identifier", "value": "33202"},
                   {"key": "publisher_name", "value": "倉敷市"},
                   {"key": "frequency", "value":
                    "http://publications.europa.eu/resource/authority/frequency/MONTHLY"}],
        "resources": [{"url": "http://remote.example/aed.csv", "name": "AED CSV",
                       "format": "CSV",
                       "license": "https://creativecommons.org/licenses/by/4.0/"},
                      {"url": "file:///etc/passwd", "name": "no"}],
    }
    record.update(overrides)
    return record


def test_a_dataset_in_our_schema():
    mapped = dcat_map.map_dataset(parsed())
    assert mapped.guid == "http://remote.example/dataset/aed" and not mapped.problems
    assert mapped.publisher_keys == ["332020", "33202", "倉敷市"]  # the check digit added
    package = mapped.package
    assert package["name"] == "332020-aed-001"
    assert package["license_id"] == "cc-by-4.0"  # from the distribution's licence URL
    assert package["category"] == "shakaihosho-eisei"
    assert package["standard_dataset"] == "aed"
    assert package["title_en"] == "AED locations"
    assert package["frequency"].endswith("/MONTHLY")
    assert [t["name"] for t in package["tags"]] == ["防災", "医療福祉"]  # too short, "・" dropped
    assert [r["url"] for r in package["resources"]] == ["http://remote.example/aed.csv"]
    assert "owner_org" not in package


@pytest.mark.parametrize(("themes", "keywords", "expected"), [
    (["http://publications.europa.eu/resource/authority/data-theme/TRAN"], [], "unyu-kanko"),
    (["http://other.example/theme/unknown"], ["人口・世帯"], "jinko-setai"),
    (["http://other.example/theme/unknown"], [], None),
])
def test_categories(themes, keywords, expected):
    assert dcat_map.category(themes, keywords) == expected


def test_source_mapping_of_themes():
    theme = "http://other.example/theme/bousai"
    assert dcat_map.category([theme], [], {theme: "司法・安全・環境"}) == "shiho-anzen-kankyo"


@pytest.mark.parametrize(("values", "expected"), [
    (["https://creativecommons.org/licenses/by/4.0/deed.ja"], "cc-by-4.0"),
    (["http://creativecommons.org/publicdomain/zero/1.0/"], "cc0-1.0"),
    (["https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"], "pdl-1.0"),
    (["", "CC BY 2.1 JP"], "cc-by-2.1-jp"),
    (["https://creativecommons.org/licenses/by-nc/4.0/"], None),
    (["http://example.com/ccby40"], None),  # a URL is never read as a licence name
])
def test_licences(values, expected):
    assert dcat_map.licence_from(values) == expected


def test_records_that_cannot_be_imported_keep_their_guid():
    no_licence = dcat_map.map_dataset(parsed(resources=[]))
    assert no_licence.package == {} and no_licence.problems[0][0] == dcat_map.MSG_NO_LICENCE
    assert no_licence.guid == "http://remote.example/dataset/aed"
    defaulted = dcat_map.map_dataset(parsed(resources=[]), default_licence="cc-by-4.0")
    assert defaulted.package["license_id"] == "cc-by-4.0"
    untitled = dcat_map.map_dataset(parsed(title=""))
    assert untitled.package == {} and untitled.problems[0][0] == dcat_map.MSG_NO_TITLE
    assert dcat_map.map_dataset(parsed(extras=[])) is None


def test_names_and_codes():
    japanese = dcat_map.map_dataset(parsed(extras=[
        {"key": "uri", "value": "http://remote.example/d/1"},
        {"key": "identifier", "value": "避難所"},
        {"key": "publisher_identifier", "value": "332021"}]))  # wrong check digit
    assert japanese.package["name"].startswith("dcat-") and japanese.publisher_keys == ["332021"]
    assert dcat_map.lg_code("332020") == "332020" and dcat_map.lg_code("abc") is None
