"""Daily CSV files of a feed as ordinary resources of its dataset, so history can be
downloaded (and harvested) like any other file: ``ckan regionaliot feeds daily-csv`` makes
yesterday's file in JST for every feed (run it once a day, e.g. from cron; ``make_all`` is
also a function an RQ job can run). Running it again for a day replaces that day's file."""
from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import IO, Any

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

from . import files, model, service

log = logging.getLogger(__name__)

# Rows read per query (keyset pages, model.rows_between).
PAGE = 5000
# The file is written into memory up to this size, then to a temporary file on disk.
SPOOL_BYTES = 8 * 1024 * 1024


def make_file(feed_name: str, day: dt.date, user: str) -> dict[str, Any]:
    """Create (or replace) the feed's resource holding the observations of ``day`` (JST).
    The rows stream from the database in keyset pages into a spooled temporary file, which
    CKAN's uploader copies to the filestore: a day of any size never sits in memory."""
    feed = service.load(feed_name)
    start, end = files.jst_day(day)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
        files.write_daily_csv(model.rows_between(feed.id, start, end, PAGE), body)
        body.seek(0)
        return _save(feed, day, user, body)


def _save(feed: service.Feed, day: dt.date, user: str, body: IO[bytes]) -> dict[str, Any]:
    name = files.daily_name(day)
    data = {"package_id": feed.id, "name": name, "url": name, "format": "CSV",
            "mimetype": "text/csv",
            "description": f"{day.isoformat()}（日本時間）の観測値 / Observations of "
                           f"{day.isoformat()} (JST): sensor_id, observed_at, value, quality",
            "upload": FileStorage(stream=body, filename=name, content_type="text/csv")}
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
