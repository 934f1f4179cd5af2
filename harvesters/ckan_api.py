"""Reading CKAN portals (BODIK ODCS, other municipalities' CKAN) and data eye's
``/ckan_api/`` dialect, and mapping their datasets onto our schema. No CKAN, no network:
the caller passes ``get_json(url, params)``, which fetches through the portal's guard.

Listing (:func:`iter_datasets`), streamed one dataset at a time:

- ``ckan`` dialect: ``package_search`` sorted by ``metadata_modified asc, id asc`` and paged
  by a cursor on ``metadata_modified`` (``fq=metadata_modified:[cursor TO *]``), with an
  offset only among datasets sharing the cursor's timestamp. A dataset deleted or added
  during the run shifts no page (offset paging skips one dataset per deletion); one
  modified during the run comes again at the end and is yielded once.
- ``dataeye`` dialect: ``package_list`` (one snapshot of the ids) then ``package_show`` per
  id; its ``package_search`` is not relied on.

Memory: one page of dicts and the set of ids yielded (tens of bytes each).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from . import common

GetJson = Callable[[str, Mapping[str, Any]], Any]

DIALECTS = ("ckan", "dataeye")
MAX_PAGE = 1000


class SourceError(Exception):
    """The source cannot be read as asked (an answer that is not a CKAN API answer).

    ``msgid`` is English (translated when shown) with ``params``."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(common.render(msgid, params))
        self.msgid = msgid
        self.params = params


