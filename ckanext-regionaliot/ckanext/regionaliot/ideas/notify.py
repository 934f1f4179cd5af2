"""E-mail to an idea's followers when its status changes (CKAN's mailer, plain text only,
so nothing a citizen wrote can become markup in a mail client).

Sent in the request, after the change is committed; a mail that fails is logged and the
others are still sent. Followers are the poster (when logged in) and whoever follows it.
"""
from __future__ import annotations

import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer
from flask import current_app, has_request_context
from flask_babel import pgettext

from ckanext.regionaliot.lib.i18n import N_

from .model import Idea, IdeaEvent, IdeaFollower

log = logging.getLogger(__name__)


# With a context: all catalogues are merged and the core's "Published" (公開しているもの,
# about standard datasets) would win over the idea box's 公開済.
STATUS_CONTEXT = "idea status"
STATUS_MSGIDS = {
    "received": N_("Received"),
    "reviewing": N_("Under review"),
    "planned": N_("Planned"),
    "published": N_("Published"),
    "declined": N_("Declined"),
}


def status_label(status: str) -> str:
    """One gettext call per label (a list page asks for dozens)."""
    msgid = STATUS_MSGIDS.get(status)
    return pgettext(STATUS_CONTEXT, msgid) if msgid else status


def _body(idea: Idea, event: IdeaEvent, url: str) -> str:
    lines = [
        tk._("The idea you follow has a new status: {status}").format(
            status=status_label(event.to_status or "")),
        "",
        idea.title,
        url,
        "",
        event.reply or "",
    ]
    if event.expected_date:
        lines += ["", tk._("Expected date: {date}").format(date=event.expected_date.isoformat())]
    if event.reason:
        lines += ["", tk._("Reason: {reason}").format(reason=event.reason)]
    return "\n".join(lines)


def idea_url(idea_id: str) -> str:
    try:
        return tk.url_for("regionaliot_ideas.read", id=idea_id, _external=True)
    except RuntimeError:  # no request to build an absolute URL from
        return "{}/ideas/{}".format(tk.config.get("ckan.site_url", "").rstrip("/"), idea_id)


def status_changed(idea: Idea, event: IdeaEvent, actor_id: str | None) -> int:
    """Mail every follower with an address except the one who made the change."""
    if not has_request_context():  # a CLI or job: gettext needs a request (the site's locale)
        with current_app.test_request_context():
            return _send(idea, event, actor_id)
    return _send(idea, event, actor_id)


def _send(idea: Idea, event: IdeaEvent, actor_id: str | None) -> int:
    rows = (model.Session.query(model.User)
            .join(IdeaFollower, IdeaFollower.user_id == model.User.id)
            .filter(IdeaFollower.idea_id == idea.id, model.User.state == "active").all())
    url = idea_url(idea.id)
    subject = tk._("[Idea box] {title}: {status}").format(
        title=idea.title, status=status_label(event.to_status or ""))
    sent = 0
    for user in rows:
        if user.id == actor_id or not user.email:
            continue
        try:
            mailer.mail_recipient(user.display_name, user.email, subject,
                                  _body(idea, event, url))
            sent += 1
        except Exception:  # one bad address must not stop the others, nor the change
            log.exception("Idea box: the status mail to user %s failed", user.id)
    return sent
