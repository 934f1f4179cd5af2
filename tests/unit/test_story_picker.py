"""The staff form's chart picker (blocks.add_chart): the picked resource, columns,
aggregation and chart type become one checked chart block appended to the blocks' JSON."""
from __future__ import annotations

import json

from ckanext.regionaliot.stories.blocks import add_chart

PICK = {"resource": "r1", "aggregation": "sum", "group": "地域名", "value": "総人口",
        "chart": "bar", "title": "地区別人口"}


def test_a_picked_chart_is_appended_to_the_blocks():
    text, errors = add_chart('[{"type": "text", "body": "はじめに"}]', PICK)
    assert errors == []
    assert json.loads(text) == [{"type": "text", "body": "はじめに"}, {
        "type": "chart", "resource": "r1", "aggregation": "sum", "group": "地域名",
        "value": "総人口", "chart": "bar", "title": "地区別人口"}]
    assert json.loads(add_chart("", PICK)[0])[0]["resource"] == "r1"


def test_fields_the_aggregation_does_not_use_are_dropped():
    pyramid = json.loads(add_chart("[]", dict(PICK, aggregation="pyramid", chart="bar"))[0])
    assert pyramid[0]["chart"] == "pyramid" and "group" not in pyramid[0] \
        and "value" not in pyramid[0]
    count = json.loads(add_chart("[]", dict(PICK, aggregation="count"))[0])
    assert "value" not in count[0] and count[0]["group"] == "地域名"


def test_a_pick_that_does_not_pass_the_checks_leaves_the_blocks_as_they_were():
    text, errors = add_chart("[]", dict(PICK, value=""))
    assert text == "[]" and errors == [("Block {n}: {field} is required.",
                                        {"n": 1, "field": "value"})]
    assert add_chart("[]", dict(PICK, chart="line"))[1][0][0] == \
        "Block {n}: a {aggregation} cannot be drawn as {chart}."
    assert add_chart("[oops", PICK) == ("[oops", [("The blocks are not valid JSON.", {})])
