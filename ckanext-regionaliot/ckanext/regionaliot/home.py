"""What the home page and the site frame show (issue 7): the 17 categories, the members
with their map, the newest and most-viewed datasets, the language switch.

The home page's numbers come from the dataset search CKAN's own home view already runs
(its facets ``groups`` and ``organization``, ``search.facets.limit`` values each): the tiles
and the member list add no query of their own for counts. Two small sorted searches (five
rows, no facets) fill the newest and most-viewed lists; the members are two indexed
SQL reads; the two lists are kept for a minute (ckanext.regionaliot.home.cache_seconds),
the counts never, so a new dataset is counted at once.
"""
from __future__ import annotations

import functools
import json
import threading
import time
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.exceptions import default_exceptions

from ckanext.regionaliot import seed
from ckanext.regionaliot.lib.config import get_int
from ckanext.regionaliot.lib.i18n import current_lang
from ckanext.regionaliot.lib.interfaces import INavigation, NavTab

# Where the boundaries are served from (public/regionaliot/, see its README.md).
MEMBERS_GEOJSON = "/regionaliot/geo/members.geojson"
# The consortium's outline: the union of the members' shapes (same source and licence).
BASIN_GEOJSON = "/regionaliot/geo/basin.geojson"
LIST_ROWS = 5
# Organization fields (scheming, stored as group extras) the member list shows.
_MEMBER_EXTRAS = ("lg_code", "title_en", "title_kana", "body_type")


def site_title() -> str:
    """The portal's name in the reader's language (ja: the ini's ckan.site_title)."""
    if current_lang() == "ja":
        return tk.config.get("ckan.site_title") or tk._("Takahashi River Basin Open Data")
    return tk._("Takahashi River Basin Open Data")


def title(obj: dict[str, Any]) -> str:
    """An object's title in the reader's language: title_en on English pages if stored."""
    if current_lang() == "en" and obj.get("title_en"):
        return obj["title_en"]
    return obj.get("title") or obj.get("display_name") or obj.get("name") or ""


def nav_tabs() -> list[NavTab]:
    """The header's tabs: the core ones, each loaded feature's (lib/interfaces.INavigation,
    in ckan.plugins order), then the about page; arguments of CKAN's h.build_nav_main."""
    tabs: list[NavTab] = [
        ("dataset.search", tk._("Datasets"), ["dataset", "resource"]),
        ("organization.index", tk._("Municipalities"), ["organization"]),
        ("group.index", tk._("Categories"), ["group"]),
    ]
    for plugin in p.PluginImplementations(INavigation):
        tabs.extend(tuple(tab) for tab in plugin.navigation_tabs())
    tabs.append(("home.about", tk._("About this portal")))
    return tabs


def example_queries() -> list[str]:
    """Example searches offered under the home page's search box."""
    return [tk._("toilet"), tk._("evacuation"), tk._("AED"), tk._("population")]


def lang_links() -> list[dict[str, Any]]:
    """This page in each offered language, for the header's language switch."""
    current = current_lang()
    names = {"ja": "日本語", "en": "English"}
    out = []
    for locale in tk.aslist(tk.config.get("ckan.locales_offered")) or ["ja", "en"]:
        if locale not in names:
            continue
        out.append({
            "lang": locale,
            "label": names[locale],
            "url": tk.h.url_for(tk.h.current_url(), locale=locale),
            "current": locale == current,
        })
    return out


@functools.lru_cache(maxsize=1)
def _official_categories() -> tuple[dict[str, str], ...]:
    # The 17 分類 in the order of the standard オープンデータ一覧 (the preset's order).
    return tuple(seed.categories())


def _facet_counts(search_facets: dict[str, Any] | None, field: str) -> dict[str, int] | None:
    facet = (search_facets or {}).get(field)
    if facet is None:
        return None
    return {item["name"]: int(item["count"]) for item in facet.get("items", [])}


def _search(**params: Any) -> dict[str, Any]:
    try:
        return tk.get_action("package_search")({}, params)
    except tk.ValidationError:
        # A Solr refusal (a sort field the core lacks) must not break the home page.
        return {"count": 0, "results": [], "search_facets": {}}


def _counts(search_facets: dict[str, Any] | None, field: str) -> dict[str, int]:
    counts = _facet_counts(search_facets, field)
    if counts is None:
        # The home view's search lacks this facet (search.facets changed): ask once.
        result = _search(q="*:*", rows=0, **{"facet.field": json.dumps([field]),
                                             "facet.limit": -1})
        counts = _facet_counts(result.get("search_facets"), field) or {}
    return counts


