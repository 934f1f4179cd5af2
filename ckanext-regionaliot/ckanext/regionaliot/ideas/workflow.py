"""The アイデアボックス's rules that need no CKAN: the status workflow, what each step must
carry, and the list's figures (answered ideas, median time to a first answer).

Messages are English msgids, translated by the caller (``tk._``) in the reader's language.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("idea", "request")  # 活用アイデア, データ要望

RECEIVED, REVIEWING, PLANNED, PUBLISHED, DECLINED = (
    "received", "reviewing", "planned", "published", "declined")
STATUSES = (RECEIVED, REVIEWING, PLANNED, PUBLISHED, DECLINED)
# An idea is answered for good when it was published or declined.
CLOSED = (PUBLISHED, DECLINED)

# Where staff may move an idea from each status. 対応予定 → 対応予定 changes the expected
# date (with a reply saying why); a declined idea may be taken up again, a published one not.
NEXT: dict[str, tuple[str, ...]] = {
    RECEIVED: (REVIEWING, PLANNED, PUBLISHED, DECLINED),
    REVIEWING: (PLANNED, PUBLISHED, DECLINED),
    PLANNED: (PLANNED, REVIEWING, PUBLISHED, DECLINED),
    PUBLISHED: (),
    DECLINED: (REVIEWING,),
}

TITLE_MAX = 100
BODY_MAX = 10000
REPLY_MAX = 5000
NAME_MAX = 50

# Moderation states: visible; hidden or spam by staff; reported = hidden automatically
# after enough reports until staff decide. Nothing is ever deleted.
VISIBLE, HIDDEN, SPAM, REPORTED = "visible", "hidden", "spam", "reported"
MODERATION = (VISIBLE, HIDDEN, SPAM, REPORTED)
DECISIONS = (VISIBLE, HIDDEN, SPAM)


def N_(text: str) -> str:
    """Mark a msgid without translating it (this module has no locale)."""
    return text


MSG_REPLY = N_("Write a reply: it is shown on the idea's page with the new status.")
MSG_STEP = N_("An idea cannot move from this status to that one.")
MSG_DATE = N_("Give the expected date (YYYY-MM-DD) of a planned answer.")
MSG_ANSWER = N_("Give the dataset or story that answered the idea.")
MSG_REASON = N_("Give the reason why the idea is declined.")
MSG_TOO_LONG = N_("Too long: at most {max} characters.")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str | None) -> datetime.date | None:
    """A YYYY-MM-DD date, or None when it is missing or not a real date."""
    value = (value or "").strip()
    if not _DATE.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def step_errors(current: str, new: str, reply: str | None, expected_date: str | None = None,
                answer: str | None = None, reason: str | None = None) -> dict[str, list[str]]:
    """What is missing or wrong in a status change, by field; empty when it may be made."""
    errors: dict[str, list[str]] = {}
    if new not in NEXT.get(current, ()):
        errors["status"] = [MSG_STEP]
    reply = (reply or "").strip()
    if not reply:
        errors["reply"] = [MSG_REPLY]
    elif len(reply) > REPLY_MAX:
        errors["reply"] = [MSG_TOO_LONG]
    if new == PLANNED and parse_date(expected_date) is None:
        errors["expected_date"] = [MSG_DATE]
    if new == PUBLISHED and not (answer or "").strip():
        errors["answer"] = [MSG_ANSWER]
    if new == DECLINED and not (reason or "").strip():
        errors["reason"] = [MSG_REASON]
    return errors


@dataclass(frozen=True)
class AnswerFigures:
    total: int  # ideas counted
    answered: int  # with a first reply from staff
    closed: int  # published or declined
    median_seconds: float | None  # to the first reply, over answered ideas; None if none


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def answer_figures(rows: Iterable[tuple[datetime.datetime, datetime.datetime | None, str]]
                   ) -> AnswerFigures:
    """From (created, first answered or None, status) of each idea.

    The median is over the ideas that have an answer: an idea still waiting has no time
    to count yet (the list shows how many wait, beside it). A first answer stamped
    before its idea (clock skew) counts as zero, never negative.
    """
    total = answered = closed = 0
    waits: list[float] = []
    for created, first_answered, status in rows:
        total += 1
        if status in CLOSED:
            closed += 1
        if first_answered is not None:
            answered += 1
            waits.append(max(0.0, (first_answered - created).total_seconds()))
    return AnswerFigures(total=total, answered=answered, closed=closed,
                         median_seconds=median(waits))


def duration_parts(seconds: float) -> tuple[int, str]:
    """A duration as (amount, unit) with unit minutes, hours or days, rounded so that the
    reader sees one number: under 2 hours in minutes, under 2 days in hours, else days."""
    if seconds < 2 * 3600:
        return max(1, round(seconds / 60)), "minutes"
    if seconds < 2 * 86400:
        return round(seconds / 3600), "hours"
    return round(seconds / 86400), "days"


def reports_hide(distinct_reporters: int, threshold: int) -> bool:
    """Content is hidden automatically once this many different people reported it."""
    return threshold > 0 and distinct_reporters >= threshold
