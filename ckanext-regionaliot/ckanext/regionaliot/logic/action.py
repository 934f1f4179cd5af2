"""Actions of the core plugin: as-you-type search suggestions; /dcat.json completed from our schema."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from dateutil.parser import parse as parse_date

from ckanext.dcat.converters import ckan_to_dcat
from ckanext.regionaliot import dcat, search
from ckanext.regionaliot.lib.i18n import current_lang

__all__ = ["regionaliot_search_suggest", "dcat_datasets_list"]

_ = tk._

DEFAULT_LIMIT = 8
MAX_LIMIT = 20


@validator_args
def _suggest_schema(not_empty, ignore_missing, unicode_safe, int_validator):
    return {"q": [not_empty, unicode_safe],
            "limit": [ignore_missing, int_validator]}


@tk.side_effect_free
@tk.auth_allow_anonymous_access
def regionaliot_search_suggest(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Suggestions for a search box, as the visitor types (Solr's suggester).

    :param q: what has been typed so far, in kanji, kana or Latin letters (避難, ひな)
    :param limit: how many titles at most (default 8, at most 20)
    :returns: ``titles``: [{title, name}] of public datasets whose title has a word
        starting with the typed text, or read so (ひな → 指定緊急避難場所一覧);
        ``categories``: [{name, label}] of the 17 categories whose label contains it.
    """
    data, errors = tk.navl_validate(data_dict, _suggest_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    # Suggestions are a search: whoever may search datasets may ask for them.
    tk.check_access("package_search", context, {})
    text = search.normalise(data["q"])
    if len(text) > search.MAX_QUERY_CHARS:
        raise tk.ValidationError(
            {"q": [_("At most {max} characters.").format(max=search.MAX_QUERY_CHARS)]})
    limit = data.get("limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise tk.ValidationError(
            {"limit": [_("Must be between 1 and {max}.").format(max=MAX_LIMIT)]})
    if not text:
        return {"titles": [], "categories": []}
    return {
        "titles": search.suggest_titles(text, limit),
        "categories": search.suggest_categories(text, current_lang(), limit),
    }


# ckanext-dcat's /dcat.json (dcat_json_interface) converts with ckan_to_dcat, which reads
# publisher, creator and landing page from extras we do not have. Same search as dcat's
# action (ckanext-dcat 2.4.4 logic.py: rows, page, q, fq, modified_since, sort), each item
# completed from our schema. The stock action is not called: its datasets are not returned
# with it, and searching twice would double the cost.
@tk.chained_action
@tk.side_effect_free
def dcat_datasets_list(up_func, context: Any, data_dict: dict[str, Any]) -> list[dict]:
    tk.check_access("dcat_datasets_list", context, data_dict)
    rows = tk.config.get("ckanext.dcat.datasets_per_page") or 100
    try:
        rows, page = int(rows), int(data_dict.get("page") or 1)
    except (TypeError, ValueError):
        raise tk.ValidationError({"page": [_("Page must be a positive whole number.")]}) from None
    if page < 1:
        raise tk.ValidationError({"page": [_("Page must be a positive whole number.")]})
    fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
    if data_dict.get("modified_since"):
        try:
            since = parse_date(str(data_dict["modified_since"])).isoformat() + "Z"
        except (ValueError, OverflowError):
            raise tk.ValidationError({"modified_since": [
                _("Wrong modified date format. Use ISO-8601 format")]}) from None
        fq_list.append(f"metadata_modified:[{since} TO NOW]")
    found = tk.get_action("package_search")(context, {
        "q": data_dict.get("q") or "*:*", "fq": data_dict.get("fq"), "fq_list": fq_list,
        "rows": rows, "start": rows * (page - 1), "sort": "metadata_modified desc"})
    organizations: dict[str, Any] = {}
    items = []
    for dataset in found["results"]:
        owner = dataset.get("owner_org")
        if owner and owner not in organizations:
            try:
                organizations[owner] = tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": owner, "include_datasets": False,
                                            "include_users": False})
            except tk.ObjectNotFound:
                organizations[owner] = None
        items.append(dcat.json_item(ckan_to_dcat(dataset), dataset,
                                    organizations.get(owner) if owner else None))
    return items

