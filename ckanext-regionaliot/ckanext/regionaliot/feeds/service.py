"""The feeds' one path from received observations to the database, shared by the HTTP
action and the MQTT ingestor: find the feed, validate (observations.py, no CKAN), store
(model.py) with dead letters for what was refused."""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import ckan.model as ckan_model
import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError
from sqlalchemy.exc import SQLAlchemyError

from . import model, observations
from .observations import Rejection, Sensor, sensors_from_list, validate

log = logging.getLogger(__name__)

FEED_TYPE = "feed"
# The /feeds index and the home panel read at most this many feeds.
MAX_FEEDS = 50
# A feed's sensors are read again after this many seconds (the ingestor's cache).
CACHE_SECONDS = 30.0
# Names the ingestor's cache holds at most: a device may publish under any feed name (the
# ACLs fix only its topic's last level), and each unknown name is remembered.
CACHE_ENTRIES = 1000


@dataclass
class Feed:
    id: str
    name: str
    sensors: dict[str, Sensor]
    package: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def interval(self) -> int:
        try:
            return max(int(self.package.get("observation_interval") or 600), 1)
        except (TypeError, ValueError):
            return 600


def load(name_or_id: str, context: dict[str, Any] | None = None) -> Feed:
    """The feed dataset; NotFound for anything else (another type included). With no
    context, reads as the site (the ingestor has no user)."""
    context = dict(context) if context is not None else {"ignore_auth": True}
    context.setdefault("for_view", False)
    package = tk.get_action("package_show")(context, {"id": name_or_id})
    if package.get("type") != FEED_TYPE:
        raise tk.ObjectNotFound(tk._("No feed named %s") % name_or_id)
    return Feed(package["id"], package["name"], sensors_from_list(package.get("sensors")), package)


class FeedCache:
    """Feeds by name for the ingestor, each read at most every CACHE_SECONDS; an unknown
    name is remembered too (a misbehaving device must not cost a query per message), and
    at most ``entries`` names are, so that a stream of made-up names cannot grow the
    ingestor's memory without end."""

    def __init__(self, seconds: float = CACHE_SECONDS, entries: int = CACHE_ENTRIES):
        self.seconds = seconds
        self.max_entries = max(entries, 2)
        self.entries: dict[str, tuple[float, Feed | None]] = {}

    def get(self, name: str) -> Feed | None:
        now = time.monotonic()
        hit = self.entries.get(name)
        if hit and now - hit[0] < self.seconds:
            return hit[1]
        try:
            feed: Feed | None = load(name)
        except (tk.ObjectNotFound, tk.ValidationError):
            feed = None
        if name not in self.entries and len(self.entries) >= self.max_entries:
            self._evict(now)
        self.entries[name] = (now, feed)
        return feed

    def _evict(self, now: float) -> None:
        """Forget the expired names; when all are fresh, the older half of them."""
        fresh = {k: v for k, v in self.entries.items() if now - v[0] < self.seconds}
        if len(fresh) >= self.max_entries:
            fresh = dict(sorted(fresh.items(), key=lambda kv: kv[1][0])[len(fresh) // 2:])
        self.entries = fresh


def ingest(feed: Feed, source: str, items: list[Any] | Rejection, topic: str | None = None,
           topic_sensor: str | None = None) -> tuple[int, list[Rejection]]:
    """Validate and store; returns (rows stored, rejections). Duplicates store 0 rows."""
    if isinstance(items, Rejection):
        good, bad = [], [items]
    else:
        good, bad = validate(items, feed.sensors, dt.datetime.now(dt.timezone.utc), topic_sensor)
    stored = model.store(feed.id, source, topic, good, bad)
    return stored, bad


def unknown_feed(source: str, topic: str | None, rejection: Rejection) -> None:
    """A message for no known feed still leaves a dead letter (feed_id NULL)."""
    model.store_deadletters(None, source, topic, [rejection])


def every_feed(context: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The feeds the user may see (newest first), each with its package and the result of
    regionaliot_feed_latest; and whether some could not be read. A missing table, a lost
    database connection or Solr down leave the page without the values, never a 500."""
    try:
        found = tk.get_action("package_search")(dict(context), {
            "fq": f"+dataset_type:{FEED_TYPE}", "rows": MAX_FEEDS, "sort": "title_string asc",
            "include_private": True})
    except SearchError as error:
        log.warning("Feeds: the search failed: %s", error)
        return [], True
    feeds, unavailable = [], False
    for package in found["results"]:
        try:
            latest = tk.get_action("regionaliot_feed_latest")(dict(context), {"id": package["id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        except SQLAlchemyError as error:
            # The session's transaction is aborted: roll back so the rest of the page renders.
            ckan_model.Session.rollback()
            log.warning("Feeds: the latest values of %s could not be read: %s", package["name"], error)
            unavailable = True
            continue
        feeds.append({"package": package, "latest": latest})
    return feeds, unavailable


def _sensor_dict(sensor: Sensor, latest: tuple | None, now: dt.datetime,
                 interval: int, package: dict[str, Any]) -> dict[str, Any]:
    extra = next((s for s in package.get("sensors") or [] if s.get("sensor_id") == sensor.id), {})
    observed_at, value, quality = latest if latest else (None, None, None)
    age = int((now - observed_at).total_seconds()) if observed_at else None
    state = observations.state(sensor, value)
    state_stale = age is not None and age > 3 * interval
    return {"sensor_id": sensor.id, "name": sensor.name, "name_en": extra.get("name_en") or "",
            "kind": extra.get("kind") or "other", "measures": sensor.measures, "unit": sensor.unit,
            "latitude": sensor.latitude, "longitude": sensor.longitude,
            "warning_level": sensor.warning, "danger_level": sensor.danger,
            "observed_at": observed_at.isoformat() if observed_at else None, "value": value,
            "quality": quality, "age_seconds": age, "stale": state_stale, "state": state}


def latest_values(feed: Feed, latest: dict[str, tuple], now: dt.datetime) -> dict[str, Any]:
    """What regionaliot_feed_latest returns, from the newest row of each sensor."""
    sensors = [_sensor_dict(s, latest.get(s.id), now, feed.interval, feed.package)
               for s in feed.sensors.values()]
    return {"feed": feed.name, "title": feed.package.get("title"), "now": now.isoformat(),
            "state": observations.worst(s["state"] for s in sensors), "sensors": sensors}


def search_feeds(context: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The feed datasets the user may see (by title), as the search returns them (the
    validated dicts, sensors included); None when the search failed."""
    try:
        return tk.get_action("package_search")(dict(context), {
            "fq": f"+dataset_type:{FEED_TYPE}", "rows": MAX_FEEDS, "sort": "title_string asc",
            "include_private": True})["results"]
    except SearchError as error:
        log.warning("Feeds: the search failed: %s", error)
        return None


def latest_of_found(packages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """The latest values of feeds the search found (so the reader may see them): one query
    for every sensor of every feed, instead of a package_show, an auth check and a query
    per feed. Returns (regionaliot_feed_latest's results, whether they could not be read)."""
    feeds = [Feed(p["id"], p["name"], sensors_from_list(p.get("sensors")), p)
             for p in packages if p.get("type") == FEED_TYPE]
    try:
        latest = model.latest_many({f.id: list(f.sensors) for f in feeds})
    except SQLAlchemyError as error:
        # The session's transaction is aborted: roll back so the rest of the page renders.
        ckan_model.Session.rollback()
        log.warning("Feeds: the latest values could not be read: %s", error)
        return [], True
    now = dt.datetime.now(dt.timezone.utc)
    return [latest_values(f, latest.get(f.id, {}), now) for f in feeds], False
