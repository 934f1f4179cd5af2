"""DCAT records (as ckanext-dcat's RDF parser reads them) → datasets of our scheming schema,
and the checks an RDF document passes before any RDF parser sees it. Pure Python, no CKAN:
the harvester plugin (ckanext/regionaliot/harvest/dcat_harvester.py) fetches, parses with
ckanext-dcat's ``RDFParser`` (profiles ``euro_dcat_ap_3 regionaliot``) and writes through
the shared importer.

Safety (:func:`check_document`): only Turtle, N-Triples, RDF/XML and JSON-LD are read;
XML with a DTD that declares entities (billion laughs, external entities) is refused before
parsing, and JSON-LD naming a remote ``@context`` (which rdflib would fetch itself, past
our fetch guard) is refused.

Messages are English msgids with ``{name}`` fields, translated by the plugin when shown.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.parsers import expat

from regionaliot.harvesters import common
from regionaliot.validation import lgcode

MSG_FORMAT = "The DCAT source's format \"{format}\" is not read (Turtle, N-Triples, RDF/XML, JSON-LD)."
MSG_ENTITIES = ("The DCAT source's XML declares entities (a DTD), which are refused: "
                "they can make a small file expand without limit or read other files.")
MSG_XML = "The DCAT source is not well-formed XML: {error}"
MSG_ENCODING = "The DCAT source is not UTF-8 text."
MSG_REMOTE_CONTEXT = "The DCAT source's JSON-LD names a remote @context, which is not fetched."
MSG_JSON = "The DCAT source is not valid JSON-LD: {error}"
MSG_NO_TITLE = "The DCAT dataset {guid} has no title; skipped."
MSG_NO_GUID = "A DCAT dataset without URI or identifier was skipped ({title})."
MSG_NO_LICENCE = ("The DCAT dataset {guid} has no open licence the portal knows ({licence}); "
                  "skipped.")

# ckanext-dcat/rdflib format names and media types → the four formats we read.
FORMATS: dict[str, str] = {
    **dict.fromkeys(("turtle", "ttl", "text/turtle", "application/x-turtle"), "turtle"),
    **dict.fromkeys(("nt", "nt11", "ntriples", "application/n-triples"), "nt"),
    **dict.fromkeys(("xml", "rdf", "rdf/xml", "application/rdf+xml", "pretty-xml",
                     "application/xml", "text/xml"), "xml"),
    **dict.fromkeys(("json-ld", "jsonld", "application/ld+json"), "json-ld"),
}

# EU data themes (publications.europa.eu/resource/authority/data-theme) → our categories.
EU_THEMES: dict[str, str] = {
    "AGRI": "norin-suisangyo", "ECON": "kigyo-kakei-keizai", "EDUC": "kyoiku-bunka-seikatsu",
    "ENER": "energy-mizu", "ENVI": "shiho-anzen-kankyo", "GOVE": "gyozaisei",
    "HEAL": "shakaihosho-eisei", "INTR": "kokusai", "JUST": "shiho-anzen-kankyo",
    "REGI": "kokudo-kisho", "SOCI": "jinko-setai", "TECH": "joho-tsushin-kagaku",
    "TRAN": "unyu-kanko",
}

# Licence URLs (ours in schemas/ckan/licenses.json and the usual spellings of them).
_LICENCE_URLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"creativecommons\.org/licenses/by/4\.0"), "cc-by-4.0"),
    (re.compile(r"creativecommons\.org/licenses/by/2\.1/jp"), "cc-by-2.1-jp"),
    (re.compile(r"creativecommons\.org/publicdomain/zero/1\.0"), "cc0-1.0"),
    (re.compile(r"digital\.go\.jp/.*public_data_license"), "pdl-1.0"),
    (re.compile(r"cio\.go\.jp/policy-opendata"), "gsl-2.0"),
)

_EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = frozenset(_EU_FREQ + f for f in (
    "UPDATE_CONT", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL_2", "ANNUAL", "IRREG",
    "NEVER"))


class Refused(Exception):
    """The document is not parsed: ``msgid`` and ``params``."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(common.render(msgid, params))
        self.msgid = msgid
        self.params = params


