"""Ideas, comments and timeline steps as the API returns them.

The API returns the Markdown source; pages render it with CKAN's ``h.render_markdown``
(bleach-cleaned: no raw HTML, no script, no ``javascript:`` links). Who posted is given by
display name and whether they were logged in, never by user id or address.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model

from .model import Idea, IdeaComment, IdeaEvent


def iso(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def organizations(ids: set[str]) -> dict[str, dict[str, str]]:
    """id → {id, name, title} of the given organizations, in one query."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = model.Session.query(model.Group).filter(model.Group.id.in_(ids)).all()
    return {g.id: {"id": g.id, "name": g.name, "title": g.title or g.name} for g in rows}


def package_brief(package_id: str | None) -> dict[str, str] | None:
    package = model.Package.get(package_id) if package_id else None
    if package is None or package.state != "active" or package.private:
        return None
    return {"id": package.id, "name": package.name, "title": package.title or package.name}


def idea_dict(idea: Idea, orgs: dict[str, dict[str, str]], staff_view: bool = False
              ) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": idea.id,
        "kind": idea.kind,
        "title": idea.title,
        "body": idea.body,
        "organization": orgs.get(idea.organization_id or ""),
        "author_name": idea.author_name,
        "registered": idea.user_id is not None,
        "status": idea.status,
        "expected_date": iso(idea.expected_date),
        "answer_url": idea.answer_url,
        "answer_dataset": package_brief(idea.answer_package_id),
        "reason": idea.reason,
        "vote_count": idea.vote_count or 0,
        "comment_count": idea.comment_count or 0,
        "created": iso(idea.created),
        "modified": iso(idea.modified),
        "first_answered": iso(idea.first_answered),
        "moderation": idea.moderation,
    }
    if staff_view:
        data["moderation_reason"] = idea.moderation_reason
    return data


def comment_dict(comment: IdeaComment, staff_view: bool = False) -> dict[str, Any]:
    data = {
        "id": comment.id,
        "author_name": comment.author_name,
        "registered": comment.user_id is not None,
        "body": comment.body,
        "created": iso(comment.created),
        "moderation": comment.moderation,
    }
    if staff_view:
        data["moderation_reason"] = comment.moderation_reason
    return data


def event_dict(event: IdeaEvent, names: dict[str, str]) -> dict[str, Any]:
    return {
        "event": event.event,
        "comment_id": event.comment_id,
        "from_status": event.from_status,
        "status": event.to_status,
        "reply": event.reply,
        "expected_date": iso(event.expected_date),
        "answer_url": event.answer_url,
        "reason": event.reason,
        # Staff act in their office's name: their display name is shown.
        "by": names.get(event.user_id or ""),
        "created": iso(event.created),
    }


def display_names(user_ids: set[str]) -> dict[str, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = model.Session.query(model.User).filter(model.User.id.in_(ids)).all()
    return {u.id: u.display_name for u in rows}
