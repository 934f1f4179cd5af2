"""The ingestor's promise (issue 12): no message the broker acknowledged is lost and none is
stored twice, when the ingestor is killed with SIGKILL mid-stream, when Mosquitto restarts,
and when PostgreSQL is out of its reach for a moment.

Real processes only: the ingestor runs as ``ckan regionaliot feeds ingest`` in its own
process; the broker is Debian's mosquitto started here on a free port with the stack's
password file and ACLs and a persistence folder of its own (restarting the stack's shared
broker would disturb the other test profiles and the portal); PostgreSQL is the test
profile's, reached by the ingestor through a TCP proxy of this test that is stopped and
started again (restarting PostgreSQL would hit every other profile).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import ckan.model as model
import paho.mqtt.client as paho
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.feeds import mqtt
from sqlalchemy import text as sa_text

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(os.environ.get("REGIONALIOT_DATA") or ROOT / "var")
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
CKAN = str(Path(sys.executable).with_name("ckan"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, up: bool, seconds: float = 15) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as s:
            if (s.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.1)
    raise AssertionError(f"port {port} not {'up' if up else 'down'}")


class Broker:
    """A private mosquitto: the stack's config with its own port and persistence."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        (folder / "data").mkdir(parents=True)
        lines = []
        for line in (DATA / "mosquitto" / "mosquitto.conf").read_text().splitlines():
            if line.startswith("listener "):
                line = f"listener {self.port} 127.0.0.1"
            elif line.startswith("persistence_location "):
                line = f"persistence_location {folder / 'data'}/"
            lines.append(line)
        (folder / "mosquitto.conf").write_text("\n".join(lines) + "\n")
        if os.geteuid() == 0:  # mosquitto drops to its own user and must write there
            shutil.chown(folder / "data", "mosquitto")
        assert os.access(folder, os.X_OK), folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.folder / "mosquitto.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, True)

    def stop(self) -> None:  # SIGTERM: mosquitto saves its sessions and queues on the way out
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        wait_port(self.port, False)


class Proxy:
    """A TCP proxy to PostgreSQL that can be taken away (every connection cut) and back."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def stop(self) -> None:
        if self.listener:
            try:  # wakes the thread blocked in accept(); close() alone would not on Linux
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets = []


@pytest.fixture
def feed(test_request_context):
    org = factories.Organization()
    with test_request_context():
        return call_action("package_create", {"user": factories.Sysadmin()["name"]},
                           type="feed", name=f"resilience-{uuid.uuid4().hex[:8]}", title="水位",
                           owner_org=org["id"], category="kokudo-kisho", observation_interval=10,
                           sensors=[{"sensor_id": "g1", "name": "g1", "kind": "river_level",
                                     "unit": "m", "minimum": "-1", "maximum": "100000",
                                     "latitude": "34.6", "longitude": "133.7"}])


@pytest.fixture
def broker():
    # Not under tmp_path: pytest's folders are private to root, and mosquitto (its own
    # user) could not write its persistence there, so a restart would forget the sessions.
    folder = Path(tempfile.mkdtemp(prefix="regionaliot-mosquitto-"))
    folder.chmod(0o755)
    b = Broker(folder / "broker")
    b.start()
    yield b
    b.stop()
    shutil.rmtree(folder, ignore_errors=True)


class Ingestor:
    """``ckan regionaliot feeds ingest`` in its own process, on an ini that points it at
    the private broker (and, given, at PostgreSQL through the proxy)."""

    def __init__(self, request, tmp_path: Path, broker: Broker, db_url: str | None = None):
        # The test profile's ini (its logging sections too) with our settings in [app:main].
        ours = {"ckanext.regionaliot.feeds.mqtt_port": str(broker.port),
                "ckanext.regionaliot.feeds.batch_wait": "0.1"}
        if db_url:
            ours["sqlalchemy.url"] = db_url
        lines = [line for line in Path(request.config.getoption("--ckan-ini")).read_text().splitlines()
                 if line.split("=", 1)[0].strip() not in ours]
        at = lines.index("[app:main]") + 1
        lines[at:at] = [f"{key} = {value}" for key, value in ours.items()]
        ini = tmp_path / "ingest.ini"
        ini.write_text("\n".join(lines) + "\n")
        self.command = [CKAN, "-c", str(ini), "regionaliot", "feeds", "ingest",
                        "--client-id", f"test-ingestor-{uuid.uuid4().hex[:8]}"]
        self.log = tmp_path / "ingest.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT,
                                            env=dict(os.environ, REGIONALIOT_DATA=str(DATA)))
        deadline = time.time() + 120
        while b"Ingesting" not in self.log.read_bytes():
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.time() < deadline, "the ingestor did not start"
            time.sleep(0.2)
        time.sleep(1.0)  # subscribed (on_connect) before anything is published

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class Publisher:
    """A device's stream: observation i at base + i seconds, one per QoS 1 message."""

    def __init__(self, broker: Broker, feed: dict):
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}",
                                  clean_session=False, protocol=paho.MQTTv311)
        self.client.username_pw_set("simulator", mqtt.password("simulator"))
        self.client.max_queued_messages_set(0)
        self.client.connect("127.0.0.1", broker.port, keepalive=10)
        self.client.loop_start()
        self.topic = f"regionaliot/feeds/{feed['name']}/g1"
        self.base = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=3)
        self.infos: list[paho.MQTTMessageInfo] = []

    def publish(self, start: int, count: int, pause_every: int = 0) -> None:
        for i in range(start, start + count):
            stamp = (self.base + dt.timedelta(seconds=i)).isoformat()
            self.infos.append(self.client.publish(self.topic, json.dumps({"observed_at": stamp, "value": i}), qos=1))
            if pause_every and i % pause_every == 0:
                time.sleep(0.01)

    def acknowledged(self, seconds: float = 60) -> int:
        """Waits for the broker's PUBACKs; the number acknowledged."""
        deadline = time.time() + seconds
        for info in self.infos:
            while not info.is_published() and time.time() < deadline:
                time.sleep(0.05)
        return sum(1 for info in self.infos if info.is_published())

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def stored(feed) -> tuple[int, int]:
    """(rows, distinct values) of the feed; a fresh transaction each time."""
    model.Session.rollback()
    row = model.Session.execute(sa_text(
        "SELECT count(*), count(DISTINCT value) FROM regionaliot_feed_observation WHERE feed_id = :f"),
        {"f": feed["id"]}).one()
    model.Session.rollback()
    return row[0], row[1]


