"""Actions of 「データから見えるもの」 (stories): create, update, show, list, delete (which
withdraws: the row stays), and the figures of one block (``regionaliot_chart_data``).

The same for the web and the API. The API returns the Markdown source; pages render it
with CKAN's ``h.render_markdown`` (bleach-cleaned: no raw HTML, no script, no
``javascript:`` links).
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import or_

from ...lib.charts.aggregate import AggregationError
from ...lib.i18n import current_lang
from .. import blocks as story_blocks
from .. import render, staff
from ..model import DRAFT, PUBLISHED, WITHDRAWN, Story
from . import schema as schemas

__all__ = [
    "regionaliot_story_create", "regionaliot_story_update", "regionaliot_story_delete",
    "regionaliot_story_show", "regionaliot_story_list", "regionaliot_chart_data",
]

_ = tk._

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
MAX_ORGANIZATIONS = 20
MAX_CATEGORIES = 17


def _validate(data_dict: dict[str, Any], schema: dict[str, Any], context: Any) -> dict[str, Any]:
    # The blocks go around navl (it would flatten a list of objects into sub-keys and drop
    # them): blocks.parse checks them.
    data_dict = dict(data_dict)
    raw_blocks = data_dict.pop("blocks", None)
    has_blocks = raw_blocks is not None
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    # PostgreSQL text cannot hold NUL: dropped here, not left to fail as a 500 in SQL.
    data = {key: value.replace("\x00", "") if isinstance(value, str) else value
            for key, value in data.items()}
    if has_blocks:
        data["blocks"] = raw_blocks
    return data


def _user(context: Any) -> model.User | None:
    name = context.get("user")
    return model.User.get(name) if name else None


def _organization_ids(names: list[str]) -> list[str]:
    if len(names) > MAX_ORGANIZATIONS:
        raise tk.ValidationError({"organizations": [
            _("At most {n} municipalities.").format(n=MAX_ORGANIZATIONS)]})
    ids: list[str] = []
    for name in names:
        group = model.Group.get(name)
        if group is None or group.state != "active" or not group.is_organization:
            raise tk.ValidationError({"organizations": [
                _("Unknown municipality: {name}").format(name=name)]})
        if group.id not in ids:
            ids.append(group.id)
    return ids


def _categories(names: list[str]) -> list[str]:
    if len(names) > MAX_CATEGORIES:
        raise tk.ValidationError({"categories": [
            _("At most {n} categories.").format(n=MAX_CATEGORIES)]})
    out: list[str] = []
    for name in names:
        group = model.Group.get(name)
        if group is None or group.state != "active" or group.is_organization:
            raise tk.ValidationError({"categories": [
                _("Unknown category: {name}").format(name=name)]})
        if group.name not in out:
            out.append(group.name)
    return out


def _blocks(context: Any, value: Any) -> list[dict[str, Any]]:
    """The checked blocks; each names a resource that exists and the writer may read."""
    parsed, errors = story_blocks.parse(value)
    messages = [render.message(msgid, params) for msgid, params in errors]
    if not messages:
        for resource_id in story_blocks.resources(parsed):
            try:
                tk.get_action("resource_show")({"user": context.get("user")},
                                               {"id": resource_id})
            except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
                messages.append(_("Resource not found: {id}").format(id=resource_id))
    if messages:
        raise tk.ValidationError({"blocks": messages})
    return parsed


def _cover(url: str) -> str | None:
    """Only a web address or a path of this site: never ``javascript:`` or ``data:``."""
    if not url:
        return None
    if url.startswith(("https://", "http://")) or (url.startswith("/")
                                                    and not url.startswith("//")):
        return url
    raise tk.ValidationError({"cover_url": [
        _("The cover image must be a web address (https://…) or a path on this site.")]})


def _check_own_organizations(context: Any, org_ids: list[str]) -> None:
    """A writer who is not a sysadmin names at least one municipality of their own, so
    nobody writes in another municipality's name only (or locks themselves out)."""
    user = context.get("user")
    if staff.is_sysadmin(user):
        return
    if not org_ids or not staff.staff_of_any(user, org_ids):
        raise tk.ValidationError({"organizations": [
            _("Name at least one municipality whose editor you are.")]})


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _organizations(ids: list[str]) -> list[dict[str, str]]:
    if not ids:
        return []
    rows = {g.id: g for g in model.Session.query(model.Group).filter(model.Group.id.in_(ids))}
    return [{"id": i, "name": rows[i].name, "title": rows[i].title or rows[i].name,
             "title_en": rows[i].extras.get("title_en")} for i in ids if i in rows]


