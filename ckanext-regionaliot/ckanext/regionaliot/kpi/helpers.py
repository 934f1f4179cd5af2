"""Template helpers of the KPI plugin (registered by name via ITemplateHelpers)."""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model

from . import texts
from .model import Snapshot

log = logging.getLogger(__name__)

__all__ = ["regionaliot_kpi_ribbon", "regionaliot_kpi_state_label",
           "regionaliot_kpi_rule_label", "regionaliot_kpi_label"]


def regionaliot_kpi_ribbon() -> dict[str, Any] | None:
    """The three rates of the home-page ribbon, from the latest daily snapshot (cheap on
    every home-page view); None before the first snapshot or on any problem."""
    try:
        row = Snapshot.latest()
    except Exception:  # the ribbon must never break the home page
        log.exception("KPI ribbon: no snapshot could be read")
        model.Session.rollback()  # the rest of the page still reads the database
        return None
    if row is None:
        return None
    data = json.loads(row.figures or "{}")
    consortium = data.get("consortium") or {}
    prefecture = data.get("prefecture") or {}
    return {
        "day": row.day.isoformat(),
        "consortium": {"rate": row.consortium_rate, "engaged": consortium.get("engaged"),
                       "members": consortium.get("members"),
                       "title": consortium.get("title")},
        "prefecture": {"rate": row.prefecture_rate, "code": prefecture.get("code"),
                       "name": prefecture.get("name"), "name_en": prefecture.get("name_en")}
        if prefecture else None,
        "national": {"rate": row.national_rate} if row.national_rate is not None else None,
        "mean_score": row.mean_score,
    }


def regionaliot_kpi_state_label(state: str) -> str:
    return texts.state_label(state)


def regionaliot_kpi_rule_label(rule: str) -> str:
    return texts.rule_label(rule)


def regionaliot_kpi_label(value: Any) -> str:
    return texts.label(value)
