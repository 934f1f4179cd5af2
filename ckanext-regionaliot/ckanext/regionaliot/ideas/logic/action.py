"""Actions of the アイデアボックス: ideas and data requests, votes, comments, the status
workflow with staff replies, reports and moderation, following.

The same for the web and the API. Anonymous visitors post and comment with a display
name; they vote and report from the web page, which puts the browser's identity (a signed
cookie) into the context under ``auth.VOTER_CONTEXT_KEY``. Hidden content is never
deleted and never shown to anyone but staff.
"""
from __future__ import annotations

import datetime
import time
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ckanext.regionaliot.lib import config

from .. import dictize, notify, ratelimit, staff, workflow
from ..model import Idea, IdeaComment, IdeaDataset, IdeaEvent, IdeaFollower, IdeaReport, IdeaVote
from . import schema as schemas
from .auth import VOTER_CONTEXT_KEY

__all__ = [
    "regionaliot_idea_create", "regionaliot_idea_list", "regionaliot_idea_show",
    "regionaliot_idea_vote", "regionaliot_idea_comment", "regionaliot_idea_update_status",
    "regionaliot_idea_report", "regionaliot_idea_moderate", "regionaliot_idea_follow",
    "regionaliot_idea_activity", "regionaliot_idea_moderation_queue",
]

_ = tk._

MAX_DATASETS = 10
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000

# The public figures (answered, median wait) read every listed idea: kept for a minute per
# filter in this process, and forgotten by this process's own writes. Other web workers
# show them up to FIGURES_TTL seconds late.
FIGURES_TTL = 60.0
_figures: dict[tuple, tuple[float, dict[str, Any]]] = {}


def _forget_figures() -> None:
    _figures.clear()


def _public_figures(query, data: dict[str, Any]) -> dict[str, Any]:
    key = tuple(data.get(k) or "" for k in ("kind", "organization", "answer_dataset", "q",
                                             "moderation"))
    cached = _figures.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    rows = query.with_entities(Idea.created, Idea.first_answered, Idea.status).all()
    figures = workflow.answer_figures(rows).__dict__
    if (data.get("moderation") or workflow.VISIBLE) == workflow.VISIBLE:
        if len(_figures) > 1000:  # bounded: free-text queries make many keys
            _figures.clear()
        _figures[key] = (time.monotonic() + FIGURES_TTL, figures)
    return figures


def _validate(data_dict: dict[str, Any], schema: dict[str, Any], context: Any) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    # PostgreSQL text cannot hold NUL: dropped here, not left to fail as a 500 in SQL.
    return {key: value.replace("\x00", "") if isinstance(value, str) else value
            for key, value in data.items()}


def _user(context: Any) -> model.User | None:
    name = context.get("user")
    return model.User.get(name) if name else None


def _voter(context: Any) -> str | None:
    """The identity a vote or a report counts for: the user, or the browser."""
    user = _user(context)
    if user is not None:
        return f"user:{user.id}"
    token = context.get(VOTER_CONTEXT_KEY)
    return f"anon:{token}" if token else None


def _author(context: Any, data: dict[str, Any]) -> tuple[str | None, str]:
    """(user id, display name): a logged-in user posts under their own name."""
    user = _user(context)
    if user is not None:
        return user.id, user.display_name
    name = data.get("author_name") or ""
    if not name:
        raise tk.ValidationError({"author_name": [_("Give a name to show with your post.")]})
    return None, name


def _refuse_bots(data: dict[str, Any]) -> None:
    # The form's hidden "website" field: people never see it, form-filling robots fill it.
    if data.get("website"):
        raise tk.ValidationError({"website": [_("Your post could not be accepted.")]})


def _rate(bucket: str, context: Any) -> None:
    try:
        ratelimit.hit(bucket, context)
    except ratelimit.Limited:
        raise tk.ValidationError({"rate": [
            _("Too many posts in a short time. Please wait a few minutes and try again.")]}
        ) from None


