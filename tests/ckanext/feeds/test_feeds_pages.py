"""The feeds' pages against real PostgreSQL and Solr: the /feeds index (every feed with its
sensors' latest values and states, links, the map's data) and the home page's 「今の水位」
panel (river gauges with their state, flooded underpasses, stale values marked, names
escaped), kept 15 s for anonymous readers only, and both without feeds or without the
observations table: no 500."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import ckan.model as model
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.feeds import helpers
from sqlalchemy import text as sa_text

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

JST = dt.timezone(dt.timedelta(hours=9))
HOSTILE = '<script>alert("x")</script>'


def ago(minutes: float) -> str:
    return (dt.datetime.now(JST) - dt.timedelta(minutes=minutes)).isoformat(timespec="seconds")


def sensor(sensor_id, name, kind, warning, danger, **extra):
    return dict({"sensor_id": sensor_id, "name": name, "kind": kind, "measures": "水位",
                 "unit": "m", "latitude": "34.62", "longitude": "133.73", "minimum": "-1",
                 "maximum": "10", "warning_level": str(warning), "danger_level": str(danger)},
                **extra)


@pytest.fixture
def feeds(app, test_request_context):
    """A river feed (one gauge in danger, one normal, one stale in danger, one without
    data) and an underpass feed (one flooded, one dry), with values pushed over HTTP."""
    org = factories.Organization()
    admin = factories.Sysadmin()["name"]
    made = {}
    specs = {
        "river": [sensor("hiwa", HOSTILE, "river_level", 3.8, 4.8),
                  sensor("sakazu", "高梁川 酒津", "river_level", 4.2, 5.3, name_en="Sakazu"),
                  sensor("mabi", "小田川 真備", "river_level", 3.2, 4.0),
                  sensor("ikura", "高梁川 井倉", "river_level", 3.0, 3.8)],
        "underpass": [sensor("eki-nishi", "倉敷駅西アンダーパス", "underpass", 0.15, 0.3),
                      sensor("mizushima", "水島アンダーパス", "underpass", 0.15, 0.3)],
    }
    values = {"river": [("sakazu", 2, 5.6), ("hiwa", 2, 1.0), ("mabi", 45, 4.5)],
              "underpass": [("eki-nishi", 1, 0.2), ("mizushima", 1, 0.0)]}
    with test_request_context():
        for key, sensors in specs.items():
            feed = call_action("package_create", {"user": admin}, type="feed",
                               name=f"{key}-{uuid.uuid4().hex[:6]}", title=f"{key} 水位",
                               title_en=f"{key} levels", owner_org=org["id"],
                               category="kokudo-kisho", observation_interval=600, sensors=sensors)
            token = call_action("regionaliot_feed_token_create", {"user": admin},
                                id=feed["name"], label="t")["token"]
            made[key] = feed
            body = [{"sensor_id": s, "observed_at": ago(m), "value": v} for s, m, v in values[key]]
            result = app.post(f"/api/feeds/{feed['name']}/observations", data=json.dumps(body),
                              headers={"X-Feed-Token": token}).json["result"]
            assert result["stored"] == len(body), result
    return made


def soup(app, url: str) -> BeautifulSoup:
    return BeautifulSoup(app.get(url, status=200).body, "html.parser")


def test_the_index_lists_every_feed_with_states_links_and_the_map(app, feeds):
    page = soup(app, "/feeds")
    sections = {s["data-feed"]: s for s in page.select("section.regionaliot-feeds-item")}
    river = sections[feeds["river"]["name"]]
    rows = {tr["data-sensor"]: tr for tr in river.select("tr[data-sensor]")}
    assert rows["sakazu"].select_one(".regionaliot-feed-state")["data-state"] == "danger"
    assert "氾濫危険" in rows["sakazu"].get_text()
    assert rows["mabi"].select_one(".regionaliot-feed-stale") is not None  # 45 min > 3 × 10 min
    assert rows["sakazu"].select_one(".regionaliot-feed-stale") is None
    assert rows["ikura"].select_one(".regionaliot-feed-state")["data-state"] == "no_data"
    assert rows["hiwa"].th.get_text(strip=True) == HOSTILE  # shown as text, not markup
    assert HOSTILE not in app.get("/feeds").body
    hrefs = [a["href"] for a in river.select("a[href]")]
    assert f"/feeds/{feeds['river']['name']}" in hrefs
    assert f"/feed/{feeds['river']['name']}" in hrefs
    assert sections[feeds["underpass"]["name"]].select_one("h2 .regionaliot-feed-state")["data-state"] == "warning"
    on_map = json.loads(page.select_one("[data-module=regionaliot-feed-live]")["data-module-sensors"])
    assert len(on_map) == 6 and {s["feed"] for s in on_map} == {f["name"] for f in feeds.values()}
    english = soup(app, "/en/feeds")
    assert "Sakazu" in english.select_one(f'section[data-feed="{feeds["river"]["name"]}"]').get_text()
    assert "river levels" in english.get_text()


def test_the_home_panel_shows_gauges_alerts_first_flooded_underpasses_and_stale_values(app, feeds):
    panel = soup(app, "/").select_one("section.regionaliot-water-levels")
    assert panel.h2.get_text(" ", strip=True).startswith("今の水位")
    gauges = [tr["data-sensor"] for tr in panel.select(".regionaliot-water-levels-gauges tr[data-sensor]")]
    # A current danger first, then the feed's order: the stale danger (mabi) is not current.
    assert gauges == ["sakazu", "hiwa", "mabi", "ikura"]
    assert panel.select_one('tr[data-sensor="mabi"] .regionaliot-feed-stale') is not None
    assert panel.h2.select_one(".regionaliot-feed-state")["data-state"] == "danger"
    flooded = panel.select(".regionaliot-water-levels-flooded li")
    assert [li["data-sensor"] for li in flooded] == ["eki-nishi"] and "冠水注意" in flooded[0].get_text()
    assert HOSTILE not in app.get("/").body


def test_no_feeds_no_panel_and_an_empty_index(app):
    assert soup(app, "/").select_one("section.regionaliot-water-levels") is None
    assert soup(app, "/feeds").select_one(".regionaliot-feeds-empty") is not None


def test_without_the_observations_table_the_pages_say_so_instead_of_failing(app, feeds):
    model.Session.execute(sa_text("ALTER TABLE regionaliot_feed_observation RENAME TO regionaliot_feed_observation_away"))
    model.Session.commit()
    try:
        home = soup(app, "/")
        assert home.select_one("section.regionaliot-water-levels .alert-warning") is not None
        assert home.select_one("#regionaliot-categories-title") is not None  # the rest renders
        assert soup(app, "/feeds").select_one(".alert-warning") is not None
    finally:
        model.Session.rollback()
        model.Session.execute(sa_text("ALTER TABLE regionaliot_feed_observation_away RENAME TO regionaliot_feed_observation"))
        model.Session.commit()


def test_the_anonymous_panel_is_kept_briefly_and_an_edited_feed_or_a_signed_in_reader_reads_afresh(app, feeds):
    helpers._panel.clear()
    river = feeds["river"]
    value = lambda page: page.select_one('tr[data-sensor="ikura"]').get_text(" ", strip=True)  # noqa: E731
    assert "3.5" not in value(soup(app, "/"))  # no value yet: kept for anonymous readers now
    admin = factories.SysadminWithToken()
    token = call_action("regionaliot_feed_token_create", {"user": admin["name"]},
                        id=river["name"], label="t")["token"]
    app.post(f"/api/feeds/{river['name']}/observations", headers={"X-Feed-Token": token},
             data=json.dumps([{"sensor_id": "ikura", "observed_at": ago(0), "value": 3.5}]))
    assert "3.5" not in value(soup(app, "/"))  # within PANEL_SECONDS: the kept values
    signed_in = BeautifulSoup(app.get("/", headers={"Authorization": admin["token"]}).body, "html.parser")
    assert "3.5" in value(signed_in)  # never from the cache
    # An edited feed is a new key: the anonymous panel is read afresh at once.
    call_action("package_patch", {"user": admin["name"]}, id=river["id"], title_en="river gauges")
    assert "3.5" in value(soup(app, "/"))
