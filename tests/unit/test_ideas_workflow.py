"""The アイデアボックス's pure rules (ckanext.regionaliot.ideas.workflow, no CKAN): the
steps staff may take and what each needs, and the figures of the list."""
from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from ckanext.regionaliot.ideas import workflow as wf

T0 = datetime.datetime(2026, 4, 1, 9, 0)


def hours(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=n)


def test_the_module_imports_nothing_of_ckan():
    source = Path(wf.__file__).read_text(encoding="utf-8")
    names = {alias.name for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module or "" for node in ast.walk(ast.parse(source))
              if isinstance(node, ast.ImportFrom)}
    assert not any(n.startswith(("ckan", "flask", "sqlalchemy")) for n in names)


@pytest.mark.parametrize("values, expected", [
    ([], None), ([5], 5.0), ([3, 1, 2], 2.0), ([4, 1, 3, 2], 2.5), ([10, 10], 10.0),
])
def test_median(values, expected):
    assert wf.median(values) == expected


def test_answer_figures_count_answers_and_the_median_wait():
    rows = [
        (T0, hours(2), wf.REVIEWING),     # answered after 2 h
        (T0, hours(30), wf.PUBLISHED),    # 30 h, closed
        (T0, hours(10), wf.DECLINED),     # 10 h, closed
        (T0, None, wf.RECEIVED),          # still waiting: not in the median
    ]
    figures = wf.answer_figures(rows)
    assert (figures.total, figures.answered, figures.closed) == (4, 3, 2)
    assert figures.median_seconds == 10 * 3600


def test_answer_figures_even_count_empty_and_clock_skew():
    assert wf.answer_figures([]).median_seconds is None
    assert wf.answer_figures([(T0, None, wf.RECEIVED)]) == wf.AnswerFigures(1, 0, 0, None)
    even = wf.answer_figures([(T0, hours(1), wf.REVIEWING), (T0, hours(3), wf.REVIEWING)])
    assert even.median_seconds == 2 * 3600
    skewed = wf.answer_figures([(T0, hours(-1), wf.REVIEWING)])
    assert skewed.median_seconds == 0.0


@pytest.mark.parametrize("seconds, expected", [
    (30, (1, "minutes")), (90 * 60, (90, "minutes")), (2 * 3600, (2, "hours")),
    (47 * 3600, (47, "hours")), (2 * 86400, (2, "days")), (10.4 * 86400, (10, "days")),
])
def test_duration_parts(seconds, expected):
    assert wf.duration_parts(seconds) == expected


@pytest.mark.parametrize("current, new, allowed", [
    (wf.RECEIVED, wf.REVIEWING, True), (wf.RECEIVED, wf.PUBLISHED, True),
    (wf.REVIEWING, wf.RECEIVED, False), (wf.PLANNED, wf.PLANNED, True),
    (wf.PUBLISHED, wf.DECLINED, False), (wf.PUBLISHED, wf.REVIEWING, False),
    (wf.DECLINED, wf.REVIEWING, True), (wf.RECEIVED, "nonsense", False),
])
def test_allowed_steps(current, new, allowed):
    errors = wf.step_errors(current, new, "reply", "2027-04-01", "answer", "reason")
    assert ("status" not in errors) is allowed


def test_every_step_needs_a_reply_and_its_own_detail():
    assert wf.step_errors(wf.RECEIVED, wf.REVIEWING, "  ")["reply"] == [wf.MSG_REPLY]
    assert wf.step_errors(wf.RECEIVED, wf.REVIEWING, None)["reply"] == [wf.MSG_REPLY]
    assert "reply" in wf.step_errors(wf.RECEIVED, wf.REVIEWING, "x" * (wf.REPLY_MAX + 1))
    assert wf.step_errors(wf.RECEIVED, wf.REVIEWING, "ok") == {}
    assert wf.step_errors(wf.RECEIVED, wf.PLANNED, "ok", "2027-02-30") == {
        "expected_date": [wf.MSG_DATE]}
    assert wf.step_errors(wf.RECEIVED, wf.PLANNED, "ok", "2027-04-01") == {}
    assert wf.step_errors(wf.RECEIVED, wf.PUBLISHED, "ok", answer=" ") == {
        "answer": [wf.MSG_ANSWER]}
    assert wf.step_errors(wf.RECEIVED, wf.DECLINED, "ok") == {"reason": [wf.MSG_REASON]}


@pytest.mark.parametrize("value, expected", [
    ("2027-04-01", datetime.date(2027, 4, 1)), (" 2027-04-01 ", datetime.date(2027, 4, 1)),
    ("2027-4-1", None), ("2027-13-01", None), ("", None), (None, None), ("令和9年", None),
])
def test_parse_date(value, expected):
    assert wf.parse_date(value) == expected


def test_reports_hide_from_the_threshold_on():
    assert not wf.reports_hide(2, 3)
    assert wf.reports_hide(3, 3)
    assert not wf.reports_hide(100, 0)  # 0 turns automatic hiding off
