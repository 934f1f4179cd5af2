"""Template helpers of the stories (registered by name via ITemplateHelpers)."""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from markupsafe import Markup
from sqlalchemy import or_

from ckanext.regionaliot.lib import config
from ckanext.regionaliot.lib.i18n import current_lang

from .model import PUBLISHED, Story

__all__ = [
    "regionaliot_story_featured", "regionaliot_story_text", "regionaliot_story_svg",
    "regionaliot_story_municipalities", "regionaliot_story_categories",
    "regionaliot_stories_using", "regionaliot_story_category_label",
]


def regionaliot_story_featured(limit: int | None = None) -> list[dict[str, Any]]:
    """The newest published stories (for the home page)."""
    if limit is None:
        limit = config.get_int("ckanext.regionaliot.stories.featured")
    if limit <= 0:
        return []
    try:
        return tk.get_action("regionaliot_story_list")({}, {"limit": limit})["results"]
    except (tk.ValidationError, tk.NotAuthorized):
        return []


def regionaliot_stories_using(resource_ids: list[str], limit: int = 20) -> list[dict[str, Any]]:
    """Published stories whose blocks read one of these resources (the dataset page), newest
    first: one query for the whole dataset, only the fields the page links with (was two
    queries and a full story per resource). Published stories are public: no reader rights."""
    ids = [i for i in resource_ids[:20] if i]
    if not ids:
        return []
    # The blocks' JSON holds each id as a quoted string (as regionaliot_story_list's filter).
    reads = or_(*(Story.blocks.contains(json.dumps(i)) for i in ids))
    rows = (model.Session.query(Story.id, Story.name, Story.title, Story.title_en)
            .filter(Story.state == PUBLISHED, reads)
            .order_by(Story.published.desc().nullslast(), Story.created.desc(), Story.id)
            .limit(limit).all())
    return [{"id": r.id, "name": r.name, "title": r.title, "title_en": r.title_en} for r in rows]


def regionaliot_story_text(story: dict[str, Any], key: str) -> str:
    """A story's field in the reader's language: the stored English where present."""
    if current_lang() == "en" and story.get(f"{key}_en"):
        return story[f"{key}_en"]
    return story.get(key) or ""


def regionaliot_story_svg(drawing: str) -> Markup:
    """An SVG built by svg.py, whose every text is already escaped there."""
    return Markup(drawing or "")


def regionaliot_story_municipalities() -> list[tuple[str, str]]:
    """(name, title) of the active organizations, for the filters and the form."""
    rows = (model.Session.query(model.Group.name, model.Group.title)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .order_by(model.Group.name).all())
    return [(name, title or name) for name, title in rows]


def regionaliot_story_categories() -> list[tuple[str, str]]:
    """(name, title) of the categories (CKAN groups) in the reader's language."""
    rows = (model.Session.query(model.Group)
            .filter(model.Group.is_organization.is_(False), model.Group.state == "active",
                    model.Group.type == "group")
            .order_by(model.Group.name).all())
    return [(g.name, regionaliot_story_category_label(g.name, g)) for g in rows]


def regionaliot_story_category_label(name: str, group: Any = None) -> str:
    group = group or model.Group.get(name)
    if group is None:
        return name
    if current_lang() == "en":
        extra = group.extras.get("title_en") if hasattr(group, "extras") else None
        if extra:
            return extra
    return group.title or group.name
