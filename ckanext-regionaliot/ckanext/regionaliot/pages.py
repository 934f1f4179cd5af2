"""What the organization, group, dataset and resource pages show (issue 7): titles in the
reader's language, human labels of coded values, an organization's standard datasets,
the members' outlines and the download links. Template helpers (helpers.py) and the search
facets (plugin.py, after_dataset_search) call these.

English pages show the stored English fields (``title_en``, ``notes_en``) and fall back to
the Japanese ones: the scheming schemas keep one ``<field>_en`` text field beside each
Japanese one (ckanext-fluent, the usual multilingual companion of scheming, does not load
on CKAN 2.11).
"""
from __future__ import annotations

import datetime
import json
import logging
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask_babel import format_date, format_time
from markupsafe import Markup, escape

from ckanext.regionaliot.lib.i18n import current_lang

log = logging.getLogger(__name__)

# Group and organization fields the lists need but CKAN's group_list leaves out.
GROUP_EXTRAS = ("title_en", "title_kana", "lg_code", "description_en")
# Fields whose English twin is "<field>_en".
TRANSLATED_FIELDS = ("title", "notes", "description")
# Schema fields whose coded values the pages and facets show as labels.
LABELLED_DATASET_FIELDS = ("standard_dataset", "category", "frequency")
# The standard dataset value meaning "not a standard dataset".
NOT_STANDARD = "none"
# Worst first: the dataset's badge shows its worst file.
_STATUS_RANK = {"failure": 0, "error": 1, "running": 2, "pending": 2, "success": 3}
# English titles of the licences of schemas/ckan/licenses.json (their titles there are
# Japanese): gettext msgids, so the ja catalogue gives back the Japanese titles.
_LICENSE_TITLES = {
    "cc-by-4.0": lambda: tk._("Creative Commons Attribution 4.0 International (CC BY 4.0)"),
    "pdl-1.0": lambda: tk._("Public Data License 1.0 (PDL1.0)"),
    "cc0-1.0": lambda: tk._("Creative Commons CC0 1.0 Universal (CC0)"),
    "gsl-2.0": lambda: tk._("Government of Japan Standard Terms of Use 2.0"),
    "cc-by-2.1-jp": lambda: tk._("Creative Commons Attribution 2.1 Japan (CC BY 2.1 JP)"),
}


# ----------------------------------------------------------------- language

def is_default_lang(lang: str | None = None) -> bool:
    return (lang or current_lang()) == (tk.config.get("ckan.locale_default") or "en")


def _group_extras() -> dict[str, dict[str, str]]:
    """English title, kana and code of every group and organization by name: one query
    per request (lists and facets carry no extras)."""
    try:
        cached = getattr(tk.g, "regionaliot_group_extras", None)
    except RuntimeError:
        cached = None
    if cached is not None:
        return cached
    rows = (model.Session.query(model.Group.name, model.GroupExtra.key, model.GroupExtra.value)
            .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
            .filter(model.GroupExtra.key.in_(GROUP_EXTRAS),
                    model.GroupExtra.state == "active",
                    model.Group.state == "active")
            .all())
    extras: dict[str, dict[str, str]] = {}
    for name, key, value in rows:
        if value and value.strip():
            extras.setdefault(name, {})[key] = value.strip()
    try:
        tk.g.regionaliot_group_extras = extras
    except RuntimeError:
        pass
    return extras


def group_extra(data: dict[str, Any] | None, key: str) -> str:
    """A group's or organization's own field, looked up by name when the dict lacks it."""
    if not data:
        return ""
    value = data.get(key)
    if value is None and data.get("name"):
        value = _group_extras().get(data["name"], {}).get(key)
    return value or ""


def _group_titles_en() -> dict[str, str]:
    return {name: v["title_en"] for name, v in _group_extras().items() if "title_en" in v}


