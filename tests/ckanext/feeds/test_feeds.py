"""Sensor feeds against real PostgreSQL and the stack's Mosquitto: a feed dataset with its
sensors, the HTTP push with per-feed tokens (JSON and CSV, duplicates, dead letters with
reasons, clear 4xx), an MQTT publish that reaches the table through the ingestor (QoS 1,
acknowledged after commit), the broker refusing anonymous and wrong passwords, the read
API (latest with states, ranges, downsampling, CSV) and the live page."""
from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from urllib.parse import urlsplit

import ckan.model as model
import paho.mqtt.client as paho
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.feeds import mqtt, service
from ckanext.regionaliot.feeds.ingest import Ingestor
from sqlalchemy import text as sa_text

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

JST = dt.timezone(dt.timedelta(hours=9))


def ago(minutes: float) -> str:
    return (dt.datetime.now(JST) - dt.timedelta(minutes=minutes)).isoformat(timespec="seconds")


SENSORS = [
    {"sensor_id": "sakazu", "name": "高梁川 酒津", "name_en": "Sakazu", "kind": "river_level",
     "measures": "水位", "unit": "m", "latitude": "34.623", "longitude": "133.738",
     "minimum": "-1", "maximum": "10", "warning_level": "4.2", "danger_level": "5.3"},
    {"sensor_id": "eki-nishi", "name": "倉敷駅西アンダーパス", "kind": "underpass",
     "measures": "冠水水位", "unit": "m", "latitude": "34.603", "longitude": "133.764",
     "minimum": "0", "maximum": "3", "warning_level": "0.15", "danger_level": "0.3"},
]


@pytest.fixture
def feed(test_request_context):
    org = factories.Organization()
    with test_request_context():
        return call_action("package_create", {"user": factories.Sysadmin()["name"]},
                           type="feed", name=f"river-{uuid.uuid4().hex[:8]}", title="水位",
                           owner_org=org["id"], category="kokudo-kisho",
                           observation_interval=600, sensors=SENSORS)


@pytest.fixture
def token(feed, test_request_context):
    with test_request_context():
        return call_action("regionaliot_feed_token_create", {"user": factories.Sysadmin()["name"]},
                           id=feed["name"], label="gauge")["token"]


def stored(feed) -> list[tuple]:
    return list(model.Session.execute(sa_text(
        "SELECT sensor_id, value, quality FROM regionaliot_feed_observation WHERE feed_id = :f "
        "ORDER BY observed_at, sensor_id"), {"f": feed["id"]}))


def deadletter_reasons(feed) -> list[str]:
    return [r[0] for r in model.Session.execute(sa_text(
        "SELECT reason FROM regionaliot_feed_deadletter WHERE feed_id = :f ORDER BY id"),
        {"f": feed["id"]})]


def test_the_feed_keeps_its_sensors_and_refuses_a_bad_latitude(feed, test_request_context):
    assert feed["type"] == "feed"
    assert [s["sensor_id"] for s in feed["sensors"]] == ["sakazu", "eki-nishi"]
    bad = dict(SENSORS[0], latitude="北緯34度")
    with test_request_context(), pytest.raises(Exception) as error:
        call_action("package_create", {"user": factories.Sysadmin()["name"]}, type="feed",
                    name="bad-feed", title="x", owner_org=feed["owner_org"],
                    category="kokudo-kisho", sensors=[bad])
    assert "sensors" in str(error.value)


