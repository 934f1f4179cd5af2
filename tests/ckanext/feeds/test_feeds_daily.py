"""A day of observations against real PostgreSQL: the daily CSV's rows read by keyset pages
(model.rows_between), every row once, in time order then sensor, also when a page ends
between sensors of one instant and across the two month partitions a JST day spans; the
file made from pages of 2; hourly buckets aligned on UTC hours (date_bin)."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from urllib.parse import urlsplit

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.feeds import daily, files, model

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

JST = dt.timezone(dt.timedelta(hours=9))
UTC = dt.timezone.utc
SENSORS = [{"sensor_id": s, "name": s, "kind": "river_level", "unit": "m",
            "latitude": "34.6", "longitude": "133.7"} for s in ("sa", "sb", "sc")]
# 1 November 2026 in JST: 31 October 15:00 UTC to 1 November 15:00 UTC, two partitions.
DAY = dt.date(2026, 11, 1)


@pytest.fixture
def feed(test_request_context):
    org = factories.Organization()
    with test_request_context():
        feed = call_action("package_create", {"user": factories.Sysadmin()["name"]}, type="feed",
                           name=f"keyset-{uuid.uuid4().hex[:8]}", title="keyset",
                           owner_org=org["id"], category="kokudo-kisho", sensors=SENSORS)
        start, _end = files.jst_day(DAY)
        # Every sensor at each instant (ties on observed_at), the day's edges, the night
        # the month changes in UTC (09:00 JST), and one row either side of the day.
        offsets = [-1, 0, 1, 3600 * 9 - 1, 3600 * 9, 3600 * 9 + 1, 86399, 86400]
        rows = [{"sensor_id": s["sensor_id"], "observed_at": (start + dt.timedelta(seconds=o)).isoformat(),
                 "value": i} for i, o in enumerate(offsets) for s in SENSORS]
        result = call_action("regionaliot_feed_push", {"ignore_auth": True}, id=feed["name"],
                             observations=json.dumps(rows))
        assert result["stored"] == len(rows)
    return feed


def expected(feed) -> list[tuple[str, dt.datetime, float]]:
    start, end = files.jst_day(DAY)
    rows = call_action("regionaliot_feed_query", id=feed["name"], start=start.isoformat(),
                       end=end.isoformat(), limit=1000)["records"]
    return [(r["sensor_id"], dt.datetime.fromisoformat(r["observed_at"]), r["value"]) for r in rows]


@pytest.mark.parametrize("page", [1, 2, 3, 4, 100])
def test_keyset_pages_give_every_row_of_the_day_once_in_order(feed, page):
    start, end = files.jst_day(DAY)
    got = [(s, t, v) for s, t, v, _q in model.rows_between(feed["id"], start, end, page)]
    want = expected(feed)
    assert len(want) == 6 * 3  # offsets 0 .. 86399, three sensors each
    assert got == want
    assert [s for s, _t, _v in got[:3]] == ["sa", "sb", "sc"]
    assert got[0][1] == start and got[-1][1] == start + dt.timedelta(seconds=86399)


def test_the_daily_file_from_small_pages_is_the_whole_day(app, cli, feed, monkeypatch):
    from ckan.cli.cli import ckan

    monkeypatch.setattr(daily, "PAGE", 2)  # pages end between sensors of one instant
    monkeypatch.setattr(daily, "SPOOL_BYTES", 64)  # spooled to disk, then uploaded
    result = cli.invoke(ckan, ["regionaliot", "feeds", "daily-csv", "--feed", feed["name"],
                               "--day", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    (resource,) = call_action("package_show", id=feed["id"])["resources"]
    lines = app.get(urlsplit(resource["url"]).path).body.lstrip("\ufeff").splitlines()
    assert lines[0] == "sensor_id,observed_at,value,quality"
    assert [tuple(line.split(",")[:2]) for line in lines[1:4]] == [
        ("sa", "2026-11-01T00:00:00+09:00"), ("sb", "2026-11-01T00:00:00+09:00"),
        ("sc", "2026-11-01T00:00:00+09:00")]
    assert [(s, dt.datetime.fromisoformat(t).astimezone(UTC), float(v))
            for s, t, v, _q in (line.split(",") for line in lines[1:])] == expected(feed)


def test_hourly_buckets_start_on_the_hour_in_utc_across_the_month_partitions(feed):
    start, end = files.jst_day(DAY)
    result = call_action("regionaliot_feed_query", id=feed["name"], sensor_id="sa",
                         start=start.isoformat(), end=end.isoformat(), resolution="hour")
    assert [(r["observed_at"], r["value"], r["min"], r["max"], r["count"])
            for r in result["records"]] == [
        ("2026-10-31T15:00:00+00:00", 1.5, 1.0, 2.0, 2),
        ("2026-10-31T23:00:00+00:00", 3.0, 3.0, 3.0, 1),
        ("2026-11-01T00:00:00+00:00", 4.5, 4.0, 5.0, 2),
        ("2026-11-01T14:00:00+00:00", 6.0, 6.0, 6.0, 1)]
