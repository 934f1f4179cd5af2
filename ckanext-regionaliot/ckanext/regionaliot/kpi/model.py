"""Tables of the KPI plugin (migration/regionaliot_kpi): imported national lists and daily
snapshots of the figures."""
from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.model as model
from ckan.model.base import BaseModel
from sqlalchemy import Column, Date, DateTime, Float, ForeignKey, Integer, UnicodeText


class NationalList(BaseModel):  # type: ignore[valid-type,misc]
    """One import of デジタル庁's list of engaged local governments."""

    __tablename__ = "regionaliot_kpi_national_list"

    id = Column(UnicodeText, primary_key=True)
    as_of = Column(Date, nullable=False, unique=True)
    imported = Column(DateTime, nullable=False)
    source = Column(UnicodeText)  # the file name or URL it came from
    encoding = Column(UnicodeText)
    rows = Column(Integer, nullable=False, default=0)
    engaged = Column(Integer, nullable=False, default=0)
    problems = Column(UnicodeText)  # JSON list of {msgid, params}

    @classmethod
    def latest(cls) -> NationalList | None:
        return model.Session.query(cls).order_by(cls.as_of.desc()).first()

    @classmethod
    def all(cls) -> list[NationalList]:
        return model.Session.query(cls).order_by(cls.as_of).all()

    @classmethod
    def on(cls, day: datetime.date) -> NationalList | None:
        return model.Session.query(cls).filter(cls.as_of == day).first()

    def entries(self, codes: list[str] | None = None) -> dict[str, NationalEntry]:
        query = model.Session.query(NationalEntry).filter(NationalEntry.list_id == self.id)
        if codes is not None:
            query = query.filter(NationalEntry.code.in_(codes))
        return {entry.code: entry for entry in query}

    def codes(self) -> list[str]:
        return [row[0] for row in model.Session.query(NationalEntry.code)
                .filter(NationalEntry.list_id == self.id)]

    def problem_list(self) -> list[dict[str, Any]]:
        return json.loads(self.problems or "[]")


class NationalEntry(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_kpi_national_entry"

    list_id = Column(UnicodeText, ForeignKey("regionaliot_kpi_national_list.id",
                                             ondelete="CASCADE"), primary_key=True)
    code = Column(UnicodeText, primary_key=True)
    name = Column(UnicodeText)
    page_url = Column(UnicodeText)
    site_urls = Column(UnicodeText)  # JSON list

    def urls(self) -> list[str]:
        return json.loads(self.site_urls or "[]")

    @property
    def url(self) -> str:
        return self.page_url or next(iter(self.urls()), "")


class Snapshot(BaseModel):  # type: ignore[valid-type,misc]
    """The figures of one day (a second snapshot the same day replaces the first)."""

    __tablename__ = "regionaliot_kpi_snapshot"

    day = Column(Date, primary_key=True)
    taken = Column(DateTime, nullable=False)
    consortium_rate = Column(Float)
    prefecture_rate = Column(Float)
    national_rate = Column(Float)
    mean_score = Column(Float)
    figures = Column(UnicodeText)  # JSON: what regionaliot_kpi_show returned, untranslated

    @classmethod
    def get(cls, day: datetime.date) -> Snapshot | None:
        return model.Session.get(cls, day)

    @classmethod
    def latest(cls) -> Snapshot | None:
        return model.Session.query(cls).order_by(cls.day.desc()).first()

    @classmethod
    def between(cls, since: datetime.date | None, limit: int) -> list[Snapshot]:
        query = model.Session.query(cls)
        if since is not None:
            query = query.filter(cls.day >= since)
        return list(reversed(query.order_by(cls.day.desc()).limit(limit).all()))

    def as_dict(self, with_figures: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "day": self.day.isoformat(), "taken": self.taken.isoformat(),
            "consortium_rate": self.consortium_rate, "prefecture_rate": self.prefecture_rate,
            "national_rate": self.national_rate, "mean_score": self.mean_score,
        }
        figures = json.loads(self.figures or "{}")
        data["scores"] = {m["code"]: m["score"] for m in figures.get("members", [])}
        if with_figures:
            data["figures"] = figures
        return data
