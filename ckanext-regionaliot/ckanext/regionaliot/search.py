"""Japanese search: which Solr fields CKAN's dataset search queries."""
from __future__ import annotations

from typing import Any

from ckanext.regionaliot.lib import config


def add_query_fields(search_params: dict[str, Any]) -> dict[str, Any]:
    """CKAN searches name, title, tags, groups and text (Kuromoji). Also search the CJK
    bigram field: Kuromoji may split a word one way in running text (認可保育園 →
    認可/保育/園) and another in a query (保育園). A caller's own ``qf`` wins."""
    extra = config.get_str("ckanext.regionaliot.search.extra_query_fields")
    if extra and "qf" not in search_params:
        from ckan.lib.search.query import QUERY_FIELDS

        search_params["qf"] = f"{QUERY_FIELDS} {extra}"
    return search_params
