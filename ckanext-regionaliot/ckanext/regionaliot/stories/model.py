"""The stories' table (created by migration/regionaliot_stories).

A withdrawn story keeps its row (state ``withdrawn``): its URL answers "not found" to
readers, and staff can publish it again.
"""
from __future__ import annotations

import datetime
import uuid

import ckan.model as model
from ckan.model.base import BaseModel
from sqlalchemy import Column, Index, types
from sqlalchemy.dialects.postgresql import ARRAY

DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"
STATES = (DRAFT, PUBLISHED, WITHDRAWN)


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class Story(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_story"

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    name = Column(types.UnicodeText, nullable=False, unique=True)  # the stable URL
    title = Column(types.UnicodeText, nullable=False)
    title_en = Column(types.UnicodeText)
    lead = Column(types.UnicodeText, nullable=False, default="")
    lead_en = Column(types.UnicodeText)
    body = Column(types.UnicodeText, nullable=False, default="")  # Markdown
    body_en = Column(types.UnicodeText)
    cover_url = Column(types.UnicodeText)
    cover_alt = Column(types.UnicodeText)
    blocks = Column(types.UnicodeText, nullable=False, default="[]")  # JSON list
    # Organization ids of the municipalities concerned, and category (group) names.
    organizations = Column(ARRAY(types.UnicodeText), nullable=False, default=list)
    categories = Column(ARRAY(types.UnicodeText), nullable=False, default=list)
    user_id = Column(types.UnicodeText)  # the author
    state = Column(types.UnicodeText, nullable=False, default=DRAFT)
    created = Column(types.DateTime, nullable=False, default=_now)
    modified = Column(types.DateTime, nullable=False, default=_now)
    published = Column(types.DateTime)

    __table_args__ = (
        Index("idx_regionaliot_story_list", "state", "published"),
        Index("idx_regionaliot_story_orgs", "organizations", postgresql_using="gin"),
    )

    @classmethod
    def get(cls, ref: str) -> Story | None:
        """By id or by name."""
        if not ref:
            return None
        return (model.Session.get(cls, ref)
                or model.Session.query(cls).filter(cls.name == ref).one_or_none())