def test_http_push_json_and_csv_with_duplicates_and_dead_letters(app, feed, token):
    url = f"/api/feeds/{feed['name']}/observations"
    body = [{"sensor_id": "sakazu", "observed_at": ago(20), "value": 4.5, "quality": "速報値"},
            {"sensor_id": "sakazu", "observed_at": ago(10), "value": 5.5},
            {"sensor_id": "nobody", "observed_at": ago(10), "value": 1},
            {"sensor_id": "sakazu", "observed_at": "2026-07-01T09:00:00", "value": 1},
            {"sensor_id": "sakazu", "observed_at": ago(-60), "value": 1},
            {"sensor_id": "eki-nishi", "observed_at": ago(5), "value": 99}]
    response = app.post(url, data=json.dumps(body), headers={"X-Feed-Token": token,
                                                              "Content-Type": "application/json"})
    result = response.json["result"]
    assert response.status_code == 200 and result["stored"] == 2, result
    assert [r["reason"] for r in result["rejected"]] == ["unknown_sensor", "bad_timestamp",
                                                         "future", "out_of_range"]
    assert "タイムゾーン" in result["rejected"][1]["message"]  # the reader's language (ja)
    # The same again: nothing changes (idempotent on sensor and time), out of order too.
    again = app.post(url, data=json.dumps(body[:2][::-1]), headers={"X-Feed-Token": token})
    assert again.json["result"]["stored"] == 0 and again.json["result"]["duplicates"] == 2
    csv_body = f"sensor_id,observed_at,value,quality\neki-nishi,{ago(3)},0.31,確定値\n"
    response = app.post(url, data=csv_body.encode("utf-8"),
                        headers={"X-Feed-Token": token, "Content-Type": "text/csv"})
    assert response.json["result"]["stored"] == 1
    assert [(r.sensor_id, r.value, r.quality) for r in stored(feed)] == [
        ("sakazu", 4.5, "provisional"), ("sakazu", 5.5, "provisional"), ("eki-nishi", 0.31, "confirmed")]
    assert deadletter_reasons(feed) == ["unknown_sensor", "bad_timestamp", "future", "out_of_range"]
    # Refusals are clear 4xx, never a 500.
    assert app.post(url, data="{", headers={"X-Feed-Token": token}, status=422).json["success"] is False
    assert app.post(url, data="[]", status=401).json["success"] is False
    assert app.post(url, data="[]", headers={"X-Feed-Token": "feed_wrong"}, status=403)
    assert app.post("/api/feeds/no-such-feed/observations", data="[]",
                    headers={"X-Feed-Token": token}, status=404)


def test_read_api_latest_states_ranges_downsampling_csv_and_page(app, feed, token):
    rows = [{"sensor_id": "sakazu", "observed_at": ago(m), "value": v}
            for m, v in ((130, 1.0), (70, 2.0), (65, 4.0), (5, 4.3))]
    rows.append({"sensor_id": "eki-nishi", "observed_at": ago(4), "value": 0.4})
    app.post(f"/api/feeds/{feed['name']}/observations", data=json.dumps(rows),
             headers={"X-Feed-Token": token})
    latest = app.get(f"/api/3/action/regionaliot_feed_latest?id={feed['name']}").json["result"]
    by = {s["sensor_id"]: s for s in latest["sensors"]}
    assert (by["sakazu"]["value"], by["sakazu"]["state"]) == (4.3, "warning")
    assert by["eki-nishi"]["state"] == "danger" and latest["state"] == "danger"
    assert 200 <= by["sakazu"]["age_seconds"] < 400 and by["sakazu"]["stale"] is False
    query = app.get("/api/3/action/regionaliot_feed_query", query_string={
        "id": feed["name"], "sensor_id": "sakazu", "start": ago(100), "limit": 2}).json["result"]
    assert [r["value"] for r in query["records"]] == [2.0, 4.0] and query["more"] is True
    hourly = app.get("/api/3/action/regionaliot_feed_query", query_string={
        "id": feed["name"], "sensor_id": "sakazu", "start": ago(180), "resolution": "day"}).json
    assert sum(r["count"] for r in hourly["result"]["records"]) == 4
    bad = app.get("/api/3/action/regionaliot_feed_query", query_string={
        "id": feed["name"], "start": "yesterday"}, status=409).json
    assert "start" in bad["error"]
    capped = app.get("/api/3/action/regionaliot_feed_query", query_string={
        "id": feed["name"], "limit": 100001}).json["result"]
    assert capped["limit"] == 10000  # ckanext.regionaliot.feeds.query_limit
    csv_text = app.get(f"/feeds/{feed['name']}/observations.csv").body
    assert csv_text.lstrip("\ufeff").splitlines()[0] == "sensor_id,observed_at,value,quality"
    assert len(csv_text.splitlines()) == 6
    page = app.get(f"/feeds/{feed['name']}", headers={"Accept-Language": "ja"}).body
    assert "高梁川 酒津" in page
    assert 'data-module="regionaliot-feed-live"' in page
    assert 'data-state="danger"' in page
    geo = app.get(f"/feeds/{feed['name']}/sensors.geojson")
    assert geo.headers["Content-Type"].startswith("application/geo+json")
    points = {f["id"]: f for f in geo.json["features"]}
    assert points["sakazu"]["geometry"]["coordinates"] == [133.738, 34.623]
    assert points["eki-nishi"]["properties"]["state"] == "danger"
    svg = app.get(f"/feeds/{feed['name']}/chart.svg?hours=6")
    assert svg.headers["Content-Type"].startswith("image/svg+xml") and "<polyline" in svg.body
    assert app.get("/feeds/no-such-feed", status=404)


