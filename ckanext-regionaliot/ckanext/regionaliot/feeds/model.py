"""Tables of the sensor feeds (created by migration/regionaliot_feeds) and their SQL.

Observations live in one table partitioned by month on observed_at (see README.md for why
not a DataStore resource); the partitions are created on demand in the schema
``regionaliot_feed_partitions``, so that dropping the parent drops them all. The primary
key (feed_id, sensor_id, observed_at) makes every insert idempotent: ON CONFLICT DO NOTHING.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import ckan.model as model
from ckan.model.base import BaseModel
from psycopg2 import errors as pg_errors
from psycopg2.extras import execute_values
from sqlalchemy import Column, Index, types
from sqlalchemy import text as sa_text

from .observations import Observation, Rejection, month_start, next_month, partition_name

PARTITION_SCHEMA = "regionaliot_feed_partitions"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class FeedObservation(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_feed_observation"

    feed_id = Column(types.UnicodeText, primary_key=True)
    sensor_id = Column(types.UnicodeText, primary_key=True)
    observed_at = Column(types.DateTime(timezone=True), primary_key=True)
    value = Column(types.Float, nullable=False)
    quality = Column(types.UnicodeText, nullable=False)
    received_at = Column(types.DateTime(timezone=True), nullable=False, default=_now)


class FeedDeadLetter(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_feed_deadletter"

    id = Column(types.BigInteger, primary_key=True, autoincrement=True)
    feed_id = Column(types.UnicodeText)  # NULL: the feed itself was unknown
    source = Column(types.UnicodeText, nullable=False)  # mqtt | http
    topic = Column(types.UnicodeText)
    reason = Column(types.UnicodeText, nullable=False)
    detail = Column(types.UnicodeText, nullable=False, default="")
    payload = Column(types.UnicodeText, nullable=False, default="")
    received_at = Column(types.DateTime(timezone=True), nullable=False, default=_now)

    __table_args__ = (Index("idx_regionaliot_feed_deadletter_feed", "feed_id", "received_at"),)


class FeedToken(BaseModel):  # type: ignore[valid-type,misc]
    """A device's push token for one feed; only its SHA-256 is stored."""
    __tablename__ = "regionaliot_feed_token"

    id = Column(types.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    feed_id = Column(types.UnicodeText, nullable=False)
    token_hash = Column(types.UnicodeText, nullable=False, unique=True)
    label = Column(types.UnicodeText, nullable=False, default="")
    created = Column(types.DateTime(timezone=True), nullable=False, default=_now)


# ------------------------------------------------------------------ tokens
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(feed_id: str, label: str) -> tuple[FeedToken, str]:
    token = "feed_" + secrets.token_urlsafe(32)
    row = FeedToken(feed_id=feed_id, token_hash=hash_token(token), label=label)
    model.Session.add(row)
    model.Session.commit()
    return row, token


def token_feed(token: str) -> str | None:
    """The feed a token may push to, or None."""
    if not token or len(token) > 200:
        return None
    row = model.Session.query(FeedToken).filter(FeedToken.token_hash == hash_token(token)).first()
    return row.feed_id if row else None


# ------------------------------------------------------------------ writing
# One statement per batch with the columns as four arrays (unnest): measured against
# execute_values(… VALUES … RETURNING 1) and COPY into a staging table (bench/feeds/README.md):
# about 1.4x the former and level with COPY, without a temporary table per connection.
INSERT = ("INSERT INTO regionaliot_feed_observation "
          "(feed_id, sensor_id, observed_at, value, quality, received_at) "
          "SELECT %s, s, t, v, q, %s FROM unnest(%s::text[], %s::timestamptz[], %s::float8[], "
          "%s::text[]) AS u(s, t, v, q) ON CONFLICT DO NOTHING")


def ensure_partitions(cursor: Any, stamps: Iterable[dt.datetime]) -> None:
    for first in sorted({month_start(s) for s in stamps}):
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {PARTITION_SCHEMA}.{partition_name(first)} "
            "PARTITION OF regionaliot_feed_observation FOR VALUES FROM (%s) TO (%s)",
            (first, next_month(first)))


