"""Auth functions of the stories' actions (registered by name via IAuthFunctions).

Reading is open to anyone (a draft answers "not found" to who may not read it: the action
decides, staff.py); writing needs a sysadmin or an editor/admin of a municipality the story
concerns.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import staff
from ..model import Story

__all__ = [
    "regionaliot_story_create", "regionaliot_story_update", "regionaliot_story_delete",
    "regionaliot_story_show", "regionaliot_story_list", "regionaliot_chart_data",
]


def _ok() -> dict[str, Any]:
    return {"success": True}


def _no(message: str) -> dict[str, Any]:
    return {"success": False, "msg": message}


def regionaliot_story_create(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    if staff.is_staff_somewhere(context.get("user")):
        return _ok()
    return _no(tk._("Only sysadmins and the editors of a municipality can write stories."))


def _may_edit(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    story = Story.get(str((data_dict or {}).get("id") or ""))
    if story is not None and staff.may_edit(context.get("user"), story):
        return _ok()
    return _no(tk._("Only sysadmins and the editors of the municipalities concerned can "
                    "edit this story."))


def regionaliot_story_update(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _may_edit(context, data_dict)


def regionaliot_story_delete(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _may_edit(context, data_dict)


@tk.auth_allow_anonymous_access
def regionaliot_story_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _ok()


@tk.auth_allow_anonymous_access
def regionaliot_story_list(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _ok()


@tk.auth_allow_anonymous_access
def regionaliot_chart_data(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _ok()
