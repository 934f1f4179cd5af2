"""Pure: the demo ideas of the core seed (seed/ideas.json) make a lively box that the
workflow would accept: both kinds, every status, replies on each step in date order,
votes and comments, and names that point at the seed's own municipalities and datasets."""
from __future__ import annotations

import json
from pathlib import Path

from ckanext.regionaliot.ideas import workflow

SEED = Path(__file__).resolve().parents[2] / "ckanext-regionaliot" / "ckanext" / "regionaliot" / "seed"
IDEAS = json.loads((SEED / "ideas.json").read_text(encoding="utf-8"))["ideas"]
ORGS = {o["name"] for o in json.loads((SEED / "organizations.json").read_text(
    encoding="utf-8"))["organizations"]}
DATASETS = {d["name"] for d in json.loads((SEED / "datasets.json").read_text(
    encoding="utf-8"))["datasets"]}


def test_both_kinds_every_status_votes_and_comments():
    assert {i["kind"] for i in IDEAS} == set(workflow.KINDS)
    finals = {(i["steps"][-1]["status"] if i["steps"] else workflow.RECEIVED) for i in IDEAS}
    assert finals == set(workflow.STATUSES)
    assert sum(1 for i in IDEAS if i["votes"]) >= len(IDEAS) - 1
    assert sum(len(i["comments"]) for i in IDEAS) >= 8
    assert any(i["organization"] is None for i in IDEAS)  # the whole basin
    assert len({i["title"] for i in IDEAS}) == len(IDEAS)  # the title is the seed's key


def test_each_idea_passes_the_workflow_in_date_order():
    for idea in IDEAS:
        assert len(idea["title"]) <= workflow.TITLE_MAX and "\n" not in idea["title"]
        assert idea["organization"] is None or idea["organization"] in ORGS
        assert set(idea["datasets"]) <= DATASETS
        status, when = workflow.RECEIVED, idea["days_ago"]
        for step in idea["steps"]:
            errors = workflow.step_errors(status, step["status"], step.get("reply"),
                                          step.get("expected_date"), step.get("answer"),
                                          step.get("reason"))
            assert not errors, (idea["title"], step["status"], errors)
            assert step["days_ago"] < when, (idea["title"], "steps go forward in time")
            if step["status"] == workflow.PUBLISHED:
                assert step["answer"] in DATASETS
            status, when = step["status"], step["days_ago"]
        for comment in idea["comments"]:
            assert comment["days_ago"] < idea["days_ago"], idea["title"]
