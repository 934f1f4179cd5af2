"""Chained actions closing holes in stock actions (registered by name via IActions)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__: list[str] = []


# --- package_create / package_update: harvest sources point at public http(s) hosts -----
# (issue 15, item 7.) The harvest source form and harvest_source_create/_update/_patch all
# end in package_create/package_update with type "harvest"; the harvest plugin's own URL
# validators cannot be extended. An early refusal on the form's URL field: the CKAN
# harvester's fetches are guarded at connect time as well (ckan_harvester.py).


def _is_harvest_source(data_dict: dict[str, Any]) -> bool:
    if data_dict.get("type") == "harvest":
        return True
    import ckan.model as model

    ref = data_dict.get("id") or data_dict.get("name")
    package = model.Package.get(ref) if isinstance(ref, str) and ref else None
    return package is not None and package.type == "harvest"


@tk.chained_action
def package_create(up_func, context: Any, data_dict: dict[str, Any]):
    from .. import ssrf

    if isinstance(data_dict, dict) and data_dict.get("type") == "harvest":
        ssrf.check_harvest_source_url(data_dict.get("url"))
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func, context: Any, data_dict: dict[str, Any]):
    from .. import ssrf

    if isinstance(data_dict, dict) and "url" in data_dict and _is_harvest_source(data_dict):
        ssrf.check_harvest_source_url(data_dict.get("url"))
    return up_func(context, data_dict)


__all__ += ["package_create", "package_update"]
