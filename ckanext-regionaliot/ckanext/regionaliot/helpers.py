"""Template helpers of the core plugin (registered by name via ``tk.blanket.helpers``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from markupsafe import Markup

from . import home, jsonld, pages

__all__ = [
    # issue 7: organization, group, dataset and resource pages
    "dataset_display_name",
    "get_translated",
    "regionaliot_category_order",
    "regionaliot_choice_label",
    "regionaliot_dataset_validation",
    "regionaliot_display_title",
    "regionaliot_emblem",
    "regionaliot_facet_label",
    "regionaliot_group_extra",
    "regionaliot_has_value",
    "regionaliot_license_label",
    "regionaliot_member_order",
    "regionaliot_members_geojson_url",
    "regionaliot_activity_type_label",
    "regionaliot_resource_downloads",
    "regionaliot_resource_items",
    "regionaliot_standard_coverage",
    "regionaliot_structured_data",
    "render_datetime",
]

# Formats the validation engine reads (its corrected copy is a UTF-8 CSV).
_TABULAR = {"CSV", "TSV", "TXT", "XLSX", "XLS"}


@tk.chained_helper
def get_translated(next_helper: Callable[..., Any], data_dict: dict[str, Any], field: str) -> Any:
    """CKAN's get_translated, plus our ``<field>_en`` fields on English pages."""
    return pages.translated(data_dict, field) or next_helper(data_dict, field)


@tk.chained_helper
def dataset_display_name(next_helper: Callable[..., Any], package: Any) -> str:
    if isinstance(package, dict):
        return pages.translated(package, "title") or next_helper(package)
    return next_helper(package)


def regionaliot_structured_data(dataset_dict: dict[str, Any]) -> str:
    """ckanext-dcat's h.structured_data, kept and made cheaper (jsonld.py);
    templates/package/read_base.html calls it only where the structured_data plugin draws
    its block."""
    return jsonld.dataset_jsonld(dataset_dict)


