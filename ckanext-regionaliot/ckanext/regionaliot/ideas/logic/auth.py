"""Auth functions of the アイデアボックス actions (registered by name via IAuthFunctions).

Reading and posting are open to anyone (anonymous posts carry a display name); voting and
reporting need an identity (a user, or the browser's signed cookie that the web page puts
into the context); moving and moderating an idea need its staff (staff.py).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib import config

from .. import staff
from ..model import Idea

__all__ = [
    "regionaliot_idea_create", "regionaliot_idea_list", "regionaliot_idea_show",
    "regionaliot_idea_vote", "regionaliot_idea_comment", "regionaliot_idea_update_status",
    "regionaliot_idea_report", "regionaliot_idea_moderate", "regionaliot_idea_follow",
    "regionaliot_idea_activity", "regionaliot_idea_moderation_queue",
]

# Set only by the web pages, from a verified signed cookie: API callers cannot supply it.
VOTER_CONTEXT_KEY = "regionaliot_idea_voter"


def _ok() -> dict[str, Any]:
    return {"success": True}


def _no(message: str) -> dict[str, Any]:
    return {"success": False, "msg": message}


def _anonymous_allowed() -> bool:
    return config.get_bool("ckanext.regionaliot.ideas.allow_anonymous")


def _has_identity(context: Any) -> bool:
    return bool(context.get("user")) or bool(context.get(VOTER_CONTEXT_KEY))


@tk.auth_allow_anonymous_access
def regionaliot_idea_create(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    if context.get("user") or _anonymous_allowed():
        return _ok()
    return _no(tk._("Log in to post an idea."))


@tk.auth_allow_anonymous_access
def regionaliot_idea_comment(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    if context.get("user") or _anonymous_allowed():
        return _ok()
    return _no(tk._("Log in to comment."))


@tk.auth_allow_anonymous_access
def regionaliot_idea_list(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _ok()


@tk.auth_allow_anonymous_access
def regionaliot_idea_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _ok()  # hidden ideas: the action answers "not found" to non-staff


@tk.auth_allow_anonymous_access
def regionaliot_idea_activity(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _ok()


@tk.auth_allow_anonymous_access
def regionaliot_idea_vote(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    if _has_identity(context):
        return _ok()
    return _no(tk._("Log in, or vote from the idea's page, to vote."))


@tk.auth_allow_anonymous_access
def regionaliot_idea_report(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    if _has_identity(context):
        return _ok()
    return _no(tk._("Log in, or report from the idea's page."))


def regionaliot_idea_follow(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _ok() if context.get("user") else _no(tk._("Log in to follow an idea."))


def _staff_of_idea(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    idea = Idea.get(str(data_dict.get("id") or ""))
    org_id = idea.organization_id if idea is not None else None
    if idea is not None and staff.is_staff(context.get("user"), org_id):
        return _ok()
    return _no(tk._("Only the staff of the municipality concerned can do this."))


def regionaliot_idea_update_status(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _staff_of_idea(context, data_dict)


def regionaliot_idea_moderate(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _staff_of_idea(context, data_dict)


def regionaliot_idea_moderation_queue(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    # Staff of any municipality (or sysadmins); the action shows each only their own.
    if staff.staff_organizations(context.get("user")) != []:
        return _ok()
    return _no(tk._("Only staff can see the moderation queue."))
