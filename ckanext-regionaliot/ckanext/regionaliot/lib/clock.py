"""The portal's calendar day. The server keeps UTC, but a day the portal names (a KPI
snapshot, a CSV file's date) is the readers' day: from 00:00 to 09:00 JST the UTC date
is still yesterday's. Pure: the zone is passed in (ckan.display_timezone, Asia/Tokyo)."""
from __future__ import annotations

import datetime


def local_day(instant: datetime.datetime, zone: datetime.tzinfo) -> datetime.date:
    """The date of ``instant`` in ``zone``; a naive instant is UTC (as CKAN stores times)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=datetime.timezone.utc)
    return instant.astimezone(zone).date()


def today(zone: datetime.tzinfo) -> datetime.date:
    return local_day(datetime.datetime.now(datetime.timezone.utc), zone)
