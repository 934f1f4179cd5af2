"""The MQTT ingestor (``ckan regionaliot feeds ingest``): subscribes with QoS 1 in a
persistent session to <prefix>/<feed>/<sensor>, validates and stores in batches, and
acknowledges each message only after its batch is committed, so a kill -9 of the
ingestor, or a restart of Mosquitto or PostgreSQL, loses no acknowledged message (the
broker sends what was not acknowledged again; storing is idempotent)."""
from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections import defaultdict
from typing import Any

import ckan.model as ckan_model
import paho.mqtt.client as paho
from psycopg2 import Error as PostgresError
from sqlalchemy.exc import SQLAlchemyError

from ckanext.regionaliot.lib import config

from . import model, mqtt, service
from .observations import Rejection, decode_json, parse_topic, validate

log = logging.getLogger(__name__)

IDLE = 0.02  # seconds without a message that close a batch


class Ingestor:
    def __init__(self, client_id: str, prefix: str | None = None, batch_size: int | None = None,
                 batch_wait: float | None = None):
        self.prefix = prefix or mqtt.prefix()
        self.batch_size = batch_size or config.get_int("ckanext.regionaliot.feeds.batch_size")
        self.batch_wait = batch_wait if batch_wait is not None else \
            config.get_float("ckanext.regionaliot.feeds.batch_wait")
        self.messages: queue.Queue[paho.MQTTMessage] = queue.Queue()
        self.stop = threading.Event()
        self.feeds = service.FeedCache()
        self.stored = 0
        self.pending: list[paho.MQTTMessage] = []
        self.rejected = 0
        self.client = mqtt.client("ingestor", client_id, clean_session=False)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda _c, _u, message: self.messages.put(message)

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any, reason: Any,
                    _properties: Any) -> None:
        if reason.is_failure:
            log.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(f"{self.prefix}/+/+", qos=1)

    def start(self) -> None:
        mqtt.connect(self.client)
        self.client.loop_start()

    def close(self) -> None:
        self.stop.set()
        self.client.loop_stop()
        self.client.disconnect()

    def _take(self) -> list[paho.MQTTMessage]:
        batch: list[paho.MQTTMessage] = []
        try:
            batch.append(self.messages.get(timeout=0.5))
        except queue.Empty:
            return batch
        # Fill the batch while messages keep coming; a pause of IDLE ends it early, so the
        # broker's in-flight window (messages not yet acknowledged) never idles the stream.
        deadline = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self.messages.get(timeout=min(remaining, IDLE)))
            except queue.Empty:
                break
        return batch

    def handle(self, batch: list[paho.MQTTMessage]) -> None:
        """Validate and store one batch in one transaction, then acknowledge it."""
        good: dict[str, list] = defaultdict(list)
        bad: list[tuple[str | None, str, list[Rejection]]] = []
        now = _now()
        for message in batch:
            topic = message.topic
            where = parse_topic(topic, self.prefix)
            if where is None:
                bad.append((None, topic, [Rejection("bad_topic", topic[:200], "")]))
                continue
            feed = self.feeds.get(where[0])
            if feed is None:
                bad.append((None, topic, [Rejection("unknown_feed", where[0], "")]))
                continue
            items = decode_json(message.payload)
            if isinstance(items, Rejection):
                bad.append((feed.id, topic, [items]))
                continue
            ok, refused = validate(items, feed.sensors, now, topic_sensor=where[1])
            good[feed.id].extend(ok)
            if refused:
                bad.append((feed.id, topic, refused))
        connection = model.raw_connection()
        try:
            for feed_id, observations in good.items():
                self.stored += model.insert_raw(connection, feed_id, observations)
            for feed_id, topic, rejections in bad:
                model.insert_deadletters_raw(connection, feed_id, "mqtt", topic, rejections)
                self.rejected += len(rejections)
            ckan_model.Session.commit()
        except BaseException:
            _reset_session()
            raise
        for message in batch:
            if message.qos:
                self.client.ack(message.mid, message.qos)

    def run_once(self) -> None:
        """Take a batch (waiting up to half a second) and store it; a database failure
        retries the same batch (nothing was acknowledged) after a pause."""
        if not self.pending:
            self.pending = self._take()
            if not self.pending:
                return
        try:
            self.handle(self.pending)
            self.pending = []
        except (SQLAlchemyError, PostgresError) as error:
            # Also a failure before the insert (reading a feed while the database is away)
            # leaves the session's transaction aborted: reset it, or every retry fails.
            _reset_session()
            log.warning("Storing %d messages failed, retrying: %s", len(self.pending), error)
            self.stop.wait(2.0)

    def run(self) -> None:
        while not self.stop.is_set():
            self.run_once()


def _reset_session() -> None:
    """Roll back and drop CKAN's session; with the database away the rollback itself may
    fail, and the next use then starts on a fresh connection from the pool."""
    try:
        ckan_model.Session.rollback()
    except (SQLAlchemyError, PostgresError):
        pass
    ckan_model.Session.remove()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
