"""DCAT profile ``regionaliot``: what ckanext-dcat's DCAT-AP 3 profile cannot know about
our scheming schema, added after it (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3
regionaliot``).

- titles and descriptions with language tags: ``title``/``notes`` @ja, ``title_en``/
  ``notes_en`` @en where stored, and ``dct:language`` for each;
- the category (one of the 17 of the standard オープンデータ一覧) as ``dcat:theme``, a
  ``skos:Concept`` (the category's group page) labelled in both languages;
- the publisher: the municipality, with its 全国地方公共団体コード as ``dct:identifier``,
  its names in both languages and its web site;
- ``dct:spatial``: the municipality the data covers (the same code);
- every distribution's ``dct:license`` (the dataset's licence) and, for uploaded files,
  ``dcat:downloadURL``.
Reading DCAT back (``parse_dataset``) maps the @en literals to ``title_en``/``notes_en``.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import DCAT, DCT, FOAF, SKOS

# The EU language authority, which DCAT-AP validators expect for dct:language.
LANGUAGE = {"ja": URIRef("http://publications.europa.eu/resource/authority/language/JPN"),
            "en": URIRef("http://publications.europa.eu/resource/authority/language/ENG")}


def _site_url(path: str) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + path


def _category_labels() -> dict[str, dict[str, str]]:
    """value → {lang: label} from the scheming dataset schema's category choices."""
    schema = tk.h.scheming_get_dataset_schema("dataset") or {}
    for field in schema.get("dataset_fields", []):
        if field.get("field_name") == "category":
            return {choice["value"]: choice.get("label") or {}
                    for choice in field.get("choices", [])}
    return {}


