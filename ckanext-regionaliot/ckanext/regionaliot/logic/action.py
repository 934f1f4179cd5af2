"""Actions of the core plugin: as-you-type search suggestions."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args

from ckanext.regionaliot import search
from ckanext.regionaliot.lib.i18n import current_lang

__all__ = ["regionaliot_search_suggest"]

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
