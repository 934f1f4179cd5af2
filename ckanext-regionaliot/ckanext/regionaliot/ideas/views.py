"""Pages of the アイデアボックス: /ideas (filters, sorting, pages, figures), an idea's
page (timeline, comments, votes, staff forms), the form with a preview, and an Atom feed.

Every page calls the actions; every form is a POST with CKAN's CSRF token (CKAN's
CSRFProtect refuses a POST without it). Anonymous votes and reports carry the browser's
signed cookie (voter.py) into the action's context.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.helpers import Page
from feedgen.feed import FeedGenerator
from flask import Blueprint, make_response

from . import voter
from .logic.auth import VOTER_CONTEXT_KEY

__all__ = ["ideas"]

_ = tk._

ideas = Blueprint("regionaliot_ideas", __name__)

FILTERS = ("kind", "status", "organization", "sort", "q")
# An idea's page shows the latest comments; ?comments=all shows every one.
PAGE_COMMENTS = 50


def _context(anonymous_identity: bool = False) -> dict[str, Any]:
    context: dict[str, Any] = {"user": tk.current_user.name,
                               "auth_user_obj": tk.current_user}
    if not tk.current_user.name:
        token = voter.ensure() if anonymous_identity else voter.read()
        if token:
            context[VOTER_CONTEXT_KEY] = token
    return context


def _messages(error: tk.ValidationError) -> str:
    return " ".join(str(m) for msgs in (error.error_dict or {}).values()
                    for m in (msgs if isinstance(msgs, list) else [msgs]))


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


def index():
    args = tk.request.args
    params = {key: args.get(key, "") for key in FILTERS if args.get(key)}
    page = min(_int(args.get("page"), 1), 50_000)  # beyond: an empty page, not an overflow
    limit = tk.config.get("ckanext.regionaliot.ideas.page_size")
    try:
        result = tk.get_action("regionaliot_idea_list")(
            _context(), dict(params, limit=limit, offset=(page - 1) * int(limit)))
    except tk.ValidationError as e:
        tk.h.flash_error(_messages(e))
        params, result = {}, tk.get_action("regionaliot_idea_list")(_context(), {})

    def pager_url(q: Any = None, page: int = 1) -> str:
        return tk.h.url_for("regionaliot_ideas.index", page=page, **params)

    pager = Page(collection=result["results"], page=page, url=pager_url,
                      item_count=result["count"], items_per_page=int(limit),
                      presliced_list=True)
    return tk.render("regionaliot/ideas/index.html", {
        "result": result, "params": params, "page": pager})


def _form_data() -> dict[str, Any]:
    form = tk.request.form
    return {"kind": form.get("kind", ""), "title": form.get("title", ""),
            "body": form.get("body", ""), "organization": form.get("organization", ""),
            "datasets": form.get("datasets", ""), "author_name": form.get("author_name", ""),
            "website": form.get("website", "")}


def new():
    data: dict[str, Any] = {"kind": tk.request.args.get("kind", "idea"),
                            "organization": tk.request.args.get("organization", "")}
    errors: dict[str, Any] = {}
    preview = False
    if tk.request.method == "POST":
        data = _form_data()
        if "preview" in tk.request.form:
            preview = True
        else:
            try:
                idea = tk.get_action("regionaliot_idea_create")(_context(), data)
            except tk.NotAuthorized as e:
                return tk.abort(403, str(e) or _("Log in to post an idea."))
            except tk.ValidationError as e:
                errors = e.error_dict
            else:
                tk.h.flash_success(_("Thank you: your idea was posted."))
                return tk.redirect_to("regionaliot_ideas.read", id=idea["id"])
    return tk.render("regionaliot/ideas/new.html", {
        "data": data, "errors": errors, "preview": preview})


def read(id: str):
    try:
        data = {"id": id}
        if tk.request.args.get("comments") != "all":
            data["comment_limit"] = PAGE_COMMENTS
        idea = tk.get_action("regionaliot_idea_show")(_context(), data)
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, _("Idea not found"))
    return tk.render("regionaliot/ideas/read.html", {"idea": idea})


def _post(action: str, id: str, fields: tuple[str, ...], done: str,
          anonymous_identity: bool = False, back: str | None = None):
    data = {key: tk.request.form.get(key, "") for key in fields}
    data["id"] = id
    try:
        tk.get_action(action)(_context(anonymous_identity), data)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Idea not found"))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or _("Not authorized"))
    except tk.ValidationError as e:
        tk.h.flash_error(_messages(e))
    else:
        tk.h.flash_success(done)
    if back:
        return tk.redirect_to(back)
    return tk.redirect_to("regionaliot_ideas.read", id=id)


def vote(id: str):
    return _post("regionaliot_idea_vote", id, (), _("Your vote was counted."),
                 anonymous_identity=True)


def comment(id: str):
    return _post("regionaliot_idea_comment", id, ("body", "author_name", "website"),
                 _("Your comment was posted."))


def status(id: str):
    return _post("regionaliot_idea_update_status", id,
                 ("status", "reply", "expected_date", "answer", "reason"),
                 _("The status was changed."))


def report(id: str):
    return _post("regionaliot_idea_report", id, ("comment_id", "reason"),
                 _("Thank you: staff will look at your report."), anonymous_identity=True)


def moderate(id: str):
    # From the moderation page, back to it (a fixed endpoint: no open redirect).
    back = ("regionaliot_ideas.moderation"
            if tk.request.form.get("return_to") == "moderation" else None)
    return _post("regionaliot_idea_moderate", id, ("comment_id", "decision", "reason"),
                 _("The decision was recorded."), back=back)


MODERATION_STATES = ("open", "reported", "hidden", "spam", "all")


def moderation():
    """Staff's queue of hidden, reported and spam ideas and comments, with the reports'
    reasons and every decision; each item has the hide / show / spam form."""
    state = tk.request.args.get("state", "open")
    if state not in MODERATION_STATES:
        state = "open"
    try:
        queue = tk.get_action("regionaliot_idea_moderation_queue")(
            _context(), {"state": state, "limit": 100})
    except tk.NotAuthorized:
        return tk.abort(403, _("Only staff can see the moderation queue."))
    return tk.render("regionaliot/ideas/moderation.html", {
        "queue": queue, "state": state, "states": MODERATION_STATES})


def follow(id: str):
    following = tk.request.form.get("follow", "true")
    data = {"follow": following}
    try:
        tk.get_action("regionaliot_idea_follow")(_context(), dict(data, id=id))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Idea not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Log in to follow an idea."))
    except tk.ValidationError as e:
        tk.h.flash_error(_messages(e))
    return tk.redirect_to("regionaliot_ideas.read", id=id)


def _xml_text(value: str | None) -> str:
    """Text XML 1.0 can carry: other control characters (a pasted NUL...) are dropped."""
    return "".join(c for c in (value or "") if c in "\t\n\r" or ord(c) >= 0x20)


def feed():
    """Atom: new ideas and status changes. Titles and texts go in as plain text (feedgen
    escapes them), never as HTML."""
    entries = tk.get_action("regionaliot_idea_activity")(_context(), {"limit": 50})
    gen = FeedGenerator()
    site = tk.config.get("ckan.site_title") or "CKAN"
    gen.id(tk.url_for("regionaliot_ideas.feed", _external=True))
    gen.title(_("{site}: Idea box").format(site=site))
    gen.link(href=tk.url_for("regionaliot_ideas.index", _external=True), rel="alternate")
    gen.link(href=tk.url_for("regionaliot_ideas.feed", _external=True), rel="self")
    gen.language(tk.h.lang())
    newest = None
    for item in reversed(entries):  # feedgen prepends: oldest first gives newest on top
        idea = item["idea"]
        created = datetime.datetime.fromisoformat(item["created"]).replace(
            tzinfo=datetime.timezone.utc)
        newest = max(newest, created) if newest else created
        url = tk.url_for("regionaliot_ideas.read", id=idea["id"], _external=True)
        entry = gen.add_entry()
        if item["type"] == "status":
            entry.id(f"{url}#step-{item['id']}")
            entry.title(_("{title}: {status}").format(
                title=_xml_text(idea["title"]), status=tk.h.regionaliot_idea_status_label(item["status"])))
            entry.content(_xml_text(item.get("reply")), type="text")
        else:
            entry.id(url)
            entry.title(_xml_text(idea["title"]))
            entry.content(_xml_text(idea.get("body")), type="text")
            entry.author({"name": _xml_text(idea["author_name"]) or "-"})
        entry.link(href=url)
        entry.updated(created)
    gen.updated(newest or datetime.datetime.now(datetime.timezone.utc))
    response = make_response(gen.atom_str(pretty=True))
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


ideas.add_url_rule("/ideas", view_func=index)
ideas.add_url_rule("/ideas/new", view_func=new, methods=["GET", "POST"])
ideas.add_url_rule("/ideas/feed.atom", view_func=feed)
ideas.add_url_rule("/ideas/moderation", view_func=moderation)
ideas.add_url_rule("/ideas/<id>", view_func=read)
ideas.add_url_rule("/ideas/<id>/vote", view_func=vote, methods=["POST"])
ideas.add_url_rule("/ideas/<id>/comment", view_func=comment, methods=["POST"])
ideas.add_url_rule("/ideas/<id>/status", view_func=status, methods=["POST"])
ideas.add_url_rule("/ideas/<id>/report", view_func=report, methods=["POST"])
ideas.add_url_rule("/ideas/<id>/moderate", view_func=moderate, methods=["POST"])
ideas.add_url_rule("/ideas/<id>/follow", view_func=follow, methods=["POST"])