def story_dict(story: Story, context: Any | None = None) -> dict[str, Any]:
    author = model.Session.get(model.User, story.user_id) if story.user_id else None
    try:
        parsed = json.loads(story.blocks or "[]")
    except ValueError:
        parsed = []
    data: dict[str, Any] = {
        "id": story.id, "name": story.name, "title": story.title, "title_en": story.title_en,
        "lead": story.lead, "lead_en": story.lead_en, "body": story.body,
        "body_en": story.body_en, "cover_url": story.cover_url, "cover_alt": story.cover_alt,
        "blocks": parsed, "organizations": _organizations(list(story.organizations or [])),
        "categories": list(story.categories or []),
        "author": author.display_name if author is not None else None,
        "state": story.state, "created": _iso(story.created), "modified": _iso(story.modified),
        "published": _iso(story.published),
        "resources": story_blocks.resources(parsed),
    }
    if context is not None:
        data["can_edit"] = staff.may_edit(context.get("user"), story)
    return data


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _apply(story: Story, context: Any, data: dict[str, Any]) -> None:
    for key in ("title", "title_en", "lead", "lead_en", "body", "body_en", "cover_alt"):
        if key in data:
            setattr(story, key, data[key] or (None if key.endswith("_en") else ""))
    if "cover_url" in data:
        story.cover_url = _cover(data["cover_url"] or "")
    if "categories" in data:
        story.categories = _categories(data["categories"] or [])
    if "blocks" in data:
        story.blocks = json.dumps(_blocks(context, data["blocks"]), ensure_ascii=False)
    state = data.get("state")
    if state:
        if state == PUBLISHED and story.state != PUBLISHED:
            story.published = _now()
        story.state = state


def _name_free(name: str, story_id: str | None = None) -> None:
    other = model.Session.query(Story).filter(Story.name == name).one_or_none()
    if other is not None and other.id != story_id:
        raise tk.ValidationError({"name": [_("That URL name is already used by another "
                                             "story.")]})


