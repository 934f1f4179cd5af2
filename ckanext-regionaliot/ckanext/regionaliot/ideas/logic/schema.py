"""Schemas of the アイデアボックス actions: types and presence. The rules that need the
database or the workflow (municipality exists, datasets visible, allowed steps) are
checked by the actions; every failure is a ValidationError, never a 500."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args

from .. import workflow


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
    """One line of plain text: control characters (newlines, NUL...) become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def max_length(limit: int):
    def check(value: str) -> str:
        if len(value) > limit:
            raise tk.Invalid(tk._(workflow.MSG_TOO_LONG).format(max=limit))
        return value
    return check


@validator_args
def idea_create_schema(not_empty, ignore_missing, unicode_safe, one_of):
    return {
        "kind": [not_empty, unicode_safe, one_of(list(workflow.KINDS))],
        "title": [not_empty, unicode_safe, single_line, not_empty,
                  max_length(workflow.TITLE_MAX)],
        "body": [ignore_missing, unicode_safe, max_length(workflow.BODY_MAX)],
        "organization": [ignore_missing, unicode_safe],
        "datasets": [ignore_missing, as_list],
        "author_name": [ignore_missing, unicode_safe, single_line,
                        max_length(workflow.NAME_MAX)],
        "website": [ignore_missing, unicode_safe],  # the honeypot
    }


@validator_args
def idea_list_schema(ignore_missing, unicode_safe, one_of, natural_number_validator,
                     boolean_validator):
    return {
        "kind": [ignore_missing, unicode_safe, one_of(["", *workflow.KINDS])],
        "status": [ignore_missing, unicode_safe, one_of(["", "open", *workflow.STATUSES])],
        "organization": [ignore_missing, unicode_safe],
        "answer_dataset": [ignore_missing, unicode_safe],
        "q": [ignore_missing, unicode_safe, max_length(200)],
        "sort": [ignore_missing, unicode_safe, one_of(["", "votes", "new", "answered"])],
        "moderation": [ignore_missing, unicode_safe,
                       one_of(["", "all", *workflow.MODERATION])],
        "limit": [ignore_missing, unicode_safe, natural_number_validator],
        "offset": [ignore_missing, unicode_safe, natural_number_validator],
        "figures": [ignore_missing, unicode_safe, boolean_validator],
    }


@validator_args
def idea_id_schema(not_empty, unicode_safe):
    return {"id": [not_empty, unicode_safe]}


@validator_args
def idea_show_schema(not_empty, ignore_missing, unicode_safe, natural_number_validator):
    return {"id": [not_empty, unicode_safe],
            "comment_limit": [ignore_missing, unicode_safe, natural_number_validator]}


@validator_args
def idea_comment_schema(not_empty, ignore_missing, unicode_safe):
    return {
        "id": [not_empty, unicode_safe],
        "body": [not_empty, unicode_safe, max_length(workflow.REPLY_MAX)],
        "author_name": [ignore_missing, unicode_safe, single_line,
                        max_length(workflow.NAME_MAX)],
        "website": [ignore_missing, unicode_safe],
    }


@validator_args
def idea_update_status_schema(not_empty, ignore_missing, unicode_safe, one_of):
    return {
        "id": [not_empty, unicode_safe],
        "status": [not_empty, unicode_safe, one_of(list(workflow.STATUSES))],
        "reply": [ignore_missing, unicode_safe],
        "expected_date": [ignore_missing, unicode_safe],
        "answer": [ignore_missing, unicode_safe, max_length(500)],
        "reason": [ignore_missing, unicode_safe, max_length(workflow.REPLY_MAX)],
    }


@validator_args
def idea_report_schema(not_empty, ignore_missing, unicode_safe):
    return {
        "id": [not_empty, unicode_safe],
        "comment_id": [ignore_missing, unicode_safe],
        "reason": [ignore_missing, unicode_safe, max_length(1000)],
    }


@validator_args
def idea_moderate_schema(not_empty, ignore_missing, unicode_safe, one_of):
    return {
        "id": [not_empty, unicode_safe],
        "comment_id": [ignore_missing, unicode_safe],
        "decision": [not_empty, unicode_safe, one_of(list(workflow.DECISIONS))],
        "reason": [not_empty, unicode_safe, max_length(1000)],
    }


@validator_args
def idea_follow_schema(not_empty, ignore_missing, unicode_safe, boolean_validator):
    return {"id": [not_empty, unicode_safe],
            "follow": [ignore_missing, unicode_safe, boolean_validator]}


@validator_args
def idea_activity_schema(ignore_missing, unicode_safe, natural_number_validator):
    return {"limit": [ignore_missing, unicode_safe, natural_number_validator]}


@validator_args
def idea_moderation_queue_schema(ignore_missing, unicode_safe, one_of,
                                 natural_number_validator):
    return {"state": [ignore_missing, unicode_safe,
                      one_of(["", "open", "all", *workflow.MODERATION[1:]])],
            "limit": [ignore_missing, unicode_safe, natural_number_validator]}
