"""``ckan regionaliot feeds ingest|simulate|seed`` (added to the core plugin's group by
hooks.py): the MQTT ingestor, the demo simulator and the demo feeds."""
from __future__ import annotations

import datetime as dt
import json
import logging
import random
import signal
import time

import ckan.plugins.toolkit as tk
import click

from ckanext.regionaliot.lib import config

from . import demo, mqtt

log = logging.getLogger(__name__)

JST = dt.timezone(dt.timedelta(hours=9))


@click.group(short_help="Real-time sensor feeds: ingestor, simulator, demo feeds")
def feeds():
    """Sensor feeds (plugin regionaliot_feeds)."""


@feeds.command(short_help="Subscribe to the feeds' MQTT topics and store what arrives")
@click.option("--client-id", default=None, help="MQTT client id (default: the configured one)")
@click.option("--prefix", default=None, help="Topic prefix (default: the configured one; bench/feeds)")
@click.pass_context
def ingest(ctx: click.Context, client_id: str | None, prefix: str | None):
    """Run until stopped (SIGTERM/SIGINT): QoS 1, persistent session, batched inserts."""
    # Refusals are translated with gettext, which needs a request context.
    with ctx.meta["flask_app"].test_request_context():
        _ingest(client_id, prefix)


def _ingest(client_id: str | None, prefix: str | None) -> None:
    from .ingest import Ingestor

    ingestor = Ingestor(client_id or config.get_str("ckanext.regionaliot.feeds.client_id"), prefix=prefix)

    def stop(_signum, _frame):
        ingestor.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ingestor.start()
    click.echo(f"Ingesting {ingestor.prefix}/+/+")
    last = time.monotonic()
    try:
        while not ingestor.stop.is_set():
            ingestor.run_once()
            if time.monotonic() - last > 60:
                log.info("stored %d, rejected %d", ingestor.stored, ingestor.rejected)
                last = time.monotonic()
    finally:
        ingestor.close()
    click.echo(f"Stopped: stored {ingestor.stored}, rejected {ingestor.rejected}")


@feeds.command(short_help="Publish the demo feeds' simulated readings to MQTT")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between readings")
@click.option("--count", default=0, show_default=True, help="Rounds to publish (0: forever)")
def simulate(interval: float, count: int):
    """Every sensor of the demo feeds publishes a reading each interval (QoS 1)."""
    client = mqtt.client("simulator", f"regionaliot-simulator-{random.randrange(1 << 30)}")
    mqtt.connect(client)
    client.loop_start()
    prefix = mqtt.prefix()
    rng = random.Random()
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))
    rounds = 0
    try:
        while not stopped and (count == 0 or rounds < count):
            now = time.time()
            stamp = dt.datetime.fromtimestamp(now, JST).isoformat(timespec="seconds")
            for feed in (demo.RIVER, demo.UNDERPASS):
                for index, sensor_id in enumerate(demo.sensor_ids(feed)):
                    payload = {"observed_at": stamp, "value": demo.value(feed, index, now, rng),
                               "quality": "provisional"}
                    client.publish(f"{prefix}/{feed}/{sensor_id}", _json(payload), qos=1)
            rounds += 1
            if count == 0 or rounds < count:
                time.sleep(max(0.0, interval - (time.time() - now)))
    finally:
        time.sleep(0.5)
        client.loop_stop()
        client.disconnect()


def _json(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)


@feeds.command("daily-csv", short_help="Make a day's CSV file of every feed as a resource")
@click.option("--day", default=None, help="YYYY-MM-DD in JST (default: yesterday in JST)")
@click.option("--feed", "feed_name", default=None, help="One feed (default: every feed)")
@click.pass_context
def daily_csv(ctx: click.Context, day: str | None, feed_name: str | None):
    """The day's observations become the resource observations-<day>.csv of the feed's
    dataset (replaced when run again for that day). Run it daily, after midnight JST."""
    from . import daily

    try:
        date = dt.date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter(f"not a date YYYY-MM-DD: {day}", param_hint="--day") from None
    with ctx.meta["flask_app"].test_request_context():
        if feed_name:
            user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
            try:
                resource = daily.make_file(feed_name, date or daily.yesterday(), user)
            except tk.ObjectNotFound:
                raise click.ClickException(f"No feed named {feed_name}") from None
            click.echo(f"{feed_name}: {resource['name']}")
        else:
            for name in daily.make_all(date):
                click.echo(f"{name}: done")


@feeds.command(short_help="Create the demo feeds (river gauges, underpasses) if missing")
@click.option("--organization", default="kurashiki", show_default=True)
@click.pass_context
def seed(ctx: click.Context, organization: str):
    """Idempotent: a feed that exists is left as it is."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    with ctx.meta["flask_app"].test_request_context():
        for package in demo.packages(organization):
            try:
                tk.get_action("package_show")({"ignore_auth": True}, {"id": package["name"]})
                click.echo(f"{package['name']}: exists")
                continue
            except tk.ObjectNotFound:
                pass
            try:
                tk.get_action("package_create")({"user": site_user["name"]}, package)
            except tk.ValidationError as error:
                raise click.ClickException(f"{package['name']}: {error.error_summary}") from error
            click.echo(f"{package['name']}: created")