def test_daily_csv_of_a_day_in_jst_becomes_a_resource_replaced_when_made_again(app, cli, feed, token):
    from ckan.cli.cli import ckan

    day = (dt.datetime.now(JST) - dt.timedelta(days=2)).date()
    midnight = dt.datetime.combine(day, dt.time(), JST)
    stamps = [midnight - dt.timedelta(seconds=1), midnight, midnight + dt.timedelta(hours=12),
              midnight + dt.timedelta(days=1, seconds=-10), midnight + dt.timedelta(days=1)]
    app.post(f"/api/feeds/{feed['name']}/observations", headers={"X-Feed-Token": token},
             data=json.dumps([{"sensor_id": "sakazu", "observed_at": t.isoformat(), "value": i}
                              for i, t in enumerate(stamps)]))
    for _ in range(2):  # a second run replaces the day's file
        result = cli.invoke(ckan, ["regionaliot", "feeds", "daily-csv", "--feed", feed["name"],
                                   "--day", day.isoformat()])
        assert result.exit_code == 0, result.output
    (resource,) = call_action("package_show", id=feed["id"])["resources"]
    assert resource["name"] == f"observations-{day.isoformat()}.csv" and resource["format"] == "CSV"
    body = app.get(urlsplit(resource["url"]).path).body
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == "sensor_id,observed_at,value,quality"
    assert [line.split(",")[2] for line in lines[1:]] == ["1.0", "2.0", "3.0"]
    assert lines[1].split(",")[1] == f"{day.isoformat()}T00:00:00+09:00"
    bad = cli.invoke(ckan, ["regionaliot", "feeds", "daily-csv", "--day", "30/11/2026"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def _publisher(user: str, password: str | None = None) -> tuple[paho.Client, list]:
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}")
    client.username_pw_set(user, mqtt.password(user) if password is None else password)
    codes: list = []
    client.on_connect = lambda c, u, f, reason, p: codes.append(reason)
    mqtt.connect(client)
    client.loop_start()
    deadline = time.time() + 5
    while not codes and time.time() < deadline:
        time.sleep(0.05)
    return client, codes


def test_the_broker_refuses_anonymous_clients_and_wrong_passwords():
    for user, password in (("", ""), ("simulator", "wrong")):
        client, codes = _publisher(user, password)
        client.loop_stop()
        assert codes and codes[0].is_failure, (user, codes)
    client, codes = _publisher("simulator")
    client.disconnect()
    client.loop_stop()
    assert codes and not codes[0].is_failure


def ingest_over_mqtt(test_request_context, messages, until: int) -> None:
    """Publish (topic under the prefix, payload) pairs through Mosquitto to an ingestor of
    this test's own, and run it until it has stored or refused ``until`` observations.
    Its topic prefix is under regionaliot/feeds (the ACLs' tree) but its own: the portal's
    ingestor subscribes to regionaliot/feeds/+/+ and never sees these."""
    prefix = f"regionaliot/feeds/test-{uuid.uuid4().hex[:8]}"
    client_id = f"test-ingestor-{uuid.uuid4().hex[:8]}"
    ingestor = Ingestor(client_id, prefix=prefix, batch_wait=0.05)
    ingestor.start()
    publisher, _codes = _publisher("simulator")
    try:
        time.sleep(0.5)  # the subscription is in place
        for topic, payload in messages:
            publisher.publish(f"{prefix}/{topic}", payload, qos=1).wait_for_publish(5)
        deadline = time.time() + 10
        with test_request_context():
            while time.time() < deadline and ingestor.stored + ingestor.rejected < until:
                ingestor.run_once()
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        ingestor.close()
        mqtt.forget_session("ingestor", client_id)  # no session left behind on the broker


def test_an_mqtt_publish_reaches_the_table_once(feed, test_request_context):
    topic = f"{feed['name']}/sakazu"
    stamp = ago(1)
    payloads = ({"observed_at": stamp, "value": 4.4, "quality": "確定値"},
                {"observed_at": stamp, "value": 9.9},  # duplicate: ignored
                {"observed_at": "not a time", "value": 1},
                [{"sensor_id": "eki-nishi", "observed_at": stamp, "value": 0.1}])
    ingest_over_mqtt(test_request_context, [(topic, json.dumps(p)) for p in payloads]
                     + [("no-such-feed/x", "{}")], until=4)
    assert [(r.sensor_id, r.value, r.quality) for r in stored(feed)] == [("sakazu", 4.4, "confirmed")]
    assert deadletter_reasons(feed) == ["bad_timestamp", "sensor_mismatch"]
    assert model.Session.execute(sa_text(
        "SELECT count(*) FROM regionaliot_feed_deadletter WHERE feed_id IS NULL "
        "AND reason = 'unknown_feed'")).scalar() == 1


# Valid JSON whose strings decode to a NUL and to a lone surrogate: PostgreSQL's text refuses
# the first, UTF-8 the second, so a dead letter keeping them as they came could not be written.
HOSTILE = ('[{"sensor_id": "sakazu", "observed_at": "2026-07-01T09:00:00\\u0000", "value": 1},'
           ' {"sensor_id": "sakazu", "observed_at": "\\ud800", "value": 1}]')


def deadletters(feed) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in model.Session.execute(sa_text(
        "SELECT reason, detail, payload FROM regionaliot_feed_deadletter WHERE feed_id = :f "
        "ORDER BY id"), {"f": feed["id"]})]


