"""Schemas of the stories' actions: types and lengths. What needs the database (the
municipalities and categories exist, the name is free) and the blocks' own checks
(blocks.py) are done by the actions; every failure is a ValidationError, never a 500."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args

from ckanext.regionaliot.lib.i18n import N_

from ..model import STATES

TITLE_MAX = 200
LEAD_MAX = 1000
BODY_MAX = 100_000
MSG_TOO_LONG = N_("At most {max} characters.")


def as_list(value: Any) -> list[str]:
    """A list of strings from a JSON list or a comma/newline separated string."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = value.replace("\n", ",").split(",")
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value if isinstance(v, str | int)]
    else:
        raise tk.Invalid(tk._("Give a list."))
    return [item.replace("\x00", "").strip() for item in items if item.strip()]


def single_line(value: str) -> str:
    """One line of plain text: control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def max_length(limit: int):
    def check(value: str) -> str:
        if len(value) > limit:
            raise tk.Invalid(tk._(MSG_TOO_LONG).format(max=limit))
        return value
    return check


@validator_args
def story_schema(not_empty, ignore_missing, unicode_safe, one_of, name_validator):
    return {
        "name": [not_empty, unicode_safe, name_validator],
        "title": [not_empty, unicode_safe, single_line, not_empty, max_length(TITLE_MAX)],
        "title_en": [ignore_missing, unicode_safe, single_line, max_length(TITLE_MAX)],
        "lead": [ignore_missing, unicode_safe, max_length(LEAD_MAX)],
        "lead_en": [ignore_missing, unicode_safe, max_length(LEAD_MAX)],
        "body": [ignore_missing, unicode_safe, max_length(BODY_MAX)],
        "body_en": [ignore_missing, unicode_safe, max_length(BODY_MAX)],
        "cover_url": [ignore_missing, unicode_safe, max_length(500)],
        "cover_alt": [ignore_missing, unicode_safe, single_line, max_length(300)],
        "organizations": [ignore_missing, as_list],
        "categories": [ignore_missing, as_list],
        "state": [ignore_missing, unicode_safe, one_of(list(STATES[:2]))],
    }


def story_update_schema() -> dict[str, Any]:
    schema = story_schema()
    schema["id"] = [tk.get_validator("not_empty"), tk.get_validator("unicode_safe")]
    schema["name"] = [tk.get_validator("ignore_missing"), *schema["name"][1:]]
    schema["title"] = [tk.get_validator("ignore_missing"), *schema["title"][1:]]
    return schema


@validator_args
def story_id_schema(not_empty, unicode_safe):
    return {"id": [not_empty, unicode_safe]}


@validator_args
def story_list_schema(ignore_missing, unicode_safe, one_of, natural_number_validator):
    return {
        "organization": [ignore_missing, unicode_safe],
        "category": [ignore_missing, unicode_safe],
        "resource": [ignore_missing, unicode_safe],
        "state": [ignore_missing, unicode_safe, one_of(["", *STATES, "all"])],
        "limit": [ignore_missing, unicode_safe, natural_number_validator],
        "offset": [ignore_missing, unicode_safe, natural_number_validator],
    }


@validator_args
def chart_data_schema(not_empty, unicode_safe, natural_number_validator):
    return {"id": [not_empty, unicode_safe],
            "block": [not_empty, unicode_safe, natural_number_validator]}