@tk.chained_helper
def render_datetime(next_helper: Callable[..., Any], datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """CKAN's render_datetime; a date with hours reads naturally in Japanese and names the
    zone (ckan.display_timezone, JST)."""
    if with_hours and not with_seconds and not date_format:
        text = pages.datetime_text(datetime_)
        if text:
            return text
    return next_helper(datetime_, date_format=date_format, with_hours=with_hours,
                       with_seconds=with_seconds)


def regionaliot_activity_type_label(kind: str) -> str:
    return pages.activity_type_label(kind)


def regionaliot_resource_items(res: dict[str, Any], schema: dict[str, Any] | None = None
                               ) -> list[tuple[str, str]]:
    return pages.resource_items(res, (schema or {}).get("resource_fields"))


def regionaliot_display_title(data: dict[str, Any]) -> str:
    return pages.display_title(data)


def regionaliot_choice_label(field_name: str, value: Any, dataset_type: str = "dataset") -> str:
    return pages.choice_label(field_name, value, dataset_type)


def regionaliot_category_order(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return pages.category_order(groups)


def regionaliot_member_order(orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return pages.member_order(orgs)


def regionaliot_license_label(license_id: str | None, fallback: str | None = None) -> str:
    return pages.license_label(license_id, fallback)


def regionaliot_has_value(value: Any) -> bool:
    return pages.has_value(value)


def regionaliot_standard_coverage(org: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return pages.standard_coverage(org)


def regionaliot_members_geojson_url() -> str | None:
    return pages.members_geojson_url()


def regionaliot_emblem(org: dict[str, Any], size: int = 56) -> Markup:
    return pages.emblem(org, size)


def regionaliot_facet_label(item: dict[str, Any]) -> str:
    """A facet item's whole label (passed as facet_list.html's label_function)."""
    return item.get("display_name") or item.get("name") or ""


def regionaliot_group_extra(data: dict[str, Any], key: str) -> str:
    return pages.group_extra(data, key)


def _validations(pkg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The validation plugin's records of a dataset's files, read once per request and
    dataset in one query (the labels and each file's download buttons all need them)."""
    if not p.plugin_loaded("regionaliot_validation"):
        return {}
    cache = tk.g.setdefault("regionaliot_validations", {})
    key = (pkg.get("id"), tuple(r.get("id") for r in pkg.get("resources") or []))
    if key not in cache:
        cache[key] = tk.h.regionaliot_package_validations(pkg)
    return cache[key]


def regionaliot_dataset_validation(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The worst validation among the dataset's files, with the resource it belongs to
    (None without the validation plugin or without validated files)."""
    validations = _validations(pkg)
    found = [dict(validations[res["id"]], resource=res) for res in pkg.get("resources", [])
             if res.get("id") in validations]
    return pages.dataset_validation(found)


def regionaliot_resource_downloads(pkg: dict[str, Any], res: dict[str, Any]) -> dict[str, Any]:
    """Download links of a file: the original, and a UTF-8 CSV. Its editors get the
    validator's corrected copy (validation plugin); everyone gets the DataStore's UTF-8 CSV
    when the file was loaded into it."""
    links: dict[str, Any] = {"original": res.get("url") or None, "normalized": None,
                             "normalized_kind": None}
    fmt = (res.get("format") or "").upper()
    if fmt not in _TABULAR and not res.get("datastore_active"):
        return links
    validation = _validations(pkg).get(res["id"])
    if validation and validation.get("status") in ("success", "failure"):
        # An anonymous reader never edits: no auth check (a few queries) per file.
        allowed = False
        if tk.current_user.is_authenticated:
            try:
                allowed = tk.check_access("resource_validation_run", {}, {"id": res["id"]})
            except tk.NotAuthorized:
                allowed = False
        if allowed:
            links["normalized"] = tk.h.url_for("regionaliot_validation.normalized",
                                               id=pkg["name"], resource_id=res["id"])
            links["normalized_kind"] = "corrected"
            return links
    if res.get("datastore_active") and p.plugin_loaded("datastore"):
        links["normalized"] = tk.h.url_for("datastore.dump", resource_id=res["id"],
                                           format="csv", bom="True")
        links["normalized_kind"] = "datastore"
    return links


# ----------------------------------------------------------------- issue 7: home page and site frame
__all__ += [
    "regionaliot_basin_members",
    "regionaliot_categories",
    "regionaliot_count_parts",
    "regionaliot_error_detail",
    "regionaliot_error_status",
    "regionaliot_example_queries",
    "regionaliot_lang_links",
    "regionaliot_latest_datasets",
    "regionaliot_nav_tabs",
    "regionaliot_organizations",
    "regionaliot_popular_datasets",
    "regionaliot_site_title",
]


def regionaliot_site_title() -> str:
    return home.site_title()


def regionaliot_example_queries() -> list[str]:
    return home.example_queries()


def regionaliot_nav_tabs() -> list[tuple[Any, ...]]:
    """The header's tabs, features' included (see lib/interfaces.INavigation)."""
    return home.nav_tabs()


def regionaliot_lang_links() -> list[dict[str, Any]]:
    return home.lang_links()


def regionaliot_categories(search_facets: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return home.categories(search_facets)


def regionaliot_basin_members(search_facets: dict[str, Any] | None = None) -> dict[str, Any]:
    return home.basin_members(search_facets)


def regionaliot_latest_datasets() -> list[dict[str, Any]]:
    return home.latest_datasets()


def regionaliot_popular_datasets() -> dict[str, Any]:
    return home.popular_datasets()


def regionaliot_error_status(code: Any) -> int:
    return home.error_status(code)


def regionaliot_count_parts(count: int) -> dict[str, str]:
    return home.count_parts(count)


def regionaliot_organizations() -> list[dict[str, Any]]:
    return home.organizations()


def regionaliot_error_detail(code: Any, content: Any) -> str:
    return home.error_detail(code, content)