def test_nul_and_lone_surrogates_over_http_are_dead_letters_not_a_500(app, feed, token):
    url = f"/api/feeds/{feed['name']}/observations"
    headers = {"X-Feed-Token": token, "Content-Type": "application/json"}
    result = app.post(url, data=HOSTILE.encode("ascii"), headers=headers, status=422).json["result"]
    assert [r["reason"] for r in result["rejected"]] == ["bad_timestamp", "bad_timestamp"]
    app.post(url, data=b"\x00", headers=headers, status=422)
    app.post(url, data=b"sensor_id,observed_at,value\nsakazu,\x00,1\n",
             headers={"X-Feed-Token": token, "Content-Type": "text/csv"}, status=422)
    letters = deadletters(feed)
    assert [r[0] for r in letters] == ["bad_timestamp", "bad_timestamp", "payload", "bad_timestamp"]
    assert letters[0][1] == "2026-07-01T09:00:00\\u0000" and letters[1][1] == "\\ud800"
    assert letters[2][2] == "\\u0000" and letters[3][1] == "\\u0000"


def test_nul_and_lone_surrogates_over_mqtt_do_not_stop_the_ingestor(feed, test_request_context):
    topic = f"{feed['name']}/sakazu"
    ingest_over_mqtt(test_request_context, [
        (topic, b"\x00"), (topic, HOSTILE.encode("ascii")),
        (topic, json.dumps({"observed_at": ago(1), "value": 4.4}).encode())], until=4)
    assert [(r.sensor_id, r.value) for r in stored(feed)] == [("sakazu", 4.4)]
    letters = deadletters(feed)
    assert [r[0] for r in letters] == ["payload", "bad_timestamp", "bad_timestamp"]
    assert letters[0][2] == "\\u0000" and letters[2][1] == "\\ud800"


def test_the_ingestors_feed_cache_stays_bounded_under_made_up_names(feed, test_request_context):
    cache = service.FeedCache(entries=10)
    with test_request_context():
        for i in range(40):
            assert cache.get(f"no-such-feed-{i}") is None
            assert len(cache.entries) <= 10
        assert cache.get(feed["name"]).id == feed["id"]
        assert cache.get("no-such-feed-39") is None and len(cache.entries) <= 10
