"""The /feeds index's and the home panel's selection (feeds/overview.py, no CKAN): river
gauges alerts first, flooded underpasses only, stale values kept but never the panel's
current state, nothing when there is nothing to show."""
from __future__ import annotations

from ckanext.regionaliot.feeds import overview


def s(sensor_id, kind="river_level", state="normal", stale=False):
    return {"sensor_id": sensor_id, "kind": kind, "state": state, "stale": stale, "value": 1.0}


def feed(name, *sensors):
    return {"feed": name, "title": name.upper(), "sensors": list(sensors)}


def test_gauges_current_alerts_first_then_feed_order_a_stale_alarm_too():
    panel = overview.water_levels([feed("a", s("g1"), s("g2", state="warning"),
                                            s("g3", state="danger", stale=True), s("g4", state="no_data")),
                                   feed("b", s("g5", state="danger"))])
    assert [g["sensor_id"] for g in panel["gauges"]] == ["g5", "g2", "g1", "g3", "g4"]
    assert panel["gauges"][0]["feed"] == "b" and panel["gauges"][0]["feed_title"] == "B"
    assert panel["state"] == "danger" and panel["stale"] == 1


def test_a_stale_alarm_is_not_the_current_state():
    panel = overview.water_levels([feed("a", s("g1"), s("g2", state="danger", stale=True))])
    assert panel["state"] == "normal"
    only_stale = overview.water_levels([feed("a", s("g2", state="danger", stale=True))])
    assert only_stale["state"] == "no_data" and not only_stale["empty"]


def test_only_flooded_underpasses_are_listed_with_how_many_report():
    panel = overview.water_levels([feed("u", s("u1", "underpass", "warning"), s("u2", "underpass"),
                                        s("u3", "underpass", "danger"), s("u4", "underpass", "no_data"),
                                        s("u5", "underpass", "normal", stale=True))])
    assert [u["sensor_id"] for u in panel["flooded"]] == ["u3", "u1"]
    assert (panel["underpasses"], panel["underpasses_reporting"]) == (5, 3)
    assert panel["gauges"] == [] and panel["state"] == "danger"


def test_other_kinds_are_left_out_and_no_feeds_is_empty():
    assert overview.water_levels([feed("t", s("t1", "other", "danger"))])["empty"] is True
    empty = overview.water_levels([])
    assert empty["empty"] and empty["state"] == "no_data" and empty["gauges"] == []


def test_at_most_max_gauges_with_the_rest_counted():
    panel = overview.water_levels([feed("a", *[s(f"g{i}") for i in range(15)])], max_gauges=12)
    assert len(panel["gauges"]) == 12 and panel["more_gauges"] == 3


def test_sensors_of_every_feed_for_the_map():
    every = overview.sensors([feed("a", s("g1")), feed("b", s("u1", "underpass"))])
    assert [(x["feed"], x["sensor_id"]) for x in every] == [("a", "g1"), ("b", "u1")]