def insert_raw(connection: Any, feed_id: str, observations: list[Observation]) -> int:
    """Insert on a DBAPI (psycopg2) connection, without committing; returns rows stored
    (duplicates of stored rows count 0). A month without its partition gets it created."""
    if not observations:
        return 0
    params = (feed_id, _now(), [o.sensor_id for o in observations],
              [o.observed_at for o in observations], [o.value for o in observations],
              [o.quality for o in observations])
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT regionaliot_feed_insert")
        try:
            cursor.execute(INSERT, params)
        except pg_errors.CheckViolation:  # no partition for a month of this batch yet
            cursor.execute("ROLLBACK TO SAVEPOINT regionaliot_feed_insert")
            ensure_partitions(cursor, (o.observed_at for o in observations))
            cursor.execute(INSERT, params)
        # Duplicates of stored rows are not inserted, so the row count is what is new.
        stored = cursor.rowcount
        cursor.execute("RELEASE SAVEPOINT regionaliot_feed_insert")
        return stored


def insert_deadletters_raw(connection: Any, feed_id: str | None, source: str,
                           topic: str | None, rejections: list[Rejection]) -> None:
    if not rejections:
        return
    now = _now()
    with connection.cursor() as cursor:
        execute_values(cursor, "INSERT INTO regionaliot_feed_deadletter "
                       "(feed_id, source, topic, reason, detail, payload, received_at) VALUES %s",
                       [(feed_id, source, topic, r.reason, r.detail[:500], r.raw[:2000], now)
                        for r in rejections])


def raw_connection() -> Any:
    """The psycopg2 connection under CKAN's session (committed by model.Session.commit)."""
    return model.Session.connection().connection.driver_connection


def store(feed_id: str, source: str, topic: str | None, good: list[Observation],
          bad: list[Rejection]) -> int:
    """Observations and dead letters in one transaction of CKAN's session."""
    connection = raw_connection()
    try:
        stored = insert_raw(connection, feed_id, good)
        insert_deadletters_raw(connection, feed_id, source, topic, bad)
    except Exception:
        model.Session.rollback()
        raise
    model.Session.commit()
    return stored


# ------------------------------------------------------------------ reading
def latest(feed_id: str, sensor_ids: list[str]) -> dict[str, tuple[dt.datetime, float, str]]:
    """Per sensor: its newest (observed_at, value, quality). One backward scan of the
    primary key per sensor (LATERAL … LIMIT 1), not a pass over the feed's rows."""
    if not sensor_ids:
        return {}
    rows = model.Session.execute(
        sa_text("SELECT s.sensor_id, o.observed_at, o.value, o.quality "
                "FROM unnest(CAST(:sensors AS text[])) AS s(sensor_id) CROSS JOIN LATERAL ("
                " SELECT observed_at, value, quality FROM regionaliot_feed_observation"
                " WHERE feed_id = :feed AND sensor_id = s.sensor_id"
                " ORDER BY observed_at DESC LIMIT 1) AS o"),
        {"feed": feed_id, "sensors": sensor_ids})
    return {r.sensor_id: (r.observed_at, r.value, r.quality) for r in rows}


def latest_many(sensors_by_feed: dict[str, list[str]]
                ) -> dict[str, dict[str, tuple[dt.datetime, float, str]]]:
    """latest() of several feeds in one statement: feed id → sensor id → its newest row."""
    pairs = [(feed, sensor) for feed, sensors in sensors_by_feed.items() for sensor in sensors]
    if not pairs:
        return {}
    rows = model.Session.execute(
        sa_text("SELECT s.feed_id, s.sensor_id, o.observed_at, o.value, o.quality "
                "FROM unnest(CAST(:feeds AS text[]), CAST(:sensors AS text[])) AS s(feed_id, sensor_id)"
                " CROSS JOIN LATERAL ("
                " SELECT observed_at, value, quality FROM regionaliot_feed_observation"
                " WHERE feed_id = s.feed_id AND sensor_id = s.sensor_id"
                " ORDER BY observed_at DESC LIMIT 1) AS o"),
        {"feeds": [f for f, _s in pairs], "sensors": [s for _f, s in pairs]})
    out: dict[str, dict[str, tuple[dt.datetime, float, str]]] = {}
    for r in rows:
        out.setdefault(r.feed_id, {})[r.sensor_id] = (r.observed_at, r.value, r.quality)
    return out