def translated(data: dict[str, Any] | None, field: str, lang: str | None = None) -> str | None:
    """The stored text of ``field`` in the page's language when it is not the default
    one (``<field>_<lang>``, or a group's English title looked up by name), else None:
    the caller falls back to the Japanese field."""
    if not data or field not in TRANSLATED_FIELDS:
        return None
    lang = lang or current_lang()
    if is_default_lang(lang):
        return None
    value = data.get(f"{field}_{lang}")
    if isinstance(value, str) and value.strip():
        return value
    # A dataset's embedded organization dict, search facets and the organization list
    # (organization_list) carry no extras: the English title or description by name.
    if field in ("title", "description") and lang == "en" and value is None and data.get("name") and (
            data.get("is_organization") is not None or data.get("type") in ("organization", "group")):
        return _group_extras().get(data["name"], {}).get(f"{field}_en")
    return None


def display_title(data: dict[str, Any] | None) -> str:
    """A dataset's, organization's or group's title in the page's language."""
    if not data:
        return ""
    return translated(data, "title") or data.get("title") or data.get("display_name") or data.get("name") or ""


def label_group_facet_items(items: list[dict[str, Any]]) -> None:
    """Organizations and groups in the facets under their English titles on English pages."""
    if is_default_lang() or current_lang() != "en":
        return
    titles = _group_titles_en()
    for item in items:
        title = titles.get(item.get("name"))
        if title:
            item["display_name"] = title


# ----------------------------------------------------------------- labels

def _dataset_field(field_name: str, dataset_type: str = "dataset") -> dict[str, Any] | None:
    schema = tk.h.scheming_get_dataset_schema(dataset_type)
    if not schema:
        return None
    return tk.h.scheming_field_by_name(schema.get("dataset_fields", []), field_name)


def choice_label(field_name: str, value: Any, dataset_type: str = "dataset") -> str:
    """The scheming label of a coded dataset value in the page's language (the value itself
    when the schema does not know it)."""
    if value in (None, ""):
        return ""
    field = _dataset_field(field_name, dataset_type)
    choices = tk.h.scheming_field_choices(field) if field else None
    if not choices:
        return str(value)
    return tk.h.scheming_choices_label(choices, value)


def license_label(license_id: str | None, fallback: str | None = None) -> str:
    if not license_id:
        return ""
    title = _LICENSE_TITLES.get(license_id)
    if title:
        return title()
    if fallback:
        return fallback
    register = model.Package.get_license_register()
    lic = register.get(license_id)
    return lic.title if lic else license_id


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """Human labels for coded facet values (standard dataset, licence) and English titles
    of organizations and groups on English pages (after_dataset_search)."""
    facets = search_results.get("search_facets") or {}
    if not facets:
        return search_results
    try:
        for name in LABELLED_DATASET_FIELDS:
            for item in (facets.get(name) or {}).get("items", []):
                item["display_name"] = choice_label(name, item["name"])
        for item in (facets.get("license_id") or {}).get("items", []):
            item["display_name"] = license_label(item["name"], item.get("display_name"))
        for name in ("organization", "groups"):
            label_group_facet_items((facets.get(name) or {}).get("items", []))
    except RuntimeError:
        # No request (a job or the CLI searching): labels are for pages only.
        log.debug("facet labels skipped outside a request")
    return search_results


