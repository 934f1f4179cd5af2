"""Chained package_create/package_update: the provenance fields of a harvested dataset
(``harvest_url``, ``harvest_identifier``, ``harvest_withdrawn``) are the harvester's.

They are hidden scheming fields, not on the dataset form, so a staff edit through the form
sent none of them and CKAN's update dropped them. Every write that does not come from the
harvest import (``importer`` marks its context with :data:`HARVESTER`) keeps the stored
values and ignores submitted ones; package_patch goes through package_update.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from regionaliot.harvesters import common

HARVESTER = "regionaliot_harvest_import"  # context key: the write is the harvest import's

__all__ = ["package_create", "package_update"]


def _stored(data_dict: dict[str, Any]) -> dict[str, Any]:
    ref = data_dict.get("id") or data_dict.get("name")
    package = model.Package.get(ref) if isinstance(ref, str) and ref else None
    return dict(package.extras) if package is not None else {}


@tk.chained_action
def package_create(up_func, context: Any, data_dict: Any):
    if isinstance(data_dict, dict) and not context.get(HARVESTER):
        data_dict = common.keep_provenance(data_dict, {})
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func, context: Any, data_dict: Any):
    if isinstance(data_dict, dict) and not context.get(HARVESTER):
        data_dict = common.keep_provenance(data_dict, _stored(data_dict))
    return up_func(context, data_dict)