# ------------------------------------------------------------------ the document


def rdf_format(declared: str | None, content: bytes) -> str:
    """The format to parse with: the source's configured or served one, else guessed from
    the first bytes. Raises Refused for a format we do not read."""
    if declared:
        key = declared.split(";", 1)[0].strip().lower()
        if key in FORMATS:
            return FORMATS[key]
        if key not in ("text/plain", "application/octet-stream", "binary/octet-stream"):
            raise Refused(MSG_FORMAT, format=key[:50])
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json-ld"
    return "turtle"


class _Stop(Exception):
    pass


def check_xml(content: bytes) -> None:
    """Refuse XML that declares entities or has an external DTD; stop at the root element
    (a DTD can only come before it), so the check costs little whatever the size."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity(*_args: Any) -> None:
        raise Refused(MSG_ENTITIES)

    def doctype(_name: str, system_id: str | None, public_id: str | None, _subset: int) -> None:
        if system_id or public_id:
            raise Refused(MSG_ENTITIES)

    def root(*_args: Any) -> None:
        raise _Stop

    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = entity
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        parser.Parse(content, True)
    except _Stop:
        return
    except expat.ExpatError as exc:
        raise Refused(MSG_XML, error=str(exc)) from None


def _remote_context(value: Any, depth: int = 0) -> bool:
    if depth > 50:
        return True  # absurd nesting: refuse rather than recurse on
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("@context", "@import") and _names_url(item):
                return True
            if _remote_context(item, depth + 1):
                return True
    elif isinstance(value, list):
        return any(_remote_context(item, depth + 1) for item in value)
    return False


def _names_url(context: Any) -> bool:
    if isinstance(context, str):
        return True
    if isinstance(context, list):
        return any(isinstance(item, str) for item in context)
    return False


def check_document(content: bytes, fmt: str) -> str:
    """Check a fetched document before parsing; returns it as text (UTF-8)."""
    if fmt not in FORMATS.values():
        raise Refused(MSG_FORMAT, format=fmt)
    if fmt == "xml":
        check_xml(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(MSG_ENCODING) from None
    if fmt == "json-ld":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise Refused(MSG_JSON, error=str(exc)[:200]) from None
        if _remote_context(data):
            raise Refused(MSG_REMOTE_CONTEXT)
    return text


# ------------------------------------------------------------------ one dataset


@dataclass
class Mapped:
    """A DCAT dataset in our schema, without ``owner_org`` (the plugin resolves
    ``publisher_keys`` against the local organizations)."""

    guid: str
    url: str | None  # the remote dataset's URI or landing page (provenance)
    package: dict[str, Any]
    publisher_keys: list[str]
    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _extras(parsed: Mapping[str, Any]) -> dict[str, Any]:
    return {e.get("key"): e.get("value") for e in parsed.get("extras") or []
            if isinstance(e, Mapping)}


def _json_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return [str(v) for v in loaded] if isinstance(loaded, list) else [str(loaded)]
    return []


def _http(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if urlsplit(text).scheme in ("http", "https") and " " not in text else None


def licence_from(values: Iterable[Any]) -> str | None:
    """Our licence id for the first licence URL, id or title we recognise."""
    for value in values:
        text = str(value or "").strip()
        if not text:
            continue
        for pattern, ours in _LICENCE_URLS:
            if pattern.search(text):
                return ours
        if not _http(text) and (found := common.licence_id(text)):
            return found
    return None


def lg_code(value: Any) -> str | None:
    """A 6-digit 全国地方公共団体コード with the right check digit (5 digits get theirs)."""
    text = str(value or "").strip()
    if len(text) == 5 and text.isascii() and text.isdigit():
        return lgcode.with_check_digit(text)
    return text if lgcode.is_valid(text) else None


def category(themes: Iterable[str], keywords: Iterable[str] = (),
             mapping: Mapping[str, str] | None = None) -> str | None:
    """Our category from dcat:theme URIs (our /group/<value>, an EU data theme, or the
    source's ``mapping``), else a keyword naming one of the 17 categories."""
    candidates: list[str] = []
    for theme in themes:
        if mapping and theme in mapping:
            candidates.append(theme)
            continue
        last = theme.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        candidates.append(EU_THEMES.get(last.upper(), last) if "data-theme" in theme else last)
    return common.category([*candidates, *keywords], mapping)


def _name(code: str | None, identifier: str, guid: str) -> str:
    slug = common.dataset_name(identifier) if identifier.isascii() else ""
    if len(slug) < 2 or slug == "harvested-dataset" or len(slug) > 60:
        slug = "dcat-" + hashlib.sha1(guid.encode()).hexdigest()[:12]
    return f"{code}-{slug}" if code else slug


def map_dataset(parsed: Mapping[str, Any], *, default_licence: str | None = None,
                categories: Mapping[str, str] | None = None) -> Mapped | None:
    """``parsed``: one dict of ``RDFParser.datasets()``. None only for a dataset without URI
    or identifier; a dataset that cannot be imported comes back with an empty ``package``
    and its reasons in ``problems``, so the caller still counts its guid as seen (a
    temporarily broken record is not withdrawn)."""
    extras = _extras(parsed)
    uri = str(extras.get("uri") or parsed.get("uri") or "")
    identifier = str(extras.get("identifier") or parsed.get("identifier") or "")
    guid = uri or identifier
    title = str(parsed.get("title") or "").strip()
    if not guid:
        return None
    mapped = Mapped(guid=guid, url=_http(parsed.get("url")) or _http(uri), package={},
                    publisher_keys=[])
    if not title:
        mapped.problems.append((MSG_NO_TITLE, {"guid": guid}))
        return mapped
    resources = []
    for res in parsed.get("resources") or []:
        url = _http(res.get("download_url")) or _http(res.get("url")) or \
            _http(res.get("access_url"))
        if not url:
            continue
        resource = {"url": url, "name": str(res.get("name") or title)[:300],
                    "format": str(res.get("format") or "").strip()[:50]}
        if res.get("description"):
            resource["description"] = str(res["description"])
        resources.append(resource)
    licences = [parsed.get("license_url"), parsed.get("license_id"), extras.get("license"),
                *(res.get("license") for res in parsed.get("resources") or [])]
    licence = licence_from(licences) or default_licence
    if not licence:
        shown = ", ".join(str(v) for v in licences if v)[:200] or "-"
        mapped.problems.append((MSG_NO_LICENCE, {"guid": guid, "licence": shown}))
        return mapped
    code = lg_code(extras.get("publisher_identifier"))
    mapped.publisher_keys = list(dict.fromkeys(
        str(k) for k in (code, extras.get("publisher_identifier"), extras.get("publisher_name"))
        if k))
    tags = [t for t in common.tag_names(parsed.get("tags") or []) if len(t) >= 2]
    package: dict[str, Any] = {
        "name": _name(code, identifier, guid),
        "title": title[:300],
        "notes": str(parsed.get("notes") or ""),
        "license_id": licence,
        "tags": [{"name": t} for t in tags],
        "standard_dataset": common.standard_dataset(title=title, tags=tags),
        "resources": resources,
    }
    for key in ("title_en", "notes_en"):
        if parsed.get(key):
            package[key] = str(parsed[key])
    found = category(_json_list(extras.get("theme")), tags, categories)
    if found:
        package["category"] = found
    if extras.get("frequency") in FREQUENCIES:
        package["frequency"] = extras["frequency"]
    if mapped.url:
        package["url"] = mapped.url
    mapped.package = package
    return mapped
