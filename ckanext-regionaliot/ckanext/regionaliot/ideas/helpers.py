"""Template helpers of the アイデアボックス (registered by name via ITemplateHelpers)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib.i18n import N_

from . import notify, staff, workflow
from .model import Idea

__all__ = [
    "regionaliot_idea_status_label", "regionaliot_idea_kind_label",
    "regionaliot_idea_statuses", "regionaliot_idea_kinds", "regionaliot_idea_next_statuses",
    "regionaliot_idea_duration", "regionaliot_idea_featured",
    "regionaliot_ideas_answered_by", "regionaliot_idea_municipalities",
    "regionaliot_idea_status_css", "regionaliot_idea_moderation_label",
    "regionaliot_idea_is_moderator",
]


def regionaliot_idea_status_label(status: str) -> str:
    return notify.status_label(status)


KIND_MSGIDS = {"idea": N_("Idea for using data"), "request": N_("Data request")}


def regionaliot_idea_kind_label(kind: str) -> str:
    msgid = KIND_MSGIDS.get(kind)
    return tk._(msgid) if msgid else kind


MODERATION_MSGIDS = {"visible": N_("Shown"), "hidden": N_("Hidden by staff"),
                     "spam": N_("Spam"), "reported": N_("Hidden after reports"),
                     "open": N_("To decide"), "all": N_("All")}


def regionaliot_idea_moderation_label(state: str) -> str:
    msgid = MODERATION_MSGIDS.get(state)
    return tk._(msgid) if msgid else state


def regionaliot_idea_is_moderator() -> bool:
    """The current user handles the ideas of some municipality (or is a sysadmin)."""
    return staff.staff_organizations(tk.current_user.name) != []


def regionaliot_idea_statuses() -> list[tuple[str, str]]:
    return [(s, notify.status_label(s)) for s in workflow.STATUSES]


def regionaliot_idea_kinds() -> list[tuple[str, str]]:
    return [(k, regionaliot_idea_kind_label(k)) for k in workflow.KINDS]


def regionaliot_idea_next_statuses(status: str) -> list[tuple[str, str]]:
    return [(s, notify.status_label(s)) for s in workflow.NEXT.get(status, ())]


def regionaliot_idea_status_css(status: str) -> str:
    return {"received": "bg-secondary", "reviewing": "bg-info text-dark",
            "planned": "bg-primary", "published": "bg-success",
            "declined": "bg-dark"}.get(status, "bg-secondary")


def regionaliot_idea_duration(seconds: float | None) -> str:
    """A median wait as one readable figure (「3日」, 「5時間」)."""
    if seconds is None:
        return "—"
    amount, unit = workflow.duration_parts(seconds)
    text = {"minutes": tk._("{n} min"), "hours": tk._("{n} h"), "days": tk._("{n} days")}[unit]
    return text.format(n=amount)


def regionaliot_idea_featured(limit: int = 5, sort: str = "votes") -> list[dict[str, Any]]:
    """For the home page: the most-voted open ideas (``votes``), or the ideas staff
    answered last (``answered``). Public ones only: the action lists hidden ideas to
    nobody without ``moderation``, and this asks as an anonymous visitor."""
    data: dict[str, Any] = {"sort": sort, "limit": limit, "figures": False}
    if sort == "votes":
        data["status"] = "open"
    try:
        return tk.get_action("regionaliot_idea_list")({"user": ""}, data)["results"]
    except (tk.ValidationError, tk.NotAuthorized):
        return []


def regionaliot_ideas_answered_by(package_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The visible ideas and requests this dataset answered (for the dataset page), newest
    first: one indexed query with only what the page shows (the list action also counted,
    looked the dataset up and dictized each idea with its organization and answer)."""
    if not package_id:
        return []
    rows = (model.Session.query(Idea.id, Idea.title, Idea.kind)
            .filter(Idea.answer_package_id == package_id, Idea.moderation == workflow.VISIBLE)
            .order_by(Idea.created.desc(), Idea.id.desc()).limit(limit).all())
    return [{"id": r.id, "title": r.title, "kind": r.kind} for r in rows]


def regionaliot_idea_municipalities() -> list[tuple[str, str]]:
    """(name, title) of the active organizations, for the filters and the form."""
    rows = (model.Session.query(model.Group.name, model.Group.title)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .order_by(model.Group.name).all())
    return [(name, title or name) for name, title in rows]