class ConfigError(ValueError):
    """The source's configuration is not usable: ``msgid`` and ``params`` (str: English)."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(common.render(msgid, params))
        self.msgid = msgid
        self.params = params


MSG_NOT_API = "The source did not answer {action} like a CKAN API ({problem})."
MSG_NOT_SUCCESS = "The source answered {action} with an error."
NO_RESULTS = common.Message("no results list")
NO_MODIFIED = common.Message("no metadata_modified to page by")
NOT_A_LIST = common.Message("not a list")
NOT_AN_OBJECT = common.Message("not an object")
MSG_CONFIG_JSON = "The configuration is not valid JSON: {error}"
MSG_CONFIG_OBJECT = "The configuration must be a JSON object."
MSG_CONFIG_KEYS = "Unknown configuration keys: {unknown}. Known: {known}."
MSG_CONFIG_DIALECT = "dialect must be one of {dialects}."
MSG_CONFIG_MAP = "{key} must map remote names to local names."
MSG_CONFIG_ONLY = "only_organizations must be a list."
MSG_CONFIG_PAGE = "page_size must be a whole number from 1 to {max}."
MSG_CONFIG_OPEN = "open_licences_only must be true or false."
MSG_CONFIG_URL = "The source URL must be an http or https URL."


@dataclass
class Config:
    """A source's configuration (the harvest source's JSON ``config``)."""

    dialect: str | None = None  # None: "dataeye" when the URL has /ckan_api, else "ckan"
    organizations: dict[str, str] = field(default_factory=dict)  # remote key → local org
    only_organizations: list[str] = field(default_factory=list)  # remote org names/codes
    open_licences_only: bool = True
    categories: dict[str, str] = field(default_factory=dict)  # remote group → our category
    page_size: int = 500

    @classmethod
    def parse(cls, text: str | None, page_size: int = 500) -> Config:
        """The config from the source's JSON text; ConfigError names what is wrong."""
        if not text or not text.strip():
            return cls(page_size=page_size)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(MSG_CONFIG_JSON, error=str(exc)) from None
        if not isinstance(data, dict):
            raise ConfigError(MSG_CONFIG_OBJECT)
        known = {"dialect", "organizations", "only_organizations", "open_licences_only",
                 "categories", "page_size"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(MSG_CONFIG_KEYS, unknown=", ".join(unknown),
                              known=", ".join(sorted(known)))
        dialect = data.get("dialect")
        if dialect is not None and dialect not in DIALECTS:
            raise ConfigError(MSG_CONFIG_DIALECT, dialects=", ".join(DIALECTS))
        for key in ("organizations", "categories"):
            value = data.get(key, {})
            if not isinstance(value, dict) or not all(
                    isinstance(v, str | int) for v in value.values()):
                raise ConfigError(MSG_CONFIG_MAP, key=key)
        only = data.get("only_organizations", [])
        if not isinstance(only, list):
            raise ConfigError(MSG_CONFIG_ONLY)
        size = data.get("page_size", page_size)
        if not isinstance(size, int) or not 1 <= size <= MAX_PAGE:
            raise ConfigError(MSG_CONFIG_PAGE, max=MAX_PAGE)
        open_only = data.get("open_licences_only", True)
        if not isinstance(open_only, bool):
            raise ConfigError(MSG_CONFIG_OPEN)
        return cls(dialect=dialect,
                   organizations={str(k): str(v) for k, v in data.get("organizations", {}).items()},
                   only_organizations=[str(v) for v in only], open_licences_only=open_only,
                   categories={str(k): str(v) for k, v in data.get("categories", {}).items()},
                   page_size=size)


@dataclass(frozen=True)
class Endpoint:
    """Where a source's API lives: ``action_url("package_show")``."""

    base: str  # the portal's root, for relative links and dataset pages
    api: str  # ends with "/"
    dialect: str

    @classmethod
    def of(cls, url: str, dialect: str | None = None) -> Endpoint:
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(MSG_CONFIG_URL)
        marker = re.search(r"/ckan_api(/|$)", parts.path)
        if dialect is None:
            dialect = "dataeye" if marker else "ckan"
        root = url.split("?")[0].split("#")[0]
        if marker:
            root = root[: root.index("/ckan_api")]
        else:
            root = re.sub(r"/api(/3)?(/action)?/?$", "", root.rstrip("/"))
        root = root.rstrip("/") + "/"
        api = root + ("ckan_api/" if dialect == "dataeye" else "api/3/action/")
        return cls(root, api, dialect)

    def action_url(self, action: str) -> str:
        return self.api + action

    def dataset_page(self, remote: Mapping[str, Any]) -> str:
        if self.dialect == "dataeye":
            return f"{self.api}package_show?id={remote.get('id')}"
        return f"{self.base}dataset/{remote.get('name') or remote.get('id')}"


def _result(action: str, answer: Any) -> Any:
    """The ``result`` of an Action API answer (data eye may answer it bare)."""
    if isinstance(answer, dict) and "result" in answer:
        if answer.get("success") is False:
            raise SourceError(MSG_NOT_SUCCESS, action=action)
        return answer["result"]
    if isinstance(answer, dict) and answer.get("success") is False:
        raise SourceError(MSG_NOT_SUCCESS, action=action)
    return answer


def _solr_time(value: Any) -> str | None:
    """A package's metadata_modified as a Solr date, floored to milliseconds (the cursor
    then includes the dataset it came from)."""
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?", str(value or ""))
    if not match:
        return None
    fraction = (match.group(2) or ".000")[:4].ljust(4, "0")
    return f"{match.group(1)}{fraction}Z"


def _org_query(names: list[str]) -> str:
    quoted = " OR ".join('"' + n.replace('"', "") + '"' for n in names)
    return f"organization:({quoted})"


def iter_datasets(endpoint: Endpoint, config: Config, get_json: GetJson) -> Iterator[dict[str, Any]]:
    """Every remote dataset, once each (see the module's docstring for the paging)."""
    if endpoint.dialect == "dataeye":
        yield from _iter_dataeye(endpoint, get_json)
    else:
        yield from _iter_ckan(endpoint, config, get_json)


def _iter_ckan(endpoint: Endpoint, config: Config, get_json: GetJson) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    cursor: str | None = None
    start = 0
    rows = config.page_size
    while True:
        fq = []
        if cursor:
            fq.append(f"metadata_modified:[{cursor} TO *]")
        if config.only_organizations:
            fq.append(_org_query(config.only_organizations))
        params = {"q": "*:*", "sort": "metadata_modified asc, id asc", "rows": rows,
                  "start": start, "include_private": "false"}
        if fq:
            params["fq"] = " AND ".join(fq)
        result = _result("package_search", get_json(endpoint.action_url("package_search"), params))
        if not isinstance(result, dict) or not isinstance(result.get("results"), list):
            raise SourceError(MSG_NOT_API, action="package_search", problem=NO_RESULTS)
        page = [r for r in result["results"] if isinstance(r, dict) and r.get("id")]
        for remote in page:
            key = str(remote["id"])
            if key not in seen:
                seen.add(key)
                yield remote
        if len(result["results"]) < rows or not page:
            return
        last = _solr_time(page[-1].get("metadata_modified"))
        if last is None:
            raise SourceError(MSG_NOT_API, action="package_search",
                              problem=NO_MODIFIED)
        if last == cursor:
            start += len(result["results"])
        else:
            cursor = last
            start = sum(1 for r in page if _solr_time(r.get("metadata_modified")) == last)


def _iter_dataeye(endpoint: Endpoint, get_json: GetJson) -> Iterator[dict[str, Any]]:
    ids = _result("package_list", get_json(endpoint.action_url("package_list"), {}))
    if not isinstance(ids, list):
        raise SourceError(MSG_NOT_API, action="package_list", problem=NOT_A_LIST)
    seen: set[str] = set()
    for remote_id in ids:
        if not isinstance(remote_id, str | int) or str(remote_id) in seen:
            continue
        seen.add(str(remote_id))
        remote = _result("package_show", get_json(endpoint.action_url("package_show"),
                                                  {"id": str(remote_id)}))
        if not isinstance(remote, dict):
            raise SourceError(MSG_NOT_API, action="package_show", problem=NOT_AN_OBJECT)
        remote.setdefault("id", remote_id)
        yield remote


# ------------------------------------------------------------------ mapping


@dataclass
class Mapped:
    """A remote dataset in our schema, or why it is left out (``skip``)."""

    guid: str
    url: str
    package: dict[str, Any]
    org_keys: list[str]
    skip: str | None = None


def _text(value: Any) -> str:
    if isinstance(value, dict):  # a translated field {"ja": …, "en": …}
        value = value.get("ja") or value.get("en") or next(iter(value.values()), "")
    return str(value or "").strip()


def _extras(remote: Mapping[str, Any]) -> dict[str, str]:
    extras = remote.get("extras")
    if isinstance(extras, list):
        return {str(e.get("key")): _text(e.get("value")) for e in extras if isinstance(e, dict)}
    return {}


def _http(url: Any, base: str) -> str | None:
    text = _text(url)
    if not text:
        return None
    absolute = urljoin(base, text)
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def org_keys(remote: Mapping[str, Any]) -> list[str]:
    """Candidate keys of the remote organization: its name (BODIK: the 団体コード), title,
    id, and a 団体コード found in the extras."""
    org = remote.get("organization") if isinstance(remote.get("organization"), dict) else {}
    keys = [_text(org.get("name")), _text(org.get("title")), _text(org.get("id")),
            _text(remote.get("owner_org"))]
    extras = _extras(remote)
    for key in ("団体コード", "lg_code", "local_government_code"):
        if extras.get(key):
            keys.append(extras[key])
    return [k for k in dict.fromkeys(keys) if k]


def _resource(res: Mapping[str, Any], base: str) -> dict[str, Any] | None:
    url = _http(res.get("url") or res.get("download_url"), base)
    if url is None:
        return None
    out = {"url": url, "name": _text(res.get("name"))[:500] or url.rsplit("/", 1)[-1],
           "description": _text(res.get("description")),
           "format": _text(res.get("format")).upper()[:100]}
    return out


def map_dataset(remote: Mapping[str, Any], endpoint: Endpoint, config: Config) -> Mapped:
    """Our dataset dict for one remote dataset (owner_org is left to the caller, who
    resolves ``org_keys`` against the portal's organizations)."""
    guid = str(remote.get("id") or "")
    page = endpoint.dataset_page(remote)
    keys = org_keys(remote)
    if config.only_organizations and not set(keys) & set(config.only_organizations):
        return Mapped(guid, page, {}, keys, skip="organization")
    resources = remote.get("resources") if isinstance(remote.get("resources"), list) else []
    licence = common.licence_id(remote.get("license_id"), remote.get("license_title"),
                                *(r.get("resource_license_id") for r in resources
                                  if isinstance(r, dict)))
    if licence is None and config.open_licences_only:
        return Mapped(guid, page, {}, keys, skip="licence")
    tags = common.tag_names(remote.get("tags") or [])
    groups = remote.get("groups") if isinstance(remote.get("groups"), list) else []
    group_keys = [_text(g.get(k)) for g in groups if isinstance(g, dict) for k in ("name", "title")]
    extras = _extras(remote)
    title = _text(remote.get("title")) or _text(remote.get("name")) or guid
    name = _text(remote.get("name"))
    standard = common.standard_dataset(name=name, title=title, tags=tags,
                                       hint=_text(remote.get("standard_dataset")))
    package: dict[str, Any] = {
        "name": common.dataset_name(name if not name.isdigit() else "", title, f"dataset-{guid}"),
        "title": title[:500],
        "notes": _text(remote.get("notes")),
        "tag_string": ",".join(tags),
        "license_id": licence or "cc-by-4.0",
        "standard_dataset": standard,
        "resources": [r for r in (_resource(res, endpoint.base) for res in resources
                                  if isinstance(res, dict)) if r is not None],
    }
    if (title_en := _text(remote.get("title_en"))):
        package["title_en"] = title_en
    if (notes_en := _text(remote.get("notes_en"))):
        package["notes_en"] = notes_en
    found = common.category(group_keys + [_text(remote.get("category")), extras.get("分類", "")],
                            config.categories)
    if found:
        package["category"] = found
    if (source := _http(remote.get("url"), endpoint.base)):
        package["url"] = source
    if (contact := _text(remote.get("maintainer") or remote.get("author"))):
        package["contact_name"] = contact[:200]
    return Mapped(guid, page, package, keys)
