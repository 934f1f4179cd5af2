"""Demo ideas for the アイデアボックス: the records of the core seed's ``seed/ideas.json``
written straight into the tables, so that they carry past dates, votes, comments and
the staff's replies as if the box had been in use for weeks.

Idempotent: an idea whose title exists is left alone (with its votes and comments). Each
step is checked by workflow.step_errors like a real one. Votes come from demo voters
(``demo:<n>``), never from a user or a browser.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model

from . import workflow
from .model import Idea, IdeaComment, IdeaDataset, IdeaEvent, IdeaVote


class DemoError(ValueError):
    """A record of the demo file that the workflow would refuse."""


def _package(name: str | None) -> model.Package | None:
    package = model.Package.get(name) if name else None
    return package if package is not None and package.state == "active" else None


def _add_idea(record: dict[str, Any], now: datetime.datetime) -> Idea:
    def ago(days: float) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    org = model.Group.get(record.get("organization") or "")
    created = ago(record["days_ago"])
    idea = Idea(kind=record["kind"], title=record["title"], body=record.get("body") or "",
                organization_id=org.id if org is not None else None, user_id=None,
                author_name=record["author"], status=workflow.RECEIVED,
                moderation=workflow.VISIBLE, vote_count=0, comment_count=0,
                created=created, modified=created)
    model.Session.add(idea)
    model.Session.flush()
    for name in record.get("datasets") or []:
        package = _package(name)
        if package is not None:
            model.Session.add(IdeaDataset(idea_id=idea.id, package_id=package.id))
    for step in record.get("steps") or []:
        errors = workflow.step_errors(idea.status, step["status"], step.get("reply"),
                                      step.get("expected_date"), step.get("answer"),
                                      step.get("reason"))
        if errors:
            raise DemoError(f"{record['title']}: {errors}")
        at = ago(step["days_ago"])
        event = IdeaEvent(idea_id=idea.id, event="status", from_status=idea.status,
                          to_status=step["status"], reply=step["reply"], created=at)
        if step["status"] == workflow.PLANNED:
            idea.expected_date = event.expected_date = workflow.parse_date(
                step["expected_date"])
        if step["status"] == workflow.PUBLISHED:
            package = _package(step["answer"])
            if package is not None:
                idea.answer_package_id = package.id
                event.answer_url = f"/dataset/{package.name}"
            else:  # the demo datasets were not loaded: the answer stays a link
                idea.answer_url = event.answer_url = f"/dataset/{step['answer']}"
        if step["status"] == workflow.DECLINED:
            idea.reason = event.reason = step["reason"]
        idea.status = step["status"]
        idea.modified = at
        idea.first_answered = idea.first_answered or at
        model.Session.add(event)
    for comment in record.get("comments") or []:
        model.Session.add(IdeaComment(idea_id=idea.id, author_name=comment["author"],
                                      body=comment["body"], moderation=workflow.VISIBLE,
                                      created=ago(comment["days_ago"])))
    idea.comment_count = len(record.get("comments") or [])
    votes = int(record.get("votes") or 0)
    for n in range(votes):
        # spread over the idea's life, never before it was posted
        model.Session.add(IdeaVote(idea_id=idea.id, voter=f"demo:{n}",
                                   created=created + (now - created) * (n + 1) / (votes + 1)))
    idea.vote_count = votes
    return idea


def load(records: list[dict[str, Any]], now: datetime.datetime | None = None
         ) -> list[tuple[str, str]]:
    """Add the ideas that are missing; (title, ``created`` or ``unchanged``) for each."""
    now = now or datetime.datetime.utcnow()
    done = []
    for record in records:
        exists = model.Session.query(Idea.id).filter(Idea.title == record["title"]).first()
        if exists:
            done.append((record["title"], "unchanged"))
            continue
        _add_idea(record, now)
        done.append((record["title"], "created"))
    model.Session.commit()
    return done