def categories(search_facets: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The 17 分類 in official order with the number of public datasets in each."""
    counts = _counts(search_facets, "groups")
    lang = current_lang()
    return [{
        "name": c["name"],
        "label": c["title_en"] if lang == "en" else c["title"],
        "count": counts.get(c["name"], 0),
        "url": tk.h.url_for("dataset.search", groups=c["name"]),
    } for c in _official_categories()]


def _member_sort_key(member: dict[str, Any]) -> tuple:
    # Municipalities by their code (倉敷市 332020 first), then the consortium, then others.
    kind = {"municipality": 0, "consortium": 1}.get(member["body_type"], 2)
    return (0 if member["code"] else 1, kind, member["code"], member["title"])


def _organizations() -> list[dict[str, Any]]:
    """Every active organization with the fields the home page shows (two indexed reads,
    once per request)."""
    try:
        cached = getattr(tk.g, "regionaliot_home_orgs", None)
    except RuntimeError:
        cached = None
    if cached is not None:
        return cached
    orgs = (model.Session.query(model.Group.id, model.Group.name, model.Group.title)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .all())
    extras: dict[str, dict[str, str]] = {}
    if orgs:
        rows = (model.Session.query(model.GroupExtra.group_id, model.GroupExtra.key,
                                    model.GroupExtra.value)
                .filter(model.GroupExtra.group_id.in_([o.id for o in orgs]),
                        model.GroupExtra.key.in_(_MEMBER_EXTRAS),
                        model.GroupExtra.state == "active"))
        for group_id, key, value in rows:
            extras.setdefault(group_id, {})[key] = value or ""
    result = []
    for org in orgs:
        ex = extras.get(org.id, {})
        member = {
            "name": org.name,
            "title": org.title or org.name,
            "title_en": ex.get("title_en", ""),
            "code": ex.get("lg_code", ""),
            "body_type": ex.get("body_type") or "municipality",
        }
        member["label"] = title(member)
        result.append(member)
    result.sort(key=_member_sort_key)
    try:
        tk.g.regionaliot_home_orgs = result
    except RuntimeError:
        pass
    return result


def organizations() -> list[dict[str, Any]]:
    """The members and the consortium with their pages, without counts (about page)."""
    return [dict(org, url=tk.h.url_for("organization.read", id=org["name"]))
            for org in _organizations()]


def basin_members(search_facets: dict[str, Any] | None = None) -> dict[str, Any]:
    """The organizations (members and consortium) with their codes and dataset counts.

    ``members``: list for the template; ``map``: what the map script needs (the
    GeoJSON's address and, by 6-digit code, each member's page, name and count).
    """
    counts = _counts(search_facets, "organization")
    members = [dict(org, count=counts.get(org["name"], 0),
                    url=tk.h.url_for("organization.read", id=org["name"]))
               for org in _organizations()]
    shapes = {m["code"]: {"url": m["url"], "label": m["label"], "count": m["count"]}
              for m in members if m["code"]}
    return {
        "members": members,
        "map": json.dumps({"geojson": tk.h.url_for_static(MEMBERS_GEOJSON),
                           "basin": tk.h.url_for_static(BASIN_GEOJSON),
                           "members": shapes}, ensure_ascii=False),
    }


# Only what the short lists show: Solr's stored fields, no dataset dicts to rebuild.
_LIST_FIELDS = "name,title,extras_title_en,organization,metadata_created,metadata_modified"


_cache: dict[tuple, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _cached(key: tuple, compute):
    """``compute()``, kept for ckanext.regionaliot.home.cache_seconds in this process."""
    ttl = get_int("ckanext.regionaliot.home.cache_seconds")
    now = time.monotonic()
    if ttl > 0:
        with _cache_lock:
            hit = _cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
    value = compute()
    if ttl > 0:
        with _cache_lock:
            _cache[key] = (now + ttl, value)
    return value


def _dataset_list(sort: str, fq: str = "") -> list[dict[str, Any]]:
    return _cached(("datasets", sort, fq, current_lang()),
                   lambda: _fetch_dataset_list(sort, fq))


def _fetch_dataset_list(sort: str, fq: str = "") -> list[dict[str, Any]]:
    labels = {org["name"]: org["label"] for org in _organizations()}
    results = _search(q="*:*", fq=fq, rows=LIST_ROWS, sort=sort, fl=_LIST_FIELDS)["results"]
    return [{
        "name": r["name"],
        "title": title(r),
        "organization": labels.get(r.get("organization") or "", ""),
        "metadata_created": r.get("metadata_created"),
        "metadata_modified": r.get("metadata_modified"),
    } for r in results]


def latest_datasets() -> list[dict[str, Any]]:
    """The newest public datasets (first published)."""
    return _dataset_list("metadata_created desc")


def popular_datasets() -> dict[str, Any]:
    """The most-viewed datasets of the last 14 days (CKAN's tracking plugin: views_recent,
    indexed by ``ckan tracking update``, README), else the latest updated ones, with a
    heading that says which: a list without views is never called most viewed."""
    if tk.h.plugin_loaded("tracking"):
        # Only datasets with views: an unviewed one ranked by date would be no "most viewed".
        viewed = _dataset_list("views_recent desc, metadata_modified desc",
                               fq="views_recent:[1 TO *]")
        if viewed:
            return {"heading": tk._("Most viewed"), "kind": "views", "results": viewed}
    return {"heading": tk._("Recently updated"), "kind": "updated",
            "results": _dataset_list("metadata_modified desc")}


def error_status(code: Any) -> int:
    """The HTTP status of an error page: CKAN passes a number, or [500] for a crash."""
    if isinstance(code, list | tuple):
        code = code[0] if code else 500
    try:
        return int(code)
    except (TypeError, ValueError):
        return 500


def count_parts(count: int) -> dict[str, str]:
    """「12件」 / "12 datasets" split around the number, so the page can mark the number up
    (span.regionaliot-count) without putting markup in the catalogue."""
    text = tk.ungettext("%(num)s dataset", "%(num)s datasets", count)  # gettext fills num
    before, _sep, after = text.partition(str(count))
    return {"before": before, "number": f"{count:,}", "after": after}


def error_detail(code: Any, content: Any) -> str:
    """The reason to show under an error's heading: CKAN's own message ("Dataset not
    found", translated), not werkzeug's generic English sentence for the status."""
    text = str(content or "").strip()
    generic = getattr(default_exceptions.get(error_status(code)), "description", None)
    return "" if not text or text == generic else text
