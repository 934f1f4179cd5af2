"""The feeds' pure parsing and validation (ckanext.regionaliot.feeds.observations, no
CKAN): timestamps with time zones, unknown sensors, ranges, quality flags, JSON and CSV
payloads, hostile input, duplicates, threshold states, topics and partitions; the chart's
SVG escapes what it draws; the Table Schema names the same fields."""
from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
from ckanext.regionaliot.feeds import chart, demo
from ckanext.regionaliot.feeds import observations as obs

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
SENSORS = obs.sensors_from_list([
    {"sensor_id": "g1", "name": "酒津", "minimum": "-1", "maximum": "10",
     "warning_level": "4.2", "danger_level": "5.3", "latitude": "34.6", "longitude": "133.7"},
    {"sensor_id": "u1", "name": "倉敷駅西", "warning_level": "0.15", "danger_level": "0.3"},
])


def item(**kw):
    base = {"sensor_id": "g1", "observed_at": "2026-07-01T08:50:00+09:00", "value": 1.5,
            "quality": "速報値"}
    base.update(kw)
    return base


@pytest.mark.parametrize("module", ["observations", "chart", "demo"])
def test_pure_modules_import_nothing_of_ckan(module):
    path = Path(obs.__file__).with_name(f"{module}.py")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        assert not any(n.split(".")[0] in ("ckan", "ckanext", "sqlalchemy", "flask")
                       for n in names), (module, names)


def test_a_good_observation_is_stored_in_utc_with_its_quality():
    result = obs.check(item(), SENSORS, NOW)
    assert result == obs.Observation("g1", dt.datetime(2026, 6, 30, 23, 50, tzinfo=UTC), 1.5,
                                     obs.PROVISIONAL)
    assert obs.check(item(quality="確定値"), SENSORS, NOW).quality == obs.CONFIRMED
    assert obs.check(item(quality=None), SENSORS, NOW).quality == obs.PROVISIONAL
    assert obs.check(item(value="2.25"), SENSORS, NOW).value == 2.25


@pytest.mark.parametrize("stamp", ["2026-07-01T08:50:00", "2026-07-01", "yesterday", "",
                                   None, 1751327400, "2026-13-01T00:00:00+09:00",
                                   "2026-07-01T08:50:00+09:00" + "0" * 50])
def test_a_timestamp_without_a_time_zone_or_not_iso_is_refused(stamp):
    result = obs.check(item(observed_at=stamp), SENSORS, NOW)
    assert isinstance(result, obs.Rejection) and result.reason == "bad_timestamp"
    assert "time zone" in result.message


def test_z_and_a_space_are_accepted():
    assert obs.parse_timestamp("2026-06-30T23:50:00Z") == dt.datetime(2026, 6, 30, 23, 50, tzinfo=UTC)
    assert obs.parse_timestamp("2026-07-01 08:50:00+09:00") == dt.datetime(2026, 6, 30, 23, 50, tzinfo=UTC)


def test_the_future_beyond_five_minutes_and_before_2000_are_refused():
    assert obs.check(item(observed_at="2026-07-01T09:04:00+09:00"), SENSORS, NOW).sensor_id == "g1"
    assert obs.check(item(observed_at="2026-07-01T09:06:00+09:00"), SENSORS, NOW).reason == "future"
    assert obs.check(item(observed_at="1999-12-31T23:00:00+00:00"), SENSORS, NOW).reason == "too_old"


@pytest.mark.parametrize("value,reason", [
    (11, "out_of_range"), (-1.5, "out_of_range"), ("abc", "bad_value"), (None, "bad_value"),
    (True, "bad_value"), ("NaN", "bad_value"), ("inf", "bad_value"), ([1], "bad_value")])
def test_values_outside_the_sensors_range_or_not_numbers_are_refused(value, reason):
    result = obs.check(item(value=value), SENSORS, NOW)
    assert isinstance(result, obs.Rejection) and result.reason == reason, result