def _organization_id(value: str | None) -> str | None:
    """The organization (municipality) named by id or name; None for the whole basin."""
    if not value or value == "basin":
        return None
    group = model.Group.get(value)
    if group is None or group.state != "active" or not group.is_organization:
        raise tk.ValidationError({"organization": [_("Unknown municipality.")]})
    return group.id


def _dataset_ids(context: Any, names: list[str]) -> list[str]:
    if len(names) > MAX_DATASETS:
        raise tk.ValidationError({"datasets": [
            _("At most {n} related datasets.").format(n=MAX_DATASETS)]})
    ids: list[str] = []
    for name in names:
        package = model.Package.get(name)
        if package is None or package.state != "active" or package.private:
            raise tk.ValidationError({"datasets": [
                _("Dataset not found: {name}").format(name=name)]})
        if package.id not in ids:
            ids.append(package.id)
    return ids


def _idea_or_404(idea_id: str, context: Any) -> tuple[Idea, bool]:
    """The idea and whether the user is its staff; hidden ideas exist for staff only."""
    idea = Idea.get(idea_id)
    if idea is None:
        raise tk.ObjectNotFound(_("Idea not found"))
    is_staff = staff.is_staff(context.get("user"), idea.organization_id)
    if idea.moderation != workflow.VISIBLE and not is_staff:
        raise tk.ObjectNotFound(_("Idea not found"))
    return idea, is_staff


def _show(idea: Idea, staff_view: bool) -> dict[str, Any]:
    return dictize.idea_dict(idea, dictize.organizations({idea.organization_id or ""}),
                             staff_view=staff_view)


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


# ---------------------------------------------------------------- ideas