class RegionalIoTDCATProfile(RDFProfile):
    """Runs after ``euro_dcat_ap_3``; replaces what it wrote without a language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organizations: dict[str, dict[str, Any]] = {}  # one lookup per serialisation
        self._categories: dict[str, dict[str, str]] | None = None

    # ------------------------------------------------------------------ output
    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        languages = ["ja"]
        for field, english, predicate in (("title", "title_en", DCT.title),
                                          ("notes", "notes_en", DCT.description)):
            g.remove((dataset_ref, predicate, None))
            if dataset_dict.get(field):
                g.add((dataset_ref, predicate, Literal(dataset_dict[field], lang="ja")))
            if dataset_dict.get(english):
                g.add((dataset_ref, predicate, Literal(dataset_dict[english], lang="en")))
                languages.append("en")
        g.remove((dataset_ref, DCT.language, None))
        for lang in dict.fromkeys(languages):
            g.add((dataset_ref, DCT.language, LANGUAGE[lang]))
        g.remove((dataset_ref, DCAT.keyword, None))
        for tag in dataset_dict.get("tags") or []:
            g.add((dataset_ref, DCAT.keyword, Literal(tag["name"], lang="ja")))

        self._add_theme(dataset_dict, dataset_ref)
        organization = self._organization(dataset_dict.get("owner_org"))
        if organization:
            self._add_publisher(organization, dataset_ref)

        license_url = dataset_dict.get("license_url")
        if license_url:
            g.remove((dataset_ref, DCT.license, None))
            g.add((dataset_ref, DCT.license, URIRef(license_url)))
        for resource in dataset_dict.get("resources") or []:
            distribution = URIRef(self._resource_uri(resource))
            if license_url and (distribution, DCT.license, None) not in g:
                g.add((distribution, DCT.license, URIRef(license_url)))
            if resource.get("url_type") == "upload" and resource.get("url") and (
                    distribution, DCAT.downloadURL, None) not in g:
                g.add((distribution, DCAT.downloadURL, URIRef(resource["url"])))

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: Any) -> None:
        g = self.g
        for key, predicate in (("ckan.site_title", DCT.title),
                               ("ckan.site_description", DCT.description)):
            value = tk.config.get(key)
            if value:
                g.remove((catalog_ref, predicate, None))
                g.add((catalog_ref, predicate, Literal(value, lang="ja")))
        g.remove((catalog_ref, DCT.language, None))
        for uri in LANGUAGE.values():
            g.add((catalog_ref, DCT.language, uri))

    def _resource_uri(self, resource: dict[str, Any]) -> str:
        from ckanext.dcat.utils import resource_uri

        return resource_uri(resource)

    def _organization(self, ref: str | None) -> dict[str, Any] | None:
        if not ref:
            return None
        if ref not in self._organizations:
            try:
                self._organizations[ref] = tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": ref, "include_datasets": False,
                                            "include_users": False})
            except tk.ObjectNotFound:
                self._organizations[ref] = {}
        return self._organizations[ref] or None

    def _add_theme(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        category = dataset_dict.get("category")
        if not category:
            return
        if self._categories is None:
            self._categories = _category_labels()
        theme = URIRef(_site_url(f"/group/{category}"))
        self.g.add((dataset_ref, DCAT.theme, theme))
        self.g.add((theme, RDF.type, SKOS.Concept))
        for lang, label in (self._categories.get(category) or {}).items():
            self.g.add((theme, SKOS.prefLabel, Literal(label, lang=lang)))

    def _add_publisher(self, organization: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        for old in list(g.objects(dataset_ref, DCT.publisher)):
            g.remove((dataset_ref, DCT.publisher, old))
            if isinstance(old, BNode):  # the base profile's anonymous agent
                g.remove((old, None, None))
        publisher = URIRef(_site_url(f"/organization/{organization['name']}"))
        g.add((dataset_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Organization))
        g.add((publisher, FOAF.name, Literal(organization.get("title") or organization["name"],
                                             lang="ja")))
        if organization.get("title_en"):
            g.add((publisher, FOAF.name, Literal(organization["title_en"], lang="en")))
        if organization.get("website"):
            g.add((publisher, FOAF.homepage, URIRef(organization["website"])))
        code = organization.get("lg_code")
        if code:
            g.add((publisher, DCT.identifier, Literal(code)))
            place = BNode()
            g.add((dataset_ref, DCT.spatial, place))
            g.add((place, RDF.type, DCT.Location))
            g.add((place, DCT.identifier, Literal(code)))
            g.add((place, SKOS.prefLabel, Literal(organization.get("title") or code, lang="ja")))

    # ------------------------------------------------------------------ input
    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        for field, english, predicate in (("title", "title_en", DCT.title),
                                          ("notes", "notes_en", DCT.description)):
            by_lang = {(o.language or ""): str(o) for o in self.g.objects(dataset_ref, predicate)
                       if isinstance(o, Literal)}
            if "ja" in by_lang:
                dataset_dict[field] = by_lang["ja"]
            if "en" in by_lang:
                dataset_dict[english] = by_lang["en"]
        return dataset_dict


# ---------------------------------------------------------------------- /dcat.json
def json_item(item: dict[str, Any], dataset: dict[str, Any],
              organization: dict[str, Any] | None) -> dict[str, Any]:
    """ckanext-dcat's plain DCAT-JSON for ``dataset`` (its converter reads publisher and
    creator from extras we do not have), completed from our schema."""
    item["identifier"] = item.get("identifier") or dataset["id"]
    item["landingPage"] = _site_url(f"/dataset/{dataset['name']}")
    languages = ["ja"] + (["en"] if dataset.get("title_en") or dataset.get("notes_en") else [])
    item["language"] = languages
    if dataset.get("title_en"):
        item["title_en"] = dataset["title_en"]
    if dataset.get("notes_en"):
        item["description_en"] = dataset["notes_en"]
    if dataset.get("license_url"):
        item["license"] = dataset["license_url"]
    if dataset.get("category"):
        item["theme"] = [_site_url(f"/group/{dataset['category']}")]
    if organization:
        publisher = {"name": organization.get("title") or organization["name"],
                     "identifier": organization.get("lg_code") or organization["name"]}
        if organization.get("website"):
            publisher["homepage"] = organization["website"]
        item["publisher"] = publisher
        creator = {"name": " ".join(filter(None, (publisher["name"],
                                                  dataset.get("contact_name"))))}
        if dataset.get("contact_email"):
            creator["email"] = dataset["contact_email"]
        item["creator"] = creator
    # ckan_to_dcat writes one distribution per resource, in order.
    for distribution, resource in zip(item.get("distribution") or [],
                                      dataset.get("resources") or [], strict=True):
        if resource.get("url_type") == "upload":
            distribution["downloadURL"] = resource.get("url")
        if dataset.get("license_url"):
            distribution["license"] = dataset["license_url"]
    return item