def test_unknown_sensor_bad_quality_and_shape_are_refused_with_their_reason():
    assert obs.check(item(sensor_id="zz"), SENSORS, NOW).reason == "unknown_sensor"
    assert obs.check(item(quality="maybe"), SENSORS, NOW).reason == "bad_quality"
    assert obs.check([1, 2], SENSORS, NOW).reason == "shape"
    assert obs.check(item(sensor_id=""), SENSORS, NOW).reason == "shape"
    assert obs.check(item(sensor_id="x" * 101), SENSORS, NOW).reason == "shape"
    # The topic names the sensor: the payload may omit it, never contradict it.
    assert obs.check({"observed_at": "2026-07-01T08:50:00+09:00", "value": 1}, SENSORS, NOW,
                     topic_sensor="g1").sensor_id == "g1"
    assert obs.check(item(), SENSORS, NOW, topic_sensor="u1").reason == "sensor_mismatch"


def test_every_reason_has_a_message_that_takes_its_detail():
    for reason, text in obs.REASONS.items():
        assert obs.Rejection(reason, "X", "").message == text.format(detail="X")


def test_json_payloads_one_a_list_or_wrapped_and_hostile_ones():
    assert obs.decode_json(json.dumps(item())) == [item()]
    assert obs.decode_json(json.dumps([item(), item()]).encode()) == [item(), item()]
    assert obs.decode_json(json.dumps({"observations": [item()]})) == [item()]
    assert obs.decode_json(b"\xff\xfe").reason == "payload"
    assert obs.decode_json("{not json").reason == "payload"
    assert obs.decode_json("[" * 100_000 + "]" * 100_000).reason in ("payload", "too_large")
    assert obs.decode_json("[" * 50_000).reason == "payload"  # deep nesting: no RecursionError
    assert obs.decode_json(b"x" * (obs.MAX_PAYLOAD_BYTES + 1)).reason == "too_large"
    assert obs.decode_json(json.dumps([{}] * (obs.MAX_BATCH + 1))).reason == "too_many"


def _storable(text: str) -> bool:
    """What PostgreSQL's text and a UTF-8 response take: no NUL, no lone surrogate."""
    text.encode("utf-8")  # raises on a lone surrogate
    return "\x00" not in text


def test_refusals_of_nul_and_lone_surrogates_are_storable_text():
    payload = obs.decode_json(b"\x00")
    assert payload.reason == "payload" and _storable(payload.raw) and payload.raw == "\\u0000"
    # JSON escapes decode to NUL and to a lone surrogate (valid JSON, not storable text).
    items = json.loads('[{"sensor_id": "g1", "observed_at": "2026-07-01T08:50:00\\u0000", "value": 1},'
                       ' {"sensor_id": "g1", "observed_at": "\\ud800", "value": 1},'
                       ' {"sensor_id": "x\\u0000\\udfff", "observed_at": "2026-06-30T23:50:00Z", "value": 1},'
                       ' {"sensor_id": "g1", "observed_at": "2026-06-30T23:50:00Z", "value": "\\ud800"},'
                       ' {"sensor_id": "g1", "observed_at": "2026-06-30T23:50:00Z", "value": 1, "quality": "\\u0000"}]')
    good, bad = obs.validate(items, SENSORS, NOW)
    assert good == []
    assert [r.reason for r in bad] == ["bad_timestamp", "bad_timestamp", "unknown_sensor", "bad_value",
                                       "bad_quality"]
    for rejection in bad:
        assert _storable(rejection.detail) and _storable(rejection.raw), rejection
        assert _storable(rejection.message)
    assert bad[1].detail == "\\ud800"  # the escape, readable in the dead letter
    # CSV (HTTP): a NUL in a field, and in a body without the header.
    _good, (csv_bad,) = obs.validate(obs.decode_csv(b"sensor_id,observed_at,value\ng1,2026\x00,1\n"),
                                     SENSORS, NOW)
    assert csv_bad.reason == "bad_timestamp" and _storable(csv_bad.detail) and _storable(csv_bad.raw)
    assert _storable(obs.decode_csv(b"a\x00,b\n").raw)