def regionaliot_idea_create(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Post an idea (活用アイデア) or a data request (データ要望).

    :param kind: ``idea`` or ``request``
    :param title: at most 100 characters, one line
    :param body: Markdown (shown cleaned: no HTML, no script)
    :param organization: the municipality concerned (organization id or name); empty or
        ``basin`` for the whole basin
    :param datasets: related datasets (list, or comma separated ids or names)
    :param author_name: the display name of an anonymous poster (required then); a logged
        in user posts under their own name
    :returns: the idea, as regionaliot_idea_show
    """
    tk.check_access("regionaliot_idea_create", context, data_dict)
    data = _validate(data_dict, schemas.idea_create_schema(), context)
    _refuse_bots(data)
    user_id, author = _author(context, data)
    org_id = _organization_id(data.get("organization"))
    dataset_ids = _dataset_ids(context, data.get("datasets") or [])
    _rate("post", context)
    now = _now()
    idea = Idea(kind=data["kind"], title=data["title"], body=data.get("body") or "",
                organization_id=org_id, user_id=user_id, author_name=author,
                status=workflow.RECEIVED, moderation=workflow.VISIBLE,
                vote_count=0, comment_count=0, created=now, modified=now)
    model.Session.add(idea)
    model.Session.flush()
    for package_id in dataset_ids:
        model.Session.add(IdeaDataset(idea_id=idea.id, package_id=package_id))
    if user_id:  # the poster hears of every answer
        model.Session.add(IdeaFollower(idea_id=idea.id, user_id=user_id, created=now))
    model.Session.commit()
    _forget_figures()
    return _show(idea, staff_view=False)


def _listed(context: Any, data: dict[str, Any]):
    """The query of the ideas the caller may list, with the filters that do not concern
    status (the figures are over these)."""
    query = model.Session.query(Idea)
    moderation = data.get("moderation") or workflow.VISIBLE
    if moderation == workflow.VISIBLE:
        query = query.filter(Idea.moderation == workflow.VISIBLE)
    else:
        orgs = staff.staff_organizations(context.get("user"))
        if orgs is not None:  # not a sysadmin: the ideas of their own organizations
            if not orgs:
                raise tk.NotAuthorized(_("Only staff can list hidden ideas."))
            basin = staff.basin_organization_id()
            scope = Idea.organization_id.in_(orgs)
            if basin in orgs:
                scope = or_(scope, Idea.organization_id.is_(None))
            query = query.filter(scope)
        if moderation != "all":
            query = query.filter(Idea.moderation == moderation)
    if data.get("kind"):
        query = query.filter(Idea.kind == data["kind"])
    organization = data.get("organization")
    if organization == "basin":
        query = query.filter(Idea.organization_id.is_(None))
    elif organization:
        group = model.Group.get(organization)
        query = query.filter(Idea.organization_id == (group.id if group else None),
                             Idea.organization_id.isnot(None))
    if data.get("answer_dataset"):
        package = model.Package.get(data["answer_dataset"])
        query = query.filter(Idea.answer_package_id == (package.id if package else ""))
    if data.get("q"):
        pattern = "%{}%".format(data["q"].replace("\\", "\\\\").replace("%", "\\%")
                                .replace("_", "\\_"))
        query = query.filter(or_(Idea.title.ilike(pattern, escape="\\"),
                                 Idea.body.ilike(pattern, escape="\\")))
    return query


@tk.side_effect_free
def regionaliot_idea_list(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Ideas, filtered and sorted, with the figures of the answers.

    :param kind: ``idea`` or ``request``
    :param status: a status, or ``open`` (neither published nor declined)
    :param organization: a municipality's id or name, or ``basin``
    :param answer_dataset: the ideas answered by this dataset (id or name)
    :param q: words in the title or body
    :param sort: ``votes`` (default), ``new``, or ``answered`` (ideas with a staff reply,
        the latest reply first)
    :param limit: at most 100 (default: the page size setting); ``offset``
    :param moderation: staff only: ``hidden``, ``spam``, ``reported`` or ``all``
    :param figures: also count the answers (default true)
    :returns: count, results, and figures: total, answered (with a first staff reply),
        closed (published or declined), median_seconds to a first reply (over the
        answered ideas; null when none)
    """
    tk.check_access("regionaliot_idea_list", context, data_dict)
    data = _validate(data_dict, schemas.idea_list_schema(), context)
    query = _listed(context, data)
    figures = None
    if data.get("figures", True):
        figures = _public_figures(query, data)
    status = data.get("status")
    if status == "open":
        query = query.filter(Idea.status.notin_(workflow.CLOSED))
    elif status:
        query = query.filter(Idea.status == status)
    if data.get("sort") == "answered":  # staff have replied: latest reply first
        query = query.filter(Idea.first_answered.isnot(None))
    count = query.count()
    # All descending, so PostgreSQL reads the list indexes backwards instead of sorting.
    if data.get("sort") == "answered":
        query = query.order_by(Idea.modified.desc(), Idea.id.desc())
    elif data.get("sort") == "new":
        query = query.order_by(Idea.created.desc(), Idea.id.desc())
    else:
        query = query.order_by(Idea.vote_count.desc(), Idea.created.desc(), Idea.id.desc())
    page_size = config.get_int("ckanext.regionaliot.ideas.page_size")
    limit = min(int(data.get("limit") or page_size), MAX_LIMIT)
    ideas = query.offset(min(int(data.get("offset") or 0), MAX_OFFSET)).limit(limit).all()
    orgs = dictize.organizations({i.organization_id or "" for i in ideas})
    user = context.get("user")
    results = [dictize.idea_dict(i, orgs, staff_view=(
        i.moderation != workflow.VISIBLE and staff.is_staff(user, i.organization_id)))
        for i in ideas]
    return {"count": count, "results": results, "figures": figures}


@tk.side_effect_free
def regionaliot_idea_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """An idea with its related datasets, comments and timeline.

    :param id: the idea's id
    :param comment_limit: only the latest so many comments (default: all)
    :returns: the idea; ``datasets``; ``comments`` (staff also see hidden ones, with the
        moderation state); ``timeline``: the status steps with the staff's replies, oldest
        first (staff also see moderation decisions); ``voted`` and ``following`` for the
        caller; ``can_manage`` (the caller is its staff)
    """
    tk.check_access("regionaliot_idea_show", context, data_dict)
    data = _validate(data_dict, schemas.idea_show_schema(), context)
    idea, is_staff = _idea_or_404(data["id"], context)
    result = _show(idea, staff_view=is_staff)
    session = model.Session
    package_ids = [row[0] for row in session.query(IdeaDataset.package_id)
                   .filter(IdeaDataset.idea_id == idea.id)]
    result["datasets"] = [d for d in map(dictize.package_brief, package_ids) if d]
    comments = session.query(IdeaComment).filter(IdeaComment.idea_id == idea.id)
    if not is_staff:
        comments = comments.filter(IdeaComment.moderation == workflow.VISIBLE)
    result["comment_total"] = comments.count()
    if data.get("comment_limit") is not None:
        latest = comments.order_by(IdeaComment.created.desc(), IdeaComment.id.desc())
        chosen = list(reversed(latest.limit(int(data["comment_limit"])).all()))
    else:
        chosen = comments.order_by(IdeaComment.created, IdeaComment.id).all()
    result["comments"] = [dictize.comment_dict(c, staff_view=is_staff) for c in chosen]
    events = session.query(IdeaEvent).filter(IdeaEvent.idea_id == idea.id)
    if not is_staff:
        events = events.filter(IdeaEvent.event == "status")
    events = events.order_by(IdeaEvent.created).all()
    names = dictize.display_names({e.user_id or "" for e in events})
    result["timeline"] = [dictize.event_dict(e, names) for e in events]
    voter = _voter(context)
    result["voted"] = bool(voter) and session.query(IdeaVote).filter(
        IdeaVote.idea_id == idea.id, IdeaVote.voter == voter).count() > 0
    user = _user(context)
    result["following"] = user is not None and session.query(IdeaFollower).filter(
        IdeaFollower.idea_id == idea.id, IdeaFollower.user_id == user.id).count() > 0
    result["can_manage"] = is_staff
    return result


# ---------------------------------------------------------------- votes and comments


def regionaliot_idea_vote(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Vote for an idea, once per user (per browser for anonymous visitors, from the web).

    :param id: the idea's id
    :returns: vote_count, voted
    """
    data = _validate(data_dict, schemas.idea_id_schema(), context)
    tk.check_access("regionaliot_idea_vote", context, data)
    idea, _staff = _idea_or_404(data["id"], context)
    voter = _voter(context)
    if voter is None:
        raise tk.NotAuthorized(_("Log in, or vote from the idea's page, to vote."))
    _rate("vote", context)
    user = _user(context)
    # One statement: the vote (once per voter, by the primary key) and the count with it.
    vote = (pg_insert(IdeaVote.__table__)
            .values(idea_id=idea.id, voter=voter, user_id=user.id if user else None,
                    created=_now())
            .on_conflict_do_nothing().returning(IdeaVote.__table__.c.idea_id).cte("vote"))
    count = model.Session.execute(
        update(Idea.__table__)
        .where(Idea.__table__.c.id.in_(select(vote.c.idea_id)))
        .values(vote_count=Idea.__table__.c.vote_count + 1)
        .returning(Idea.__table__.c.vote_count)).scalar()
    if count is None:
        model.Session.rollback()
        raise tk.ValidationError({"id": [_("You have already voted for this idea.")]})
    model.Session.commit()
    return {"vote_count": count, "voted": True}


def regionaliot_idea_comment(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Comment on an idea (Markdown, shown cleaned).

    :param id: the idea's id
    :param body: the comment
    :param author_name: the display name of an anonymous commenter (required then)
    :returns: the comment
    """
    tk.check_access("regionaliot_idea_comment", context, data_dict)
    data = _validate(data_dict, schemas.idea_comment_schema(), context)
    _refuse_bots(data)
    idea, _staff = _idea_or_404(data["id"], context)
    user_id, author = _author(context, data)
    _rate("post", context)
    comment = IdeaComment(idea_id=idea.id, user_id=user_id, author_name=author,
                          body=data["body"], moderation=workflow.VISIBLE, created=_now())
    model.Session.add(comment)
    model.Session.query(Idea).filter(Idea.id == idea.id).update(
        {Idea.comment_count: Idea.comment_count + 1}, synchronize_session=False)
    model.Session.commit()
    return dictize.comment_dict(comment)


# ---------------------------------------------------------------- the workflow


def _answer(value: str) -> tuple[str | None, str | None]:
    """(dataset id, url) of what answered an idea: a public dataset of this portal by id
    or name, or a link (http, https, or a path on this site) to a story or page."""
    value = value.strip()
    package = model.Package.get(value)
    if package is not None and package.state == "active" and not package.private:
        return package.id, None
    lowered = value.lower()
    if lowered.startswith(("http://", "https://")) or (
            value.startswith("/") and not value.startswith("//")):
        if any(c.isspace() for c in value) or "\\" in value:
            raise tk.ValidationError({"answer": [_("Not a valid link.")]})
        return None, value
    raise tk.ValidationError({"answer": [
        _("Give a public dataset of this portal (its name) or a link to the story.")]})


def _dataset_path(package_id: str) -> str:
    name = model.Package.get(package_id).name
    try:
        return tk.url_for("dataset.read", id=name)
    except RuntimeError:  # outside a request (the CLI's demo seed)
        return f"/dataset/{name}"


def regionaliot_idea_update_status(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Move an idea one step, with a reply (staff of the municipality concerned).

    受付 received → 検討中 reviewing → 対応予定 planned (``expected_date``, YYYY-MM-DD) →
    公開済 published (``answer``: a dataset name or a link) or 見送り declined (``reason``).

    :param id: the idea's id
    :param status: the new status
    :param reply: the staff's reply, shown in the idea's timeline (required)
    :returns: the idea
    """
    data = _validate(data_dict, schemas.idea_update_status_schema(), context)
    idea = Idea.get(data["id"])
    if idea is None:
        raise tk.ObjectNotFound(_("Idea not found"))
    tk.check_access("regionaliot_idea_update_status", context, data)
    new = data["status"]
    errors = workflow.step_errors(idea.status, new, data.get("reply"), data.get("expected_date"),
                                  data.get("answer"), data.get("reason"))
    if errors:
        raise tk.ValidationError({field: [_(m).format(max=workflow.REPLY_MAX) for m in msgs]
                                  for field, msgs in errors.items()})
    package_id = url = None
    if new == workflow.PUBLISHED:
        package_id, url = _answer(data["answer"])
    user = _user(context)
    now = _now()
    event = IdeaEvent(idea_id=idea.id, event="status", from_status=idea.status, to_status=new,
                      reply=data["reply"].strip(), user_id=user.id if user else None,
                      created=now)
    if new == workflow.PLANNED:
        idea.expected_date = event.expected_date = workflow.parse_date(data["expected_date"])
    if new == workflow.PUBLISHED:
        idea.answer_package_id, idea.answer_url = package_id, url
        event.answer_url = url or _dataset_path(package_id)
    if new == workflow.DECLINED:
        idea.reason = event.reason = data["reason"].strip()
    idea.status = new
    idea.modified = now
    if idea.first_answered is None:
        idea.first_answered = now
    model.Session.add(event)
    model.Session.commit()
    _forget_figures()
    notify.status_changed(idea, event, user.id if user else None)
    return _show(idea, staff_view=True)


# ---------------------------------------------------------------- reports and moderation


def _target(idea: Idea, comment_id: str | None) -> tuple[str, IdeaComment | None]:
    if not comment_id:
        return f"idea:{idea.id}", None
    comment = IdeaComment.get(comment_id)
    if comment is None or comment.idea_id != idea.id:
        raise tk.ObjectNotFound(_("Comment not found"))
    return f"comment:{comment.id}", comment


def _decided_by_staff(idea: Idea, comment: IdeaComment | None) -> bool:
    query = model.Session.query(IdeaEvent).filter(
        IdeaEvent.idea_id == idea.id, IdeaEvent.event == "moderation",
        IdeaEvent.user_id.isnot(None))
    query = query.filter(IdeaEvent.comment_id == comment.id) if comment else query.filter(
        IdeaEvent.comment_id.is_(None))
    return query.count() > 0


def regionaliot_idea_report(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Report an idea or a comment as abusive. After reports from a number of different
    people (setting ``report_threshold``, 3) it is hidden until staff decide, unless staff
    have already decided about it.

    :param id: the idea's id
    :param comment_id: the comment, when a comment is reported
    :param reason: optional
    :returns: reported, hidden
    """
    data = _validate(data_dict, schemas.idea_report_schema(), context)
    tk.check_access("regionaliot_idea_report", context, data)
    idea, _staff = _idea_or_404(data["id"], context)
    target, comment = _target(idea, data.get("comment_id"))
    reporter = _voter(context)
    if reporter is None:
        raise tk.NotAuthorized(_("Log in, or report from the idea's page."))
    _rate("post", context)
    model.Session.execute(pg_insert(IdeaReport.__table__).values(
        idea_id=idea.id, target=target, reporter=reporter,
        reason=data.get("reason"), created=_now()).on_conflict_do_nothing())
    reporters = model.Session.query(func.count(IdeaReport.id)).filter(
        IdeaReport.target == target).scalar()
    subject = comment if comment is not None else idea
    hidden = False
    threshold = config.get_int("ckanext.regionaliot.ideas.report_threshold")
    if (subject.moderation == workflow.VISIBLE and workflow.reports_hide(reporters, threshold)
            and not _decided_by_staff(idea, comment)):
        subject.moderation = workflow.REPORTED
        subject.moderation_reason = f"reports: {reporters}"
        if comment is not None:
            idea.comment_count = max(0, (idea.comment_count or 0) - 1)
        model.Session.add(IdeaEvent(idea_id=idea.id, event="moderation",
                                    comment_id=comment.id if comment else None,
                                    to_status=workflow.REPORTED,
                                    reason=subject.moderation_reason, created=_now()))
        hidden = True
    model.Session.commit()
    _forget_figures()
    return {"reported": True, "hidden": hidden}


def regionaliot_idea_moderate(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Staff decide about an idea or a comment: ``visible``, ``hidden`` or ``spam``, with a
    reason. Nothing is deleted; the decision is kept in the timeline (staff only).

    :param id: the idea's id
    :param comment_id: the comment, when a comment is moderated
    :param decision: visible, hidden or spam
    :param reason: required
    :returns: the idea (staff view)
    """
    data = _validate(data_dict, schemas.idea_moderate_schema(), context)
    idea = Idea.get(data["id"])
    if idea is None:
        raise tk.ObjectNotFound(_("Idea not found"))
    tk.check_access("regionaliot_idea_moderate", context, data)
    _target_name, comment = _target(idea, data.get("comment_id"))
    subject = comment if comment is not None else idea
    before = subject.moderation
    subject.moderation = data["decision"]
    subject.moderation_reason = data["reason"]
    if comment is not None and (before == workflow.VISIBLE) != (
            data["decision"] == workflow.VISIBLE):
        step = 1 if data["decision"] == workflow.VISIBLE else -1
        idea.comment_count = max(0, (idea.comment_count or 0) + step)
    user = _user(context)
    model.Session.add(IdeaEvent(idea_id=idea.id, event="moderation",
                                comment_id=comment.id if comment else None,
                                from_status=before, to_status=data["decision"],
                                reason=data["reason"], user_id=user.id if user else None,
                                created=_now()))
    model.Session.commit()
    _forget_figures()
    return _show(idea, staff_view=True)


def _staff_scope(context: Any):
    """A filter on Idea for the ideas this user handles (None: all, a sysadmin)."""
    orgs = staff.staff_organizations(context.get("user"))
    if orgs is None:
        return None
    if not orgs:
        raise tk.NotAuthorized(_("Only staff can see the moderation queue."))
    scope = Idea.organization_id.in_(orgs)
    if staff.basin_organization_id() in orgs:
        scope = or_(scope, Idea.organization_id.is_(None))
    return scope


@tk.side_effect_free
def regionaliot_idea_moderation_queue(context: Any, data_dict: dict[str, Any]
                                      ) -> dict[str, Any]:
    """Staff's queue: the ideas and comments of their municipalities that are hidden,
    marked as spam, hidden by reports, or reported while still shown; each with its
    reports (how many, the latest reasons) and every decision so far. Nothing in it is
    ever deleted; a decision is ``regionaliot_idea_moderate``.

    :param state: ``open`` (default: hidden by reports, or reported and not yet decided),
        or ``hidden``, ``spam``, ``reported`` (hidden by reports), ``all``
    :param limit: at most 100 (default 50)
    :returns: items (type ``idea`` or ``comment``, the idea's id and title, the comment,
        moderation, moderation_reason, reports, report_reasons, decisions) and count
    """
    tk.check_access("regionaliot_idea_moderation_queue", context, data_dict)
    data = _validate(data_dict, schemas.idea_moderation_queue_schema(), context)
    state = data.get("state") or "open"
    limit = min(int(data.get("limit") or 50), MAX_LIMIT)
    scope = _staff_scope(context)
    session = model.Session
    reports = dict(session.query(IdeaReport.target, func.count(IdeaReport.id))
                   .group_by(IdeaReport.target).all())
    decided = {(e.idea_id, e.comment_id or None) for e in session.query(IdeaEvent).filter(
        IdeaEvent.event == "moderation", IdeaEvent.user_id.isnot(None))}

    def wanted(moderation: str, target: str, key: tuple[str, str | None]) -> bool:
        if state == "all":
            return moderation != workflow.VISIBLE or target in reports
        if state == "open":
            return moderation == workflow.REPORTED or (
                moderation == workflow.VISIBLE and target in reports and key not in decided)
        return moderation == state

    ideas = session.query(Idea)
    comments = session.query(IdeaComment, Idea).join(Idea, Idea.id == IdeaComment.idea_id)
    if scope is not None:
        ideas, comments = ideas.filter(scope), comments.filter(scope)
    reported_ideas = [t.split(":", 1)[1] for t in reports if t.startswith("idea:")]
    reported_comments = [t.split(":", 1)[1] for t in reports if t.startswith("comment:")]
    ideas = ideas.filter(or_(Idea.moderation != workflow.VISIBLE,
                             Idea.id.in_(reported_ideas)))
    comments = comments.filter(or_(IdeaComment.moderation != workflow.VISIBLE,
                                   IdeaComment.id.in_(reported_comments)))
    items: list[dict[str, Any]] = []
    for idea in ideas.order_by(Idea.modified.desc()).all():
        if wanted(idea.moderation, f"idea:{idea.id}", (idea.id, None)):
            items.append({"type": "idea", "target": f"idea:{idea.id}", "idea_id": idea.id,
                          "title": idea.title, "body": idea.body,
                          "author_name": idea.author_name, "created": idea.created,
                          "moderation": idea.moderation,
                          "moderation_reason": idea.moderation_reason, "comment": None})
    for comment, idea in comments.order_by(IdeaComment.created.desc()).all():
        if wanted(comment.moderation, f"comment:{comment.id}", (idea.id, comment.id)):
            items.append({"type": "comment", "target": f"comment:{comment.id}",
                          "idea_id": idea.id, "title": idea.title, "body": comment.body,
                          "author_name": comment.author_name, "created": comment.created,
                          "moderation": comment.moderation,
                          "moderation_reason": comment.moderation_reason,
                          "comment": comment.id})
    items.sort(key=lambda item: item["created"], reverse=True)
    count, items = len(items), items[:limit]
    targets = [item["target"] for item in items]
    reasons: dict[str, list[str]] = {}
    for target, reason in (session.query(IdeaReport.target, IdeaReport.reason)
                           .filter(IdeaReport.target.in_(targets))
                           .order_by(IdeaReport.created.desc())):
        if reason:
            reasons.setdefault(target, []).append(reason)
    events = (session.query(IdeaEvent).filter(
        IdeaEvent.event == "moderation",
        IdeaEvent.idea_id.in_({item["idea_id"] for item in items}))
        .order_by(IdeaEvent.created).all())
    names = dictize.display_names({e.user_id or "" for e in events})
    for item in items:
        item["created"] = dictize.iso(item["created"])
        item["reports"] = reports.get(item["target"], 0)
        item["report_reasons"] = reasons.get(item["target"], [])[:5]
        item["decisions"] = [dictize.event_dict(e, names) for e in events
                             if e.idea_id == item["idea_id"]
                             and (e.comment_id or None) == item["comment"]]
    return {"count": count, "items": items}


# ---------------------------------------------------------------- following and feeds


def regionaliot_idea_follow(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Follow an idea (an e-mail at each status change), or stop following it.

    :param id: the idea's id
    :param follow: true (default) or false
    :returns: following
    """
    data = _validate(data_dict, schemas.idea_follow_schema(), context)
    tk.check_access("regionaliot_idea_follow", context, data)
    idea, _staff = _idea_or_404(data["id"], context)
    user = _user(context)
    if user is None:
        raise tk.NotAuthorized(_("Log in to follow an idea."))
    follow = data.get("follow", True)
    existing = model.Session.get(IdeaFollower, (idea.id, user.id))
    if follow and existing is None:
        model.Session.add(IdeaFollower(idea_id=idea.id, user_id=user.id, created=_now()))
    elif not follow and existing is not None:
        model.Session.delete(existing)
    model.Session.commit()
    return {"following": bool(follow)}


@tk.side_effect_free
def regionaliot_idea_activity(context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """New ideas and status changes of public ideas, newest first (the Atom feed).

    :param limit: at most 100 (default 50)
    :returns: entries: type (``idea`` or ``status``), created, the idea (id, title, kind,
        status), and for a status change its status and reply
    """
    tk.check_access("regionaliot_idea_activity", context, data_dict)
    data = _validate(data_dict, schemas.idea_activity_schema(), context)
    limit = min(int(data.get("limit") or 50), MAX_LIMIT)
    session = model.Session
    ideas = (session.query(Idea).filter(Idea.moderation == workflow.VISIBLE)
             .order_by(Idea.created.desc()).limit(limit).all())
    steps = (session.query(IdeaEvent, Idea).join(Idea, Idea.id == IdeaEvent.idea_id)
             .filter(IdeaEvent.event == "status", Idea.moderation == workflow.VISIBLE)
             .order_by(IdeaEvent.created.desc()).limit(limit).all())

    def brief(idea: Idea) -> dict[str, Any]:
        return {"id": idea.id, "title": idea.title, "kind": idea.kind, "status": idea.status,
                "body": idea.body, "author_name": idea.author_name}

    entries = [{"type": "idea", "created": dictize.iso(i.created), "idea": brief(i)}
               for i in ideas]
    entries += [{"type": "status", "created": dictize.iso(e.created), "idea": brief(i),
                 "status": e.to_status, "reply": e.reply, "id": e.id} for e, i in steps]
    entries.sort(key=lambda e: e["created"] or "", reverse=True)
    return entries[:limit]