def query(feed_id: str, sensor_ids: list[str] | None, start: dt.datetime, end: dt.datetime,
          bucket: int | None, limit: int, offset: int) -> list[dict[str, Any]]:
    """Observations in [start, end) in time order; with ``bucket`` seconds, their mean,
    minimum and maximum per bucket."""
    params: dict[str, Any] = {"feed": feed_id, "start": start, "end": end, "limit": limit,
                              "offset": offset}
    where = "feed_id = :feed AND observed_at >= :start AND observed_at < :end"
    if sensor_ids:
        where += " AND sensor_id = ANY(:sensors)"
        params["sensors"] = sensor_ids
    if bucket is None:
        sql = (f"SELECT sensor_id, observed_at, value, quality FROM regionaliot_feed_observation "
               f"WHERE {where} ORDER BY observed_at, sensor_id LIMIT :limit OFFSET :offset")
        return [{"sensor_id": r.sensor_id, "observed_at": r.observed_at.isoformat(),
                 "value": r.value, "quality": r.quality}
                for r in model.Session.execute(sa_text(sql), params)]
    params["bucket"] = bucket
    # date_bin: buckets from the Unix epoch (UTC), in integer time arithmetic; the former
    # to_timestamp(floor(extract(epoch …) / b) * b) gave the same buckets through numeric
    # arithmetic (extract returns numeric since PostgreSQL 14) on every row.
    sql = ("SELECT sensor_id, date_bin(make_interval(secs => :bucket), observed_at,"
           " TIMESTAMPTZ '1970-01-01 00:00:00+00') AS t,"
           " avg(value) AS mean, min(value) AS lo, max(value) AS hi, count(*) AS n "
           f"FROM regionaliot_feed_observation WHERE {where} GROUP BY sensor_id, t "
           "ORDER BY t, sensor_id LIMIT :limit OFFSET :offset")
    return [{"sensor_id": r.sensor_id, "observed_at": r.t.astimezone(dt.timezone.utc).isoformat(),
             "value": round(r.mean, 4), "min": r.lo, "max": r.hi, "count": r.n}
            for r in model.Session.execute(sa_text(sql), params)]


def rows_between(feed_id: str, start: dt.datetime, end: dt.datetime,
                 page: int = 5000) -> Iterator[tuple[str, dt.datetime, float, str]]:
    """Every observation of the feed in [start, end) as (sensor_id, observed_at, value,
    quality), in time order (then sensor), read ``page`` rows at a time by keyset: each
    page starts after the last (observed_at, sensor_id) seen, an index range scan of
    (feed_id, observed_at) from there, so the n-th page costs what the first does (an
    OFFSET re-reads and drops every row before it) and nothing holds more than a page."""
    sql = ("SELECT sensor_id, observed_at, value, quality FROM regionaliot_feed_observation "
           "WHERE feed_id = :feed AND observed_at >= :start AND observed_at < :end{after} "
           "ORDER BY observed_at, sensor_id LIMIT :page")
    params: dict[str, Any] = {"feed": feed_id, "start": start, "end": end, "page": page}
    after = ""
    while True:
        rows = model.Session.execute(sa_text(sql.format(after=after)), params).fetchall()
        for r in rows:
            yield (r.sensor_id, r.observed_at, r.value, r.quality)
        if len(rows) < page:
            return
        # observed_at >= :at bounds the index scan; the row comparison skips the sensors
        # of that instant already read.
        after = (" AND observed_at >= :at AND (observed_at, sensor_id) > "
                 "(CAST(:at AS timestamptz), CAST(:sensor AS text))")
        params.update(at=rows[-1].observed_at, sensor=rows[-1].sensor_id)


def first_observed(feed_id: str, sensor_ids: list[str]) -> dt.datetime | None:
    """The oldest observation of the feed's sensors (the start of its temporal coverage):
    one forward probe of the primary key per sensor, like latest()."""
    if not sensor_ids:
        return None
    return model.Session.execute(
        sa_text("SELECT min(o.observed_at) FROM unnest(CAST(:sensors AS text[])) AS s(sensor_id)"
                " CROSS JOIN LATERAL (SELECT observed_at FROM regionaliot_feed_observation"
                " WHERE feed_id = :feed AND sensor_id = s.sensor_id"
                " ORDER BY observed_at LIMIT 1) AS o"),
        {"feed": feed_id, "sensors": sensor_ids}).scalar()


def deadletters(feed_id: str, limit: int) -> list[dict[str, Any]]:
    rows = (model.Session.query(FeedDeadLetter).filter(FeedDeadLetter.feed_id == feed_id)
            .order_by(FeedDeadLetter.received_at.desc(), FeedDeadLetter.id.desc()).limit(limit))
    return [{"reason": r.reason, "detail": r.detail, "payload": r.payload, "source": r.source,
             "topic": r.topic, "received_at": r.received_at.isoformat()} for r in rows]


def store_deadletters(feed_id: str | None, source: str, topic: str | None,
                      rejections: list[Rejection]) -> None:
    insert_deadletters_raw(raw_connection(), feed_id, source, topic, rejections)
    model.Session.commit()