def test_csv_payload_with_bom_and_missing_header():
    body = "\ufeffsensor_id,observed_at,value,quality\ng1,2026-07-01T08:50:00+09:00,1.5,確定値\n"
    items = obs.decode_csv(body.encode("utf-8"))
    good, bad = obs.validate(items, SENSORS, NOW)
    assert [o.quality for o in good] == [obs.CONFIRMED] and bad == []
    assert obs.decode_csv("a,b\n1,2\n").reason == "payload"
    assert obs.decode_csv(b"\x82\xa0").reason == "payload"  # Shift_JIS is not UTF-8


def test_validate_splits_and_deduplicates_on_sensor_and_time():
    items = [item(), item(value=9.9), item(observed_at="2026-06-30T23:40:00Z"),
             item(sensor_id="nope"), "junk"]
    good, bad = obs.validate(items, SENSORS, NOW)
    assert [(o.value) for o in good] == [1.5, 1.5]  # the first of each (sensor, time) wins
    assert [r.reason for r in bad] == ["unknown_sensor", "shape"]


def test_threshold_states_and_the_worst():
    g1, u1 = SENSORS["g1"], SENSORS["u1"]
    assert [obs.state(g1, v) for v in (None, 4.1, 4.2, 5.3)] == ["no_data", "normal", "warning", "danger"]
    assert obs.state(u1, 0.0) == "normal" and obs.state(u1, 0.31) == "danger"
    assert obs.worst(["normal", "danger", "warning"]) == "danger"
    assert obs.worst([]) == "no_data"


def test_topics_and_month_partitions():
    assert obs.parse_topic("regionaliot/feeds/river/g1", "regionaliot/feeds") == ("river", "g1")
    assert obs.parse_topic("regionaliot/feeds/river/g1/x", "regionaliot/feeds") is None
    assert obs.parse_topic("other/river/g1", "regionaliot/feeds") is None
    assert obs.parse_topic("regionaliot/feeds//g1", "regionaliot/feeds/") is None
    dec = dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert obs.next_month(dec) == dt.datetime(2027, 1, 1, tzinfo=UTC)
    assert obs.partition_name(dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))) \
        == "regionaliot_feed_obs_202606"


def test_the_table_schema_names_the_fields_we_validate():
    path = Path(__file__).resolve().parents[2] / "schemas/feeds/observation.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert tuple(f["name"] for f in schema["fields"]) == obs.FIELDS
    quality = next(f for f in schema["fields"] if f["name"] == "quality")
    assert quality["constraints"]["enum"] == list(obs.QUALITIES)


def test_the_chart_escapes_names_and_draws_thresholds():
    t0 = NOW - dt.timedelta(hours=1)
    svg = chart.render({"g1": [(t0, 1.0), (NOW, 4.5)]}, t0, NOW, {"g1": "<script>x</script>"},
                       [(4.2, "氾濫注意", "#a86b00")], "T & <b>", "none", UTC)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "T &amp; &lt;b&gt;" in svg
    assert svg.count("<polyline") == 1 and "氾濫注意" in svg
    assert "none" in chart.render({}, t0, NOW, {}, [], "t", "none", UTC)


def test_demo_values_stay_in_range_and_reach_every_state():
    import random
    rng = random.Random(1)
    feeds = {p["name"]: obs.sensors_from_list(p["sensors"]) for p in demo.packages("org")}
    seen = set()
    for second in range(0, 1800, 30):
        for feed, sensors in feeds.items():
            for index, sensor_id in enumerate(demo.sensor_ids(feed)):
                value = demo.value(feed, index, 1_700_000_000 + second, rng)
                sensor = sensors[sensor_id]
                assert sensor.minimum <= value <= sensor.maximum
                seen.add(obs.state(sensor, value))
    assert seen == {"normal", "warning", "danger"}