def regionaliot_story_create(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Write a story (sysadmins, and editors of a municipality it concerns).

    :param name: the URL name (/stories/<name>): lowercase letters, digits, - and _
    :param title: one line; ``title_en`` the English title
    :param lead: a short introduction (``lead_en``)
    :param body: Markdown (``body_en``); a line ``[[block:N]]`` places block N there
    :param cover_url: the cover image (https://… or a path on this site), ``cover_alt``
    :param organizations: the municipalities concerned (ids or names)
    :param categories: the categories (group names)
    :param blocks: JSON list of blocks: text, chart, figure, table, map (see blocks.py)
    :param state: ``draft`` (default) or ``published``
    :returns: the story, as regionaliot_story_show
    """
    tk.check_access("regionaliot_story_create", context, data_dict)
    data = _validate(data_dict, schemas.story_schema(), context)
    _name_free(data["name"])
    org_ids = _organization_ids(data.get("organizations") or [])
    _check_own_organizations(context, org_ids)
    user = _user(context)
    now = _now()
    story = Story(name=data["name"], organizations=org_ids, state=DRAFT,
                  user_id=user.id if user is not None else None, created=now, modified=now,
                  blocks="[]", lead="", body="")
    _apply(story, context, data)
    model.Session.add(story)
    model.Session.commit()
    return story_dict(story, context)


def _story_or_404(ref: str, context: Any) -> Story:
    story = Story.get(ref)
    if story is None or not staff.may_read(context.get("user"), story):
        raise tk.ObjectNotFound(_("Story not found"))
    return story


def regionaliot_story_update(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change a story: the fields given are replaced, the others kept (see create)."""
    data = _validate(data_dict, schemas.story_update_schema(), context)
    story = Story.get(data["id"])
    if story is None:
        raise tk.ObjectNotFound(_("Story not found"))
    tk.check_access("regionaliot_story_update", context, {"id": story.id})
    if data.get("name") and data["name"] != story.name:
        _name_free(data["name"], story.id)
        story.name = data["name"]
    if "organizations" in data:
        org_ids = _organization_ids(data["organizations"] or [])
        _check_own_organizations(context, org_ids)
        story.organizations = org_ids
    if story.state == WITHDRAWN and not data.get("state"):
        data["state"] = DRAFT  # editing a withdrawn story brings it back as a draft
    _apply(story, context, data)
    story.modified = _now()
    model.Session.commit()
    return story_dict(story, context)


def regionaliot_story_delete(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Withdraw a story: readers no longer see it; the row and its content stay."""
    data = _validate(data_dict, schemas.story_id_schema(), context)
    story = Story.get(data["id"])
    if story is None:
        raise tk.ObjectNotFound(_("Story not found"))
    tk.check_access("regionaliot_story_delete", context, {"id": story.id})
    story.state = WITHDRAWN
    story.modified = _now()
    model.Session.commit()
    return {"id": story.id, "state": story.state}


@tk.side_effect_free
def regionaliot_story_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A story by id or name; drafts and withdrawn stories only for their staff and
    author (others: not found)."""
    tk.check_access("regionaliot_story_show", context, data_dict)
    data = _validate(data_dict, schemas.story_id_schema(), context)
    return story_dict(_story_or_404(data["id"], context), context)


@tk.side_effect_free
def regionaliot_story_list(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Stories, newest first.

    :param organization: a municipality (id or name)
    :param category: a category (group name)
    :param resource: stories whose blocks read this resource (id)
    :param state: ``published`` (default); ``draft``, ``withdrawn`` or ``all`` list, besides,
        the stories the caller may edit or wrote
    :param limit: at most 100 (default 20); ``offset``
    :returns: ``{"count": n, "results": [story, …]}``
    """
    tk.check_access("regionaliot_story_list", context, data_dict)
    data = _validate(data_dict, schemas.story_list_schema(), context)
    query = model.Session.query(Story)
    state = data.get("state") or PUBLISHED
    if state != PUBLISHED:
        query = _readable_unpublished(query, context)
        if state != "all":
            query = query.filter(Story.state == state)
    else:
        query = query.filter(Story.state == PUBLISHED)
    if data.get("organization"):
        group = model.Group.get(data["organization"])
        query = query.filter(Story.organizations.any(group.id if group is not None else ""))
    if data.get("category"):
        query = query.filter(Story.categories.any(data["category"]))
    if data.get("resource"):
        # The blocks' JSON holds the id as a quoted string.
        query = query.filter(Story.blocks.contains(json.dumps(data["resource"])))
    count = query.count()
    limit = min(int(data.get("limit") or 20), MAX_LIMIT)
    offset = min(int(data.get("offset") or 0), MAX_OFFSET)
    rows = (query.order_by(Story.published.desc().nullslast(), Story.created.desc(), Story.id)
            .limit(limit).offset(offset).all())
    return {"count": count, "results": [story_dict(s) for s in rows]}


def _readable_unpublished(query, context: Any):
    """Published stories plus the unpublished ones the caller wrote or may edit."""
    user_name = context.get("user")
    if staff.is_sysadmin(user_name):
        return query
    user = _user(context)
    if user is None:
        return query.filter(Story.state == PUBLISHED)
    orgs = [row[0] for row in model.Session.query(model.Member.group_id).filter(
        model.Member.table_name == "user", model.Member.table_id == user.id,
        model.Member.state == "active", model.Member.capacity.in_(staff.STAFF_ROLES))]
    conditions = [Story.state == PUBLISHED, Story.user_id == user.id]
    if orgs:
        conditions.append(Story.organizations.overlap(orgs))
    return query.filter(or_(*conditions))


@tk.side_effect_free
def regionaliot_chart_data(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The figures of a story's chart, member-map, computed key-figure or matrix block,
    computed on the server (a matrix has no resource: ``source`` is null).

    :param id: the story (id or name)
    :param block: the block's number (1 = first)
    :returns: ``{"headers": [...], "rows": [[label, n, ...], ...], "skipped": n,
        "notes": [...], "source": {resource_id, package_id, name}}``
    """
    tk.check_access("regionaliot_chart_data", context, data_dict)
    data = _validate(data_dict, schemas.chart_data_schema(), context)
    story = _story_or_404(data["id"], context)
    try:  # only the blocks: the author's and municipalities' look-ups are not needed here
        parsed = json.loads(story.blocks or "[]")
    except ValueError:
        parsed = []
    index = int(data["block"]) - 1
    if not 0 <= index < len(parsed):
        raise tk.ObjectNotFound(_("Block not found"))
    try:
        headers, result, res = render.figures(
            {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
            parsed[index], current_lang())
    except AggregationError as e:
        raise tk.ValidationError({"block": [render.message(e.msgid, e.params)]}) from None
    return {"headers": headers,
            "rows": [[key, *values] for key, values in result.rows],
            "skipped": result.skipped,
            "notes": [_(render.NOTES.get(n, n)) for n in result.notes],
            "source": render.source(res)}
