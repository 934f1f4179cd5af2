"""Tables of the アイデアボックス (created by migration/regionaliot_ideas).

Nothing here is deleted by the feature: hidden ideas and comments keep their rows (with the
moderation state and reason), and every status change and moderation decision is a row
of ``regionaliot_idea_event``.
"""
from __future__ import annotations

import datetime
import uuid

import ckan.model as model
from ckan.model.base import BaseModel
from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, types

from . import workflow


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class Idea(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_idea"

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    kind = Column(types.UnicodeText, nullable=False)
    title = Column(types.UnicodeText, nullable=False)
    body = Column(types.UnicodeText, nullable=False, default="")
    # The municipality (organization) concerned; NULL: the whole basin.
    organization_id = Column(types.UnicodeText)
    user_id = Column(types.UnicodeText)  # NULL: posted anonymously
    author_name = Column(types.UnicodeText, nullable=False)
    status = Column(types.UnicodeText, nullable=False, default=workflow.RECEIVED)
    expected_date = Column(types.Date)
    answer_url = Column(types.UnicodeText)
    answer_package_id = Column(types.UnicodeText)
    reason = Column(types.UnicodeText)
    moderation = Column(types.UnicodeText, nullable=False, default=workflow.VISIBLE)
    moderation_reason = Column(types.UnicodeText)
    vote_count = Column(types.Integer, nullable=False, default=0)
    comment_count = Column(types.Integer, nullable=False, default=0)
    created = Column(types.DateTime, nullable=False, default=_now)
    modified = Column(types.DateTime, nullable=False, default=_now)
    first_answered = Column(types.DateTime)

    __table_args__ = (
        # The whole sort order of each list, read backwards (newest / most votes first).
        Index("idx_regionaliot_idea_list", "moderation", "created", "id"),
        Index("idx_regionaliot_idea_votes", "moderation", "vote_count", "created", "id"),
        Index("idx_regionaliot_idea_org", "organization_id"),
        Index("idx_regionaliot_idea_answer", "answer_package_id"),
    )

    @classmethod
    def get(cls, idea_id: str) -> Idea | None:
        return model.Session.get(cls, idea_id) if idea_id else None


class IdeaDataset(BaseModel):  # type: ignore[valid-type,misc]
    """A dataset the idea is about (not the answer: that is Idea.answer_package_id)."""
    __tablename__ = "regionaliot_idea_dataset"

    idea_id = Column(types.UnicodeText, ForeignKey("regionaliot_idea.id", ondelete="CASCADE"),
                     primary_key=True)
    package_id = Column(types.UnicodeText, primary_key=True)


class IdeaVote(BaseModel):  # type: ignore[valid-type,misc]
    """One vote per idea and voter: ``user:<id>``, or ``anon:<token of a signed cookie>``."""
    __tablename__ = "regionaliot_idea_vote"

    idea_id = Column(types.UnicodeText, ForeignKey("regionaliot_idea.id", ondelete="CASCADE"),
                     primary_key=True)
    voter = Column(types.UnicodeText, primary_key=True)
    user_id = Column(types.UnicodeText)
    created = Column(types.DateTime, nullable=False, default=_now)


class IdeaComment(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_idea_comment"

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    idea_id = Column(types.UnicodeText, ForeignKey("regionaliot_idea.id", ondelete="CASCADE"),
                     nullable=False)
    user_id = Column(types.UnicodeText)
    author_name = Column(types.UnicodeText, nullable=False)
    body = Column(types.UnicodeText, nullable=False)
    moderation = Column(types.UnicodeText, nullable=False, default=workflow.VISIBLE)
    moderation_reason = Column(types.UnicodeText)
    created = Column(types.DateTime, nullable=False, default=_now)

    __table_args__ = (Index("idx_regionaliot_idea_comment_idea", "idea_id", "created"),)

    @classmethod
    def get(cls, comment_id: str) -> IdeaComment | None:
        return model.Session.get(cls, comment_id) if comment_id else None


class IdeaEvent(BaseModel):  # type: ignore[valid-type,misc]
    """The timeline: ``status`` steps (public, with the staff's reply) and ``moderation``
    decisions (shown to staff only)."""
    __tablename__ = "regionaliot_idea_event"

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    idea_id = Column(types.UnicodeText, ForeignKey("regionaliot_idea.id", ondelete="CASCADE"),
                     nullable=False)
    event = Column(types.UnicodeText, nullable=False)  # status | moderation
    comment_id = Column(types.UnicodeText)  # a moderation decision about a comment
    from_status = Column(types.UnicodeText)
    to_status = Column(types.UnicodeText)
    reply = Column(types.UnicodeText)
    expected_date = Column(types.Date)
    answer_url = Column(types.UnicodeText)
    reason = Column(types.UnicodeText)
    user_id = Column(types.UnicodeText)
    created = Column(types.DateTime, nullable=False, default=_now)

    __table_args__ = (Index("idx_regionaliot_idea_event_idea", "idea_id", "created"),)


class IdeaReport(BaseModel):  # type: ignore[valid-type,misc]
    """A report of an idea or a comment; one per reporter and target."""
    __tablename__ = "regionaliot_idea_report"

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    idea_id = Column(types.UnicodeText, ForeignKey("regionaliot_idea.id", ondelete="CASCADE"),
                     nullable=False)
    target = Column(types.UnicodeText, nullable=False)  # idea:<id> | comment:<id>
    reporter = Column(types.UnicodeText, nullable=False)
    reason = Column(types.UnicodeText)
    created = Column(types.DateTime, nullable=False, default=_now)

    __table_args__ = (UniqueConstraint("target", "reporter",
                                       name="regionaliot_idea_report_once"),)


class IdeaFollower(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_idea_follower"

    idea_id = Column(types.UnicodeText, ForeignKey("regionaliot_idea.id", ondelete="CASCADE"),
                     primary_key=True)
    user_id = Column(types.UnicodeText, primary_key=True)
    created = Column(types.DateTime, nullable=False, default=_now)
