"""Schemas of the feeds' actions (CKAN navl)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

MAX_LIMIT = 10_000
RESOLUTIONS = ("raw", "10min", "hour", "day")


def _v(name: str) -> Any:
    return tk.get_validator(name)


def feed_id() -> dict[str, Any]:
    return {"id": [_v("not_empty"), _v("unicode_safe")]}


def push() -> dict[str, Any]:
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "observations": [_v("ignore_missing")],
        "csv": [_v("ignore_missing"), _v("unicode_safe")],
        "token": [_v("ignore_missing"), _v("unicode_safe")],
    }


def query() -> dict[str, Any]:
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "sensor_id": [_v("ignore_missing"), _v("unicode_safe")],
        "start": [_v("ignore_missing"), _v("unicode_safe")],
        "end": [_v("ignore_missing"), _v("unicode_safe")],
        "resolution": [_v("default")("raw"), _v("one_of")(list(RESOLUTIONS))],
        "limit": [_v("default")(1000), _v("natural_number_validator"),
                  _v("limit_to_configured_maximum")("ckanext.regionaliot.feeds.query_limit",
                                                     MAX_LIMIT)],
        "offset": [_v("default")(0), _v("natural_number_validator")],
    }


def token_create() -> dict[str, Any]:
    return {"id": [_v("not_empty"), _v("unicode_safe")],
            "label": [_v("default")(""), _v("unicode_safe")]}


def deadletters() -> dict[str, Any]:
    return {"id": [_v("not_empty"), _v("unicode_safe")],
            "limit": [_v("default")(100), _v("natural_number_validator")]}
