"""DCAT profile ``regionaliot_feeds``: what a feed (dataset type ``feed``) publishes beyond
its CKAN resources, after ``euro_dcat_ap_3 regionaliot`` (``ckanext.dcat.rdf.profiles`` in
deploy/ckan.ini.template). Other datasets pass through untouched.

- ``dct:accrualPeriodicity``: the EU frequency of the feed's observation interval
  (10MIN, HOURLY, ...) or UPDATE_CONT (continuously updated) where the authority has no
  code for it; ``dcat:temporalResolution`` the interval itself (xsd:duration);
- ``dct:temporal``: from the first stored observation, open-ended (the feed goes on);
- a ``dcat:DataService`` (the Action API: regionaliot_feed_query and regionaliot_feed_latest,
  described by CKAN's help_show) serving the feed, and three distributions beside the
  resources: the query API, the sensors' GeoJSON with their latest values, and the CSV
  of any time range (/feeds/<feed>/observations.csv);
- each daily file (``observations-<day>.csv``, daily.py) its day as ``dct:temporal``
  and ``text/csv`` as an IANA media type.

Titles are given in Japanese and English as language-tagged literals, as the core
profile does for the dataset.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.model as ckan_model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from sqlalchemy.exc import SQLAlchemyError

from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import DCAT, DCT
from ckanext.dcat.utils import dataset_uri, resource_uri

from . import files, model

log = logging.getLogger(__name__)

FEED_TYPE = "feed"
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"

# (fragment, title ja, title en, path, IANA media type, EU file type, downloadable, by the API)
DISTRIBUTIONS = (
    ("distribution-query", "観測値API（期間・間引き指定、JSON）",
     "Observations API (time range and resolution, JSON)",
     "/api/3/action/regionaliot_feed_query?id={name}", "application/json", "JSON", False, True),
    ("distribution-sensors", "センサーと最新値（GeoJSON）",
     "Sensors with their latest values (GeoJSON)",
     "/feeds/{name}/sensors.geojson", "application/geo+json", "GEOJSON", True, False),
    ("distribution-observations", "観測値CSV（期間指定）", "Observations as CSV (any time range)",
     "/feeds/{name}/observations.csv", "text/csv", "CSV", True, True),
)


def _site_url(path: str) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + path


def _interval(dataset_dict: dict[str, Any]) -> int:
    """The feed's observation interval in seconds (service.Feed.interval's rule)."""
    try:
        return max(int(dataset_dict.get("observation_interval") or 600), 1)
    except (TypeError, ValueError):
        return 600


class RegionalIoTFeedsDCATProfile(RDFProfile):
    """Runs after ``euro_dcat_ap_3`` and ``regionaliot``; only for feeds."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        if dataset_dict.get("type") != FEED_TYPE:
            return
        self._add_periodicity(dataset_dict, dataset_ref)
        self._add_temporal(dataset_dict, dataset_ref)
        service = self._add_service(dataset_dict, dataset_ref)
        licence = dataset_dict.get("license_url")
        for fragment, title_ja, title_en, path, media, file_type, download, by_api in DISTRIBUTIONS:
            distribution = URIRef(f"{dataset_uri(dataset_dict)}#{fragment}")
            url = URIRef(_site_url(path.format(name=dataset_dict["name"])))
            self._add_distribution(dataset_ref, distribution, title_ja, title_en, url, media,
                                   file_type, download, licence)
            if by_api:
                self.g.add((distribution, DCAT.accessService, service))
        for resource in dataset_dict.get("resources") or []:
            day = files.daily_day(resource.get("name") or "")
            if day:
                self._add_daily(URIRef(resource_uri(resource)), day)

    # ------------------------------------------------------------------ parts
    def _add_periodicity(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        interval = _interval(dataset_dict)
        g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        frequency = URIRef(files.accrual_periodicity(interval))
        g.add((dataset_ref, DCT.accrualPeriodicity, frequency))
        g.add((frequency, RDF.type, DCT.Frequency))
        g.remove((dataset_ref, DCAT.temporalResolution, None))
        g.add((dataset_ref, DCAT.temporalResolution,
               Literal(files.duration(interval), datatype=XSD.duration)))

    def _add_temporal(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        first = self._first_observed(dataset_dict)
        if first is None:
            return
        g = self.g
        for old in list(g.objects(dataset_ref, DCT.temporal)):
            g.remove((dataset_ref, DCT.temporal, old))
            if isinstance(old, BNode):
                g.remove((old, None, None))
        period = BNode()
        g.add((dataset_ref, DCT.temporal, period))
        g.add((period, RDF.type, DCT.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(first.astimezone(files.JST).isoformat(),
                                               datatype=XSD.dateTime)))

    def _first_observed(self, dataset_dict: dict[str, Any]) -> dt.datetime | None:
        """The first observation's time, or None (none yet, or the table cannot be read:
        the rest of the serialisation goes on without it)."""
        if not p.plugin_loaded("regionaliot_feeds"):
            return None
        sensors = [s["sensor_id"] for s in dataset_dict.get("sensors") or []
                   if isinstance(s, dict) and s.get("sensor_id")]
        try:
            return model.first_observed(dataset_dict["id"], sensors)
        except SQLAlchemyError as error:
            ckan_model.Session.rollback()
            log.warning("DCAT: the first observation of %s could not be read: %s",
                        dataset_dict.get("name"), error)
            return None

    def _add_service(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> URIRef:
        g = self.g
        service = URIRef(f"{dataset_uri(dataset_dict)}#api")
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCT.title, Literal("観測値のAPI（CKAN Action API）", lang="ja")))
        g.add((service, DCT.title, Literal("Observations API (CKAN Action API)", lang="en")))
        for action in ("regionaliot_feed_query", "regionaliot_feed_latest"):
            g.add((service, DCAT.endpointURL, URIRef(_site_url(f"/api/3/action/{action}"))))
        g.add((service, DCAT.endpointDescription,
               URIRef(_site_url("/api/3/action/help_show?name=regionaliot_feed_query"))))
        g.add((service, DCAT.servesDataset, dataset_ref))
        if dataset_dict.get("license_url"):
            g.add((service, DCT.license, URIRef(dataset_dict["license_url"])))
        return service

    def _add_distribution(self, dataset_ref: Any, distribution: URIRef, title_ja: str,
                          title_en: str, url: URIRef, media: str, file_type: str,
                          download: bool, licence: str | None) -> None:
        g = self.g
        g.add((dataset_ref, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCT.title, Literal(title_ja, lang="ja")))
        g.add((distribution, DCT.title, Literal(title_en, lang="en")))
        g.add((distribution, DCAT.accessURL, url))
        if download:
            g.add((distribution, DCAT.downloadURL, url))
        self._set_media_type(distribution, media)
        g.add((distribution, DCT["format"], URIRef(FILE_TYPE + file_type)))
        if licence:
            g.add((distribution, DCT.license, URIRef(licence)))

    def _set_media_type(self, distribution: URIRef, media: str) -> None:
        self.g.remove((distribution, DCAT.mediaType, None))
        iana = URIRef(IANA + media)
        self.g.add((distribution, DCAT.mediaType, iana))
        self.g.add((iana, RDF.type, DCT.MediaType))

    def _add_daily(self, distribution: URIRef, day: dt.date) -> None:
        g = self.g
        start, end = files.jst_day(day)
        for old in list(g.objects(distribution, DCT.temporal)):
            g.remove((distribution, DCT.temporal, old))
        period = BNode()
        g.add((distribution, DCT.temporal, period))
        g.add((period, RDF.type, DCT.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.dateTime)))
        g.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.dateTime)))
        self._set_media_type(distribution, "text/csv")
