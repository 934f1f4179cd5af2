"""lib/clock.py: the portal's day is the readers' (Asia/Tokyo), not the server's UTC one:
from 00:00 to 09:00 JST the UTC date is still yesterday's (the KPI snapshot's day and its
CSV file name carried it)."""
from __future__ import annotations

import datetime
import zoneinfo

from ckanext.regionaliot.lib import clock

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
UTC = datetime.timezone.utc


def test_early_morning_in_tokyo_is_already_the_new_day():
    # 2026-12-01 00:30 JST: the UTC date is still 2026-11-30.
    instant = datetime.datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert clock.local_day(instant, TOKYO) == datetime.date(2026, 12, 1)
    assert clock.local_day(instant, UTC) == datetime.date(2026, 11, 30)


def test_a_naive_time_is_utc_as_ckan_stores_it():
    assert clock.local_day(datetime.datetime(2026, 11, 30, 15, 30), TOKYO) == datetime.date(2026, 12, 1)
    assert clock.local_day(datetime.datetime(2026, 11, 30, 14, 59, 59), TOKYO) == datetime.date(2026, 11, 30)


def test_today_follows_the_clock(freezer):
    freezer.move_to("2026-11-30T23:59:00Z")  # 08:59 JST on 1 December
    assert clock.today(TOKYO) == datetime.date(2026, 12, 1)
    freezer.move_to("2026-12-01T15:00:00Z")  # midnight JST: 2 December
    assert clock.today(TOKYO) == datetime.date(2026, 12, 2)
