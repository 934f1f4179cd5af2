"""Sensor feeds (issue 12, "Measure"): observations stored per second through MQTT and
through the HTTP batch endpoint, against a plain DataStore ``datastore_upsert`` baseline,
all in the same run on the bench profile (database ckan_bench; the script refuses any
other) and the stack's Mosquitto.

1. HTTP: ``POST /api/feeds/<feed>/observations`` (in-process WSGI: routing, token, action,
   validation, one INSERT … ON CONFLICT per batch) with ``--batch`` observations a request.
2. MQTT: a publisher thread sends one observation per message (a device's message, QoS 1)
   to the ingestor (ingest.Ingestor, the same code as ``ckan regionaliot feeds ingest``,
   in this process); the time runs from the first publish to the last row stored; with
   ``--mqtt-per-message`` N, N observations per message.
3. Baseline: ``datastore_upsert`` (method upsert, primary key sensor_id + observed_at) of
   the same observations in batches of ``--batch`` into a DataStore resource.
4. ``regionaliot_feed_query`` p50/p95 for a day of 10-second data from ``--sensors`` sensors
   (hourly and raw pages).

    .venv/bin/python bench/feeds/run.py                   # 50,000 observations each way
    .venv/bin/python bench/feeds/run.py --observations 20000

Writes bench/out/feeds-<n>-<time>.json. Needs the services (make services).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "ckan_bench"
UTC = dt.timezone.utc


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ini", type=Path, default=ROOT / "var" / "bench-feeds.ini")
    p.add_argument("--observations", type=int, default=50_000)
    p.add_argument("--sensors", type=int, default=100)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--mqtt-per-message", type=int, default=1)
    p.add_argument("--query-day", action=argparse.BooleanOptionalAction, default=True,
                   help="load a day of 10 s data from every sensor and time the queries")
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    return p.parse_args(argv)


def load_ckan(ini: Path):
    env = dict(os.environ, REGIONALIOT_DATA=os.environ.get("REGIONALIOT_DATA", str(ROOT / "var")))
    subprocess.run([sys.executable, str(ROOT / "deploy" / "render_ini.py"), "bench", str(ini)],
                   check=True, env=env)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    from ckan.common import config

    if config["sqlalchemy.url"].rsplit("/", 1)[-1] != DB_NAME:
        sys.exit(f"bench/feeds: {ini} is not the bench profile")
    return app


def migrate():
    from ckan.cli.db import _run_migrations

    for plugin in (None, "regionaliot_feeds"):
        _run_migrations(plugin)


def observations(sensors: list[str], n: int, start: dt.datetime, step: float) -> list[dict]:
    """n observations round-robin over the sensors, each sensor every ``step`` seconds."""
    out = []
    for i in range(n):
        stamp = start + dt.timedelta(seconds=step * (i // len(sensors)))
        out.append({"sensor_id": sensors[i % len(sensors)], "observed_at": stamp.isoformat(),
                    "value": round(1 + (i % 97) / 50, 2), "quality": "provisional"})
    return out


def count(feed_id: str) -> int:
    from ckan import model
    from sqlalchemy import text

    model.Session.rollback()
    return model.Session.execute(text(
        "SELECT count(*) FROM regionaliot_feed_observation WHERE feed_id = :f"), {"f": feed_id}).scalar()


def main(argv=None) -> None:
    args = parse_args(argv)
    app = load_ckan(args.ini)
    flask_app = app._wsgi_app if hasattr(app, "_wsgi_app") else app
    import ckan.plugins.toolkit as tk
    from ckan import model
    from sqlalchemy import text

    with flask_app.test_request_context():
        migrate()
        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        ctx = lambda: {"user": site, "ignore_auth": True}  # noqa: E731
        try:
            org = tk.get_action("organization_show")(ctx(), {"id": "bench-feeds"})
        except tk.ObjectNotFound:
            org = tk.get_action("organization_create")(ctx(), {"name": "bench-feeds", "title": "bench"})
        sensors = [f"s{i:04d}" for i in range(args.sensors)]
        name = f"bench-feed-{uuid.uuid4().hex[:8]}"
        feed = tk.get_action("package_create")(ctx(), {
            "type": "feed", "name": name, "title": "bench", "owner_org": org["id"],
            "category": "kokudo-kisho", "sensors": [
                {"sensor_id": s, "name": s, "latitude": "34.6", "longitude": "133.7",
                 "minimum": "-10", "maximum": "100"} for s in sensors]})
        token = tk.get_action("regionaliot_feed_token_create")(ctx(), {"id": name})["token"]
    results: dict = {"observations": args.observations, "sensors": args.sensors,
                     "batch": args.batch, "cpus": os.cpu_count()}
    base = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(days=30)

    # 1. HTTP batches
    client = flask_app.test_client()
    data = observations(sensors, args.observations, base, 10)
    t0 = time.perf_counter()
    for i in range(0, len(data), args.batch):
        r = client.post(f"/api/feeds/{name}/observations", data=json.dumps(data[i:i + args.batch]),
                        headers={"X-Feed-Token": token, "Content-Type": "application/json"})
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
    http_s = time.perf_counter() - t0
    with flask_app.test_request_context():
        assert count(feed["id"]) == args.observations
    results["http_per_s"] = round(args.observations / http_s)
    # the same again: all duplicates
    t0 = time.perf_counter()
    for i in range(0, len(data), args.batch):
        client.post(f"/api/feeds/{name}/observations", data=json.dumps(data[i:i + args.batch]),
                    headers={"X-Feed-Token": token, "Content-Type": "application/json"})
    results["http_duplicates_per_s"] = round(args.observations / (time.perf_counter() - t0))
    print("HTTP", results["http_per_s"], "obs/s; duplicates", results["http_duplicates_per_s"])

    # 2. MQTT through Mosquitto and the ingestor
    import paho.mqtt.client as paho
    from ckanext.regionaliot.feeds import mqtt
    from ckanext.regionaliot.feeds.ingest import Ingestor

    with flask_app.test_request_context():
        prefix = f"regionaliot/feeds/bench-{uuid.uuid4().hex[:6]}"
        client_id = f"bench-ingestor-{uuid.uuid4().hex[:6]}"
        ingestor = Ingestor(client_id, prefix=prefix)
        ingestor.start()
        time.sleep(0.5)
        mdata = observations(sensors, args.observations, base + dt.timedelta(days=2), 10)
        per = args.mqtt_per_message
        publisher = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}")
        publisher.username_pw_set("simulator", mqtt.password("simulator"))
        publisher.max_inflight_messages_set(1000)
        publisher.max_queued_messages_set(0)
        mqtt.connect(publisher)
        publisher.loop_start()

        def publish():
            # One topic per sensor: a message holds one observation, or with --mqtt-per-message
            # N, N observations of one sensor (the data are sorted by sensor then).
            for i in range(0, len(mdata), per):
                chunk = mdata[i:i + per]
                payload = json.dumps(chunk if per > 1 else chunk[0])
                publisher.publish(f"{prefix}/{name}/{chunk[0]['sensor_id']}", payload, qos=1)

        if per > 1:  # a batch message must hold one sensor only (the topic names it)
            mdata.sort(key=lambda o: o["sensor_id"])
        before = count(feed["id"])
        t0 = time.perf_counter()
        thread = threading.Thread(target=publish)
        thread.start()
        deadline = time.time() + 600
        while ingestor.stored < args.observations and time.time() < deadline:
            ingestor.run_once()
        mqtt_s = time.perf_counter() - t0
        thread.join()
        publisher.loop_stop()
        publisher.disconnect()
        ingestor.close()
        mqtt.forget_session("ingestor", client_id)
        stored = count(feed["id"]) - before
        results["mqtt_stored"] = stored
        results["mqtt_rejected"] = ingestor.rejected
        results["mqtt_per_message"] = per
        results["mqtt_per_s"] = round(stored / mqtt_s)
    print("MQTT", results["mqtt_per_s"], "obs/s", f"({stored} stored, {ingestor.rejected} rejected)")

    # 3. Baseline: datastore_upsert into a DataStore resource with the same primary key
    with flask_app.test_request_context():
        ds = tk.get_action("datastore_create")(ctx(), {
            "resource": {"package_id": feed["id"], "name": "baseline"},
            "fields": [{"id": "sensor_id", "type": "text"}, {"id": "observed_at", "type": "timestamptz"},
                       {"id": "value", "type": "float8"}, {"id": "quality", "type": "text"}],
            "primary_key": ["sensor_id", "observed_at"], "force": True})
        t0 = time.perf_counter()
        for i in range(0, len(data), args.batch):
            tk.get_action("datastore_upsert")(ctx(), {
                "resource_id": ds["resource_id"], "records": data[i:i + args.batch],
                "method": "upsert", "force": True})
        ds_s = time.perf_counter() - t0
        results["datastore_upsert_per_s"] = round(args.observations / ds_s)
        t0 = time.perf_counter()
        for i in range(0, len(data), args.batch):
            tk.get_action("datastore_upsert")(ctx(), {
                "resource_id": ds["resource_id"], "records": data[i:i + args.batch],
                "method": "upsert", "force": True})
        results["datastore_upsert_duplicates_per_s"] = round(args.observations / (time.perf_counter() - t0))
        tk.get_action("datastore_delete")(ctx(), {"resource_id": ds["resource_id"], "force": True})
    results["ratio_http_vs_datastore"] = round(results["http_per_s"] / results["datastore_upsert_per_s"], 2)
    results["ratio_mqtt_vs_datastore"] = round(results["mqtt_per_s"] / results["datastore_upsert_per_s"], 2)
    print("DataStore upsert", results["datastore_upsert_per_s"], "obs/s; ratios HTTP",
          results["ratio_http_vs_datastore"], "MQTT", results["ratio_mqtt_vs_datastore"])

    # 4. regionaliot_feed_query over a day of 10 s data from every sensor
    if args.query_day:
        from ckanext.regionaliot.feeds import model as feeds_model
        from ckanext.regionaliot.feeds.observations import Observation

        day0 = (dt.datetime.now(UTC) - dt.timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
        with flask_app.test_request_context():
            rows = [Observation(s, day0 + dt.timedelta(seconds=10 * k), 1.0 + (k % 50) / 100, "provisional")
                    for k in range(8640) for s in sensors]
            connection = feeds_model.raw_connection()
            for i in range(0, len(rows), 50_000):
                feeds_model.insert_raw(connection, feed["id"], rows[i:i + 50_000])
            model.Session.commit()
            model.Session.execute(text("ANALYZE regionaliot_feed_observation"))
            model.Session.commit()
            results["query_day_rows"] = len(rows)
            end = (day0 + dt.timedelta(days=1)).isoformat()
            cases = {
                "hour_all_sensors": {"resolution": "hour"},
                "10min_one_sensor": {"resolution": "10min", "sensor_id": sensors[0]},
                "raw_one_sensor": {"resolution": "raw", "sensor_id": sensors[0], "limit": 10000},
                "raw_all_page": {"resolution": "raw", "limit": 1000, "offset": 5000},
                "latest": None,
            }
            timings = {}
            for label, extra in cases.items():
                samples = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    if extra is None:
                        tk.get_action("regionaliot_feed_latest")(ctx(), {"id": name})
                    else:
                        tk.get_action("regionaliot_feed_query")(ctx(), dict(
                            {"id": name, "start": day0.isoformat(), "end": end}, **extra))
                    samples.append((time.perf_counter() - t0) * 1000)
                samples.sort()
                timings[label] = {"p50_ms": round(statistics.median(samples), 1),
                                  "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1)}
                print("query", label, timings[label])
            results["query_ms"] = timings
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"feeds-{args.observations}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print("wrote", out)


if __name__ == "__main__":
    main()