def category_order(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Groups in the order of the 17 categories of the standard open-data list (the
    category field's choices); other groups after them, as they came."""
    field = _dataset_field("category")
    order = {c["value"]: i for i, c in enumerate(tk.h.scheming_field_choices(field) or [])}
    return sorted(groups, key=lambda g: order.get(g.get("name"), len(order)))


def member_order(orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Organizations by 全国地方公共団体コード (the official order of the members), bodies
    without a code (the consortium) after them."""
    return sorted(orgs, key=lambda o: group_extra(o, "lg_code") or "999999")


def facet_titles(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """Titles of our facets (CKAN shows the field name of a facet it does not know)."""
    titles = {
        "groups": tk._("Categories"),
        "organization": tk._("Publishers"),
        "standard_dataset": tk._("Standard dataset"),
        "license_id": tk._("Licences"),
        "res_format": tk._("Formats"),
    }
    for key, title in titles.items():
        if key in facets_dict:
            facets_dict[key] = title
    return facets_dict


# ----------------------------------------------------------------- organizations

def standard_coverage(org: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Which standard datasets the organization publishes (with counts), and which of the
    standard list it does not yet, in the schema's order."""
    field = _dataset_field("standard_dataset")
    choices = [c for c in (tk.h.scheming_field_choices(field) or []) if c["value"] != NOT_STANDARD]
    result = tk.get_action("package_search")({}, {
        "fq": f'owner_org:"{org["id"]}"',
        "rows": 0,
        "facet.field": ["standard_dataset"],
        "facet.limit": -1,
        "include_private": True,
    })
    counts = {item["name"]: item["count"] for item in
              result.get("search_facets", {}).get("standard_dataset", {}).get("items", [])}
    published, missing = [], []
    for choice in choices:
        entry = {"value": choice["value"],
                 "label": tk.h.scheming_language_text(choice["label"]),
                 "count": counts.get(choice["value"], 0)}
        (published if entry["count"] else missing).append(entry)
    return {"published": published, "missing": missing}


def _members_geojson() -> Path | None:
    """The members' boundaries shipped in the extension's public/ (theme of issue 7)."""
    public = Path(__file__).parent / "public"
    found = sorted(public.glob("**/members.geojson")) if public.is_dir() else []
    return found[0] if found else None


def members_geojson_url() -> str | None:
    path = _members_geojson()
    if not path:
        return None
    return tk.h.url_for_static("/" + path.relative_to(Path(__file__).parent / "public").as_posix())


@lru_cache(maxsize=1)
def _outlines() -> dict[str, list[list[tuple[float, float]]]]:
    path = _members_geojson()
    if not path:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("members.geojson unreadable: %s", path)
        return {}
    outlines = {}
    for feature in data.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        outlines[str(feature.get("properties", {}).get("code"))] = [p[0] for p in polygons if p]
    return outlines


def outline_svg(lg_code: str | None, size: int = 56) -> Markup:
    """A small SVG of the municipality's outline (the organization's emblem in lists):
    outer rings only, projected with the cosine of the latitude, islands under 2% of the
    largest part left out. Empty when the code has no shape (the consortium)."""
    rings = _outlines().get(str(lg_code or ""))
    if not rings:
        return Markup("")
    points = [pt for ring in rings for pt in ring]
    lat0 = sum(pt[1] for pt in points) / len(points)
    kx = math.cos(math.radians(lat0))
    xs = [pt[0] * kx for pt in points]
    ys = [pt[1] for pt in points]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    scale = (size - 4) / max(maxx - minx, maxy - miny)
    offx = (size - (maxx - minx) * scale) / 2
    offy = (size - (maxy - miny) * scale) / 2

    def area(ring):
        return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))) / 2

    biggest = max(area(r) for r in rings)
    parts = []
    for ring in rings:
        if area(ring) < biggest * 0.02:
            continue
        seen, path = None, []
        for lon, lat in ring:
            pt = (round(offx + (lon * kx - minx) * scale, 1), round(offy + (maxy - lat) * scale, 1))
            if pt != seen:
                path.append(f"{pt[0]} {pt[1]}")
                seen = pt
        parts.append("M" + "L".join(path) + "Z")
    return Markup(
        f'<svg class="regionaliot-outline" viewBox="0 0 {size} {size}" width="{size}" '
        f'height="{size}" aria-hidden="true" focusable="false"><path d="{"".join(parts)}"/></svg>')


def emblem(org: dict[str, Any], size: int = 56) -> Markup:
    """The organization's image, else its outline, else its first character: never
    CKAN's grey placeholder."""
    if org.get("image_display_url"):
        return Markup(f'<img src="{escape(org["image_display_url"])}" alt="" '
                      f'class="regionaliot-emblem-img" width="{size}" height="{size}">')
    svg = outline_svg(group_extra(org, "lg_code"), size)
    if svg:
        return svg
    initial = (org.get("title") or org.get("name") or "?")[:1]
    return Markup(f'<span class="regionaliot-emblem-initial" aria-hidden="true">{escape(initial)}</span>')