def wait_stored(feed, at_least: int, seconds: float) -> tuple[int, int]:
    deadline = time.time() + seconds
    while True:
        count = stored(feed)
        if count[0] >= at_least or time.time() > deadline:
            return count
        time.sleep(0.3)


def blocked_on_the_table(seconds: float = 60) -> bool:
    """Whether some session waits for a lock on the observations table (the ingestor's
    insert, stopped by the lock this test holds)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        model.Session.rollback()
        waiting = model.Session.execute(sa_text(
            "SELECT count(*) FROM pg_locks WHERE NOT granted "
            "AND relation = 'regionaliot_feed_observation'::regclass")).scalar()
        model.Session.rollback()
        if waiting:
            return True
        time.sleep(0.1)
    return False


def test_kill_9_of_the_ingestor_mid_insert_loses_no_acknowledged_message(request, tmp_path, broker, feed):
    """The kill lands while a batch is inside its INSERT (held there by a lock this test
    takes on the table): an ingestor that acknowledged that batch before its commit loses
    it, since the broker never sends an acknowledged message again."""
    total = 3000
    ingestor = Ingestor(request, tmp_path, broker)
    ingestor.start()
    publisher = Publisher(broker, feed)
    lock = model.meta.engine.raw_connection()
    try:
        publisher.publish(0, 300)
        assert wait_stored(feed, 300, 60)[0] == 300, ingestor.log.read_text()[-2000:]
        # SHARE mode: readers go on, every INSERT waits until this transaction ends.
        lock.cursor().execute("LOCK TABLE regionaliot_feed_observation IN SHARE MODE")
        publisher.publish(300, total - 300)
        assert publisher.acknowledged() == total
        assert blocked_on_the_table(), "the ingestor never reached its INSERT: nothing was tested"
        # A wrongly early PUBACK leaves by paho's network thread within milliseconds of
        # ack(); this gives it time to reach the broker before the process dies.
        time.sleep(0.5)
        ingestor.kill()
        lock.rollback()
        killed_at = stored(feed)[0]
        assert killed_at < total, "the stream was over before the kill: nothing was tested"
        ingestor.start()  # the same client id: its persistent session is waiting
        rows, distinct = wait_stored(feed, total, 120)
        assert (rows, distinct) == (total, total), (killed_at, ingestor.log.read_text()[-2000:])
    finally:
        lock.close()
        publisher.close()
        ingestor.stop()


def test_the_ingestor_resumes_after_a_broker_restart_and_retries_while_postgres_is_away(
        request, tmp_path, broker, feed):
    url = urlsplit(str(model.meta.engine.url.render_as_string(hide_password=False)))
    proxy = Proxy((url.hostname, url.port or 5432))
    proxy.start()
    proxied = urlunsplit(url._replace(netloc=f"{url.username}:{url.password}@127.0.0.1:{proxy.port}"))
    ingestor = Ingestor(request, tmp_path, broker, db_url=proxied)
    ingestor.start()
    publisher = Publisher(broker, feed)
    try:
        publisher.publish(0, 500)
        assert publisher.acknowledged() == 500
        assert wait_stored(feed, 500, 60)[0] == 500, ingestor.log.read_text()[-2000:]

        # Mosquitto restarts: both clients reconnect by themselves; the ingestor's
        # persistent session (subscription, queue) survives in the broker's persistence.
        publisher.close()
        broker.stop()
        broker.start()
        publisher = Publisher(broker, feed)
        publisher.publish(500, 500)
        assert publisher.acknowledged() == 500
        assert wait_stored(feed, 1000, 90)[0] == 1000, ingestor.log.read_text()[-2000:]

        # PostgreSQL out of reach: the ingestor keeps the batch unacknowledged and retries.
        proxy.stop()
        publisher.publish(1000, 500)
        assert publisher.acknowledged() == 1000  # this publisher's: the broker has them all
        time.sleep(5)
        assert stored(feed)[0] == 1000  # nothing got through while the proxy was gone
        proxy.start()
        rows, _distinct = wait_stored(feed, 1500, 90)
        time.sleep(2)
        assert stored(feed) == (1500, 1500), ingestor.log.read_text()[-2000:]
        assert b"retrying" in ingestor.log.read_bytes()
    finally:
        publisher.close()
        ingestor.stop()
        proxy.stop()
