"""DCAT harvester of the portal (plugin ``regionaliot_dcat_harvester``, harvester ``regionaliot_dcat``).

ckanext-dcat's ``DCATRDFHarvester`` with what it lacks for this portal:

- fetching through the fetch guard (download.py) instead of a plain ``requests.Session``
  (no address check, no time limit, a HEAD then a GET);
- the document checked before rdflib sees it (``regionaliot.harvesters.dcat_map``): XML
  declaring entities (billion laughs, external entities) and JSON-LD with a remote
  ``@context`` are refused, and only Turtle, N-Triples, RDF/XML and JSON-LD are read;
- each dataset, as read by ckanext-dcat's ``RDFParser`` with the configured profiles
  (``euro_dcat_ap_3 regionaliot``: @ja/@en titles), mapped onto our scheming schema
  (``dcat_map.map_dataset``): organization from ``dct:publisher``'s ``dct:identifier``
  (団体コード), category from ``dcat:theme``, licence, standard dataset, links only;
- written through the shared importer (importer.py): provenance, unchanged datasets skipped,
  datasets gone from a complete catalogue withdrawn (never purged), hand-made ones untouched.

Its name differs from dcat's ``dcat_rdf``: load this plugin *instead of*
``dcat_rdf_harvester`` (never both with one name; harvest takes the first of a name).

Source configuration (JSON, all optional)::

    {"rdf_format": "text/turtle", "organizations": {"<remote code or name>": "<local org>"},
     "categories": {"<theme URI>": "<category or 分類>"}, "default_license": "cc-by-4.0",
     "max_pages": 100}
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from rdflib import URIRef
from regionaliot.harvesters import common, dcat_map

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.processors import RDFParser, RDFParserException
from ckanext.dcat.profiles.base import DCT
from ckanext.regionaliot.harvest import download, importer
from ckanext.regionaliot.lib.i18n import N_

log = logging.getLogger(__name__)

MAX_PAGES = 100

MSG_PARSE = N_("The DCAT source could not be read as RDF: {error}")
MSG_REFUSED = N_("The DCAT source was refused: {reason}")
MSG_NO_OWNER = N_("No organization for the DCAT dataset {guid} (publisher {publisher}); skipped.")
MSG_SKIPPED = N_("The DCAT dataset {guid} was skipped: {reason}")
MSG_PAGES = N_("The DCAT source has more than {limit} pages; the rest was not read, and "
               "nothing was withdrawn.")
MSG_CONFIG = N_("Harvest source configuration: {error}")


def _config(source: Any) -> dict[str, Any]:
    try:
        value = json.loads(source.config) if source.config else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def _check_config(value: dict[str, Any]) -> None:
    for key in ("organizations", "categories"):
        if key in value and not (isinstance(value[key], dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value[key].items())):
            raise ValueError(f"{key} must be an object of strings")
    licence = value.get("default_license")
    if licence is not None and licence not in set(common.LICENCES.values()):
        raise ValueError("default_license must be one of " +
                         ", ".join(sorted(set(common.LICENCES.values()))))
    pages = value.get("max_pages")
    if pages is not None and not (isinstance(pages, int) and 0 < pages <= 10_000):
        raise ValueError("max_pages must be a whole number from 1 to 10000")


def _dataset_licence(parser: RDFParser, parsed: dict[str, Any]) -> None:
    """The dataset's own dct:license as ``license_url`` (ckanext-dcat's profiles read only
    the distributions' licences, and only those in CKAN's licence register)."""
    uri = next((e.get("value") for e in parsed.get("extras") or [] if e.get("key") == "uri"), None)
    if uri and not parsed.get("license_url"):
        licence = parser.g.value(URIRef(uri), DCT.license)
        if licence is not None:
            parsed["license_url"] = str(licence)


class RegionalIoTDCATHarvester(DCATRDFHarvester):
    """DCAT RDF catalogues (Turtle, RDF/XML, N-Triples, JSON-LD) into our schema."""

    def info(self) -> dict[str, str]:
        return {
            "name": "regionaliot_dcat",
            "title": "DCAT RDF (高梁川流域)",
            "description": "DCAT catalogues (Turtle, RDF/XML, JSON-LD) mapped onto the portal's "
                           "schema, fetched through the SSRF guard",
        }

    def validate_config(self, source_config: str | None) -> str | None:
        source_config = super().validate_config(source_config)
        if source_config:
            value = json.loads(source_config)
            if not isinstance(value, dict):
                raise ValueError("The configuration must be a JSON object")
            _check_config(value)
        return source_config

    # dcat's own fetch (a plain requests session) must never run.
    def _get_content_and_type(self, url, harvest_job, page=1, content_type=None):
        raise NotImplementedError("regionaliot_dcat fetches through download.read")

    def gather_stage(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        config = _config(source)
        try:
            _check_config(config)
        except ValueError as exc:
            importer.gather_error(harvest_job, MSG_CONFIG, error=exc)
            return []
        default_org = importer.source_owner(source)
        state = importer.SourceState.load(source.id)
        members = importer.Members.load()
        ids: list[str] = []
        url: str | None = source.url
        seen_pages: set[str] = set()
        limit = config.get("max_pages") or MAX_PAGES
        complete = False
        while url:
            if len(seen_pages) >= limit:
                importer.gather_error(harvest_job, MSG_PAGES, limit=limit)
                break
            page = self._page(url, config, harvest_job)
            if page is None:
                break
            parser, digest = page
            if digest in seen_pages:  # a server that ignores the page parameter
                complete = True
                break
            seen_pages.add(digest)
            for parsed in parser.datasets():
                _dataset_licence(parser, parsed)
                ids += self._queue(parsed, config, state, members, default_org, harvest_job)
            importer.flush()
            url = parser.next_page()
            complete = not url
        if complete:
            ids += importer.queue_withdrawals(harvest_job, state)
        importer.flush()
        return ids

    def _page(self, url: str, config: dict[str, Any],
              job: Any) -> tuple[RDFParser, str] | None:
        """One catalogue page fetched, checked and parsed, with the digest of its bytes;
        None after recording an error."""
        try:
            content = download.read(url)
            fmt = dcat_map.rdf_format(config.get("rdf_format"), content)
            text = dcat_map.check_document(content, fmt)
        except download.SourceError as exc:
            importer.gather_error(job, exc.msgid, **exc.params)
            return None
        except dcat_map.Refused as exc:
            importer.gather_error(job, MSG_REFUSED, reason=exc)
            return None
        parser = RDFParser()
        try:
            parser.parse(text, _format=fmt)
        except RDFParserException as exc:
            importer.gather_error(job, MSG_PARSE, error=str(exc)[:500])
            return None
        except Exception as exc:  # rdflib raises many kinds on hostile input
            log.info("DCAT source %s: %r", url, exc)
            importer.gather_error(job, MSG_PARSE, error=type(exc).__name__)
            return None
        return parser, hashlib.sha256(content).hexdigest()

    def _queue(self, parsed: dict[str, Any], config: dict[str, Any],
               state: importer.SourceState, members: importer.Members,
               default_org: str | None, job: Any) -> list[str]:
        try:
            mapped = dcat_map.map_dataset(parsed, default_licence=config.get("default_license"),
                                          categories=config.get("categories"))
        except Exception as exc:  # one odd record must not stop the catalogue
            log.info("DCAT record not mapped: %r", exc)
            importer.gather_error(job, MSG_SKIPPED, guid=parsed.get("title", "?"),
                                  reason=type(exc).__name__)
            return []
        if mapped is None:
            importer.gather_error(job, dcat_map.MSG_NO_GUID,
                                  title=str(parsed.get("title") or "?")[:200])
            return []
        state.seen.add(mapped.guid)  # never withdrawn for being unreadable this time
        if mapped.problems:
            for msgid, params in mapped.problems:
                importer.gather_error(job, msgid, **params)
            return []
        owner = members.resolve(mapped.publisher_keys, config.get("organizations"),
                                default=default_org)
        if not owner:
            importer.gather_error(job, MSG_NO_OWNER, guid=mapped.guid,
                                  publisher=", ".join(mapped.publisher_keys) or "-")
            return []
        package = dict(mapped.package, owner_org=owner)
        return importer.queue(job, state, mapped.guid, package, url=mapped.url)

    def get_original_url(self, harvest_object_id: str) -> str | None:
        return importer.original_url(harvest_object_id)

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True  # the gather stage stored each dataset

    def import_stage(self, harvest_object: Any) -> bool | str:
        return importer.import_object(harvest_object)