# ----------------------------------------------------------------- datasets

def dataset_validation(validations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The worst of the files' validations: what the dataset's badge shows."""
    known = [v for v in validations if v and v.get("status") in _STATUS_RANK]
    if not known:
        return None
    return min(known, key=lambda v: (_STATUS_RANK[v["status"]], -(v.get("warning_count") or 0)))


def has_value(value: Any) -> bool:
    """Whether a metadata row has something to show (no empty rows)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict | tuple):
        return bool(value)
    return True


def local_datetime(value: Any) -> datetime.datetime | None:
    """A stored time (CKAN keeps naive UTC, or an ISO string) in ckan.display_timezone."""
    if isinstance(value, str):
        try:
            value = tk.h.date_str_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if not isinstance(value, datetime.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(tk.h.get_display_timezone())


def datetime_text(value: Any) -> str | None:
    """Date and time in the portal's zone, named: 「2026年12月1日 1:30 (JST)」,
    "December 1, 2026 1:30 AM (JST)" (CKAN's own pattern gives 「12月 1, 2026, 01:30」)."""
    local = local_datetime(value)
    if local is None:
        return None
    return f"{format_date(local, 'long')} {format_time(local, 'short')} ({local.tzname()})"


def activity_type_label(kind: str) -> str:
    """An activity type (the activity plugin's raw "new package") as readers call it."""
    labels = {
        "new package": tk._("New dataset"), "changed package": tk._("Changed dataset"),
        "deleted package": tk._("Deleted dataset"), "follow dataset": tk._("Followed dataset"),
        "new resource view": tk._("New view"), "changed resource view": tk._("Changed view"),
        "deleted resource view": tk._("Deleted view"),
        "new group": tk._("New category"), "changed group": tk._("Changed category"),
        "deleted group": tk._("Deleted category"), "follow group": tk._("Followed category"),
        "new organization": tk._("New organization"),
        "changed organization": tk._("Changed organization"),
        "deleted organization": tk._("Deleted organization"),
        "follow organization": tk._("Followed organization"),
        "new user": tk._("New user"), "changed user": tk._("Changed user"),
        "follow user": tk._("Followed user"),
    }
    return labels.get(kind) or kind


# Resource fields for CKAN's own bookkeeping, or shown elsewhere on the page: no row.
_HIDDEN_RESOURCE_FIELDS = {
    "id", "package_id", "position", "state", "url_type", "has_views", "cache_url",
    "cache_last_updated", "resource_type", "tracking_summary", "mimetype_inner",
    "datastore_contains_all_records_of_source_file", "created", "metadata_modified",
    "last_modified", "format", "name", "description", "url",
}


def resource_items(res: dict[str, Any], schema_fields: list[dict[str, Any]] | None = None
                   ) -> list[tuple[str, str]]:
    """The resource page's remaining rows (CKAN shows every raw key, "Datastore active:
    True"): known fields labelled and their values translated, CKAN's bookkeeping and
    the schema's fields (shown above) left out, empty values skipped. Keys the publisher
    added are shown as stored."""
    labels = {
        "datastore_active": tk._("Data API (DataStore)"), "encoding": tk._("Encoding"),
        "mimetype": tk._("Media type"), "size": tk._("File size"),
        "standard_schema": tk._("Standard schema"), "hash": tk._("Checksum"),
    }
    hidden = _HIDDEN_RESOURCE_FIELDS | {f["field_name"] for f in schema_fields or []}
    rows = []
    for key in sorted(res):
        value = res[key]
        if key in hidden or not has_value(value):
            continue
        if isinstance(value, bool):
            shown = tk._("Yes") if value else tk._("No")
        else:
            formatted = tk.h.format_resource_items([(key, value)])
            if not formatted:
                continue
            shown = formatted[0][1]
        rows.append((labels.get(key, key), shown))
    return rows
