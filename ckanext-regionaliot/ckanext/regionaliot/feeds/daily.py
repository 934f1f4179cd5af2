"""Daily CSV files of a feed as ordinary resources of its dataset, so history can be
downloaded (and harvested) like any other file: ``ckan regionaliot feeds daily-csv`` makes
yesterday's file in JST for every feed (run it once a day, e.g. from cron; ``make_all`` is
also a function an RQ job can run). Running it again for a day replaces that day's file."""
from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

from . import files, model, service

log = logging.getLogger(__name__)

PAGE = 50_000


def _records(feed_id: str, day: dt.date) -> Iterator[dict[str, Any]]:
    start, end = files.jst_day(day)
    offset = 0
    while True:
        page = model.query(feed_id, None, start, end, None, PAGE, offset)
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def make_file(feed_name: str, day: dt.date, user: str) -> dict[str, Any]:
    """Create (or replace) the feed's resource holding the observations of ``day`` (JST)."""
    feed = service.load(feed_name)
    body = files.daily_csv(_records(feed.id, day))
    name = files.daily_name(day)
    data = {"package_id": feed.id, "name": name, "url": name, "format": "CSV",
            "mimetype": "text/csv",
            "description": f"{day.isoformat()}（日本時間）の観測値 / Observations of "
                           f"{day.isoformat()} (JST): sensor_id, observed_at, value, quality",
            "upload": FileStorage(stream=io.BytesIO(body), filename=name, content_type="text/csv")}
    existing = next((r for r in feed.package.get("resources") or [] if r.get("name") == name), None)
    context = {"user": user}
    if existing:
        return tk.get_action("resource_update")(context, dict(data, id=existing["id"]))
    return tk.get_action("resource_create")(context, data)


def yesterday() -> dt.date:
    return files.yesterday_jst(dt.datetime.now(dt.timezone.utc))


def make_all(day: dt.date | None = None) -> list[str]:
    """Yesterday's file (JST) of every feed, as the site user; the names of the feeds done."""
    day = day or yesterday()
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    found = tk.get_action("package_search")({"user": user, "ignore_auth": True}, {
        "fq": f"+dataset_type:{service.FEED_TYPE}", "rows": 1000, "include_private": True})
    done = []
    for package in found["results"]:
        make_file(package["name"], day, user)
        done.append(package["name"])
    return done
