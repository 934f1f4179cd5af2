"""Sensor feeds (issue 12, "Measure"): observations stored per second through MQTT and
through the HTTP batch endpoint, against a plain DataStore ``datastore_upsert`` baseline,
all in the same run on the bench profile (database ckan_bench; the script refuses any
other) and the stack's Mosquitto. The load average is recorded around every part.

1. ``http``: ``POST /api/feeds/<feed>/observations`` (in-process WSGI: routing, token,
   action, validation, one INSERT … ON CONFLICT per batch), ``--batch`` observations a
   request; then the same again (all duplicates).
2. ``mqtt``: the real ingestor (``ckan regionaliot feeds ingest`` in its own process, on
   a topic prefix of this run) and a fleet of devices in another process (publish.py),
   one observation a QoS 1 message (``--mqtt-per-message`` N: N); the time runs from the
   first publish to the last row stored. Also the ingestor's CPU seconds per 1,000
   observations (from /proc, less sensitive to the other work on the machine).
3. ``latency``: while the fleet publishes ``--latency-load`` observations/s, a probe
   sensor publishes ``--probes`` readings; each is timed from its publish until
   ``GET /api/3/action/regionaliot_feed_latest`` shows it (p50/p95).
4. ``memory``: the ingestor's resident memory every 10 s while the fleet publishes
   ``--memory-rate`` observations/s for ``--memory-minutes`` (a separate run: 10 minutes).
5. ``baseline``: ``datastore_upsert`` (method upsert, primary key sensor_id + observed_at)
   of ``--baseline-observations`` in batches of ``--batch`` into a DataStore resource.
6. ``query``: ``regionaliot_feed_query`` p50/p95 for a day of 10-second data from
   ``--sensors`` sensors (hourly and raw pages), and ``regionaliot_feed_latest``.

    flock var/bench.lock nice -n 10 .venv/bin/python bench/feeds/run.py
    flock var/bench.lock nice -n 10 .venv/bin/python bench/feeds/run.py --only memory
    ... --profile   # the ingestor under cProfile (its main thread), stats to bench/out

Writes bench/out/feeds-<n>-<time>.json. Needs the services (make services).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
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
    p.add_argument("--only", default="http,mqtt,latency,baseline,query",
                   help="comma-separated parts: http, mqtt, latency, memory, baseline, query")
    p.add_argument("--baseline-observations", type=int, default=5000)
    p.add_argument("--latency-load", type=int, default=1000, help="observations/s beside the probes")
    p.add_argument("--probes", type=int, default=60)
    p.add_argument("--memory-minutes", type=float, default=10)
    p.add_argument("--memory-rate", type=int, default=1000)
    p.add_argument("--profile", action="store_true", help="run the ingestor under cProfile")
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
    """Core's, activity's, harvest's and every feature plugin's chain (as deploy/stack.sh)."""
    import ckan.model as model
    from ckan.cli.db import _run_migrations

    # CKAN's migration env.py re-inits the model on a NullPool engine: every commit would
    # then open a new PostgreSQL connection (~30 ms each), which no worker pays. Keep ours.
    engine = model.meta.engine
    plugins = [None, "activity", "harvest"]
    migrations = ROOT / "ckanext-regionaliot" / "ckanext" / "regionaliot" / "migration"
    plugins += sorted(d.name for d in migrations.glob("*/") if (d / "env.py").is_file())
    for plugin in plugins:
        _run_migrations(plugin)
    model.init_model(engine)


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


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {"p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1), "n": len(samples)}


class IngestorProcess:
    """``ckan regionaliot feeds ingest`` on this run's topic prefix, in its own process."""

    def __init__(self, ini: Path, prefix: str, out: Path, profile: bool):
        self.client_id = f"bench-ingestor-{uuid.uuid4().hex[:6]}"
        self.log = out / f"feeds-ingestor-{self.client_id}.log"
        self.profile = out / f"feeds-ingestor-{self.client_id}.prof" if profile else None
        ckan = str(Path(sys.executable).with_name("ckan"))
        command = [ckan, "-c", str(ini), "regionaliot", "feeds", "ingest",
                   "--client-id", self.client_id, "--prefix", prefix]
        if self.profile:
            command = [sys.executable, "-m", "cProfile", "-o", str(self.profile)] + command
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 600  # loading CKAN took 2 minutes at load average 19
        while b"Ingesting" not in self.log.read_bytes():
            if self.process.poll() is not None or time.time() > deadline:
                self.process.kill()
                sys.exit(f"bench/feeds: the ingestor did not start, see {self.log}")
            time.sleep(0.2)
        time.sleep(1.0)  # subscribed

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def fleet(topic: str, count: int, start: dt.datetime, sensors: int, per: int = 1,
          rate: float = 0) -> subprocess.Popen:
    from ckanext.regionaliot.feeds import mqtt
    from ckanext.regionaliot.lib import config

    return subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("publish.py")),
         "--port", str(config.get_int("ckanext.regionaliot.feeds.mqtt_port")),
         "--topic", topic, "--sensors", str(sensors),
         "--count", str(count), "--per-message", str(per), "--rate", str(rate),
         "--start", start.isoformat()], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, BENCH_MQTT_PASSWORD=mqtt.password("simulator")))


def wait_count(flask_app, feed_id: str, target: int, seconds: float) -> int:
    deadline = time.time() + seconds
    while True:
        with flask_app.test_request_context():
            n = count(feed_id)
        if n >= target or time.time() > deadline:
            return n
        time.sleep(0.1)


def main(argv=None) -> None:
    args = parse_args(argv)
    parts = set(args.only.split(","))
    app = load_ckan(args.ini)
    flask_app = app._wsgi_app if hasattr(app, "_wsgi_app") else app
    import ckan.plugins.toolkit as tk
    from ckan import model
    from sqlalchemy import text

    args.out.mkdir(parents=True, exist_ok=True)
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
                 "minimum": "-10", "maximum": "100000"} for s in sensors + ["probe"]]})
        token = tk.get_action("regionaliot_feed_token_create")(ctx(), {"id": name})["token"]
    results: dict = {"observations": args.observations, "sensors": args.sensors,
                     "batch": args.batch, "cpus": os.cpu_count(), "load_start": load()}
    base = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(days=60)
    client = flask_app.test_client()
    data = observations(sensors, args.observations, base, 10)

    if "http" in parts:
        results["http_load_before"] = load()
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        for i in range(0, len(data), args.batch):
            r = client.post(f"/api/feeds/{name}/observations", data=json.dumps(data[i:i + args.batch]),
                            headers={"X-Feed-Token": token, "Content-Type": "application/json"})
            assert r.status_code == 200, r.get_data(as_text=True)[:300]
        http_s = time.perf_counter() - t0
        # CPU of this process (WSGI app, action, validation, psycopg2), PostgreSQL's aside.
        results["http_cpu_s_per_1000"] = round((time.process_time() - cpu0) / args.observations * 1000, 3)
        with flask_app.test_request_context():
            assert count(feed["id"]) == args.observations
        results["http_per_s"] = round(args.observations / http_s)
        t0 = time.perf_counter()
        for i in range(0, len(data), args.batch):
            client.post(f"/api/feeds/{name}/observations", data=json.dumps(data[i:i + args.batch]),
                        headers={"X-Feed-Token": token, "Content-Type": "application/json"})
        results["http_duplicates_per_s"] = round(args.observations / (time.perf_counter() - t0))
        results["http_load_after"] = load()
        print("HTTP", results["http_per_s"], "obs/s; duplicates", results["http_duplicates_per_s"],
              "CPU s/1000 obs", results["http_cpu_s_per_1000"],
              "load", results["http_load_after"])

    prefix = f"regionaliot/feeds/bench-{uuid.uuid4().hex[:6]}"
    ingestor = None
    if parts & {"mqtt", "latency", "memory"}:
        with flask_app.test_request_context():
            ingestor = IngestorProcess(args.ini, prefix, args.out, args.profile)
    try:
        if "mqtt" in parts:
            with flask_app.test_request_context():
                before = count(feed["id"])
            results["mqtt_load_before"] = load()
            cpu0 = ingestor.cpu_seconds()
            t0 = time.perf_counter()
            with flask_app.test_request_context():
                pub = fleet(f"{prefix}/{name}", args.observations, base + dt.timedelta(days=10),
                            args.sensors, args.mqtt_per_message)
            stored = wait_count(flask_app, feed["id"], before + args.observations, 600) - before
            mqtt_s = time.perf_counter() - t0
            published = json.loads(pub.communicate(timeout=300)[0])
            results["mqtt_cpu_s_per_1000"] = round((ingestor.cpu_seconds() - cpu0) / stored * 1000, 3)
            results["mqtt_stored"] = stored
            results["mqtt_per_message"] = args.mqtt_per_message
            results["mqtt_per_s"] = round(stored / mqtt_s)
            results["mqtt_published_per_s"] = round(published["published"] / published["seconds"])
            results["mqtt_publisher_cpu_s_per_1000"] = round(
                published["cpu_s"] / published["published"] * 1000, 3)
            results["mqtt_load_after"] = load()
            print("MQTT", results["mqtt_per_s"], "obs/s stored;", results["mqtt_published_per_s"],
                  "published/s; ingestor CPU s/1000 obs", results["mqtt_cpu_s_per_1000"],
                  "publisher", results["mqtt_publisher_cpu_s_per_1000"],
                  "load", results["mqtt_load_after"])

        if "latency" in parts:
            import paho.mqtt.client as paho
            from ckanext.regionaliot.feeds import mqtt

            with flask_app.test_request_context():
                probe = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"bench-probe-{uuid.uuid4().hex[:6]}")
                probe.username_pw_set("simulator", mqtt.password("simulator"))
                mqtt.connect(probe)
                probe.loop_start()
                seconds = args.probes / 4 + 5
                pub = fleet(f"{prefix}/{name}", int(args.latency_load * seconds), base + dt.timedelta(days=20),
                            args.sensors, rate=args.latency_load) if args.latency_load else None
            time.sleep(2)
            results["latency_load_before"] = load()
            samples = []
            for k in range(args.probes):
                stamp = dt.datetime.now(UTC) - dt.timedelta(seconds=args.probes - k)
                value = 1000 + k
                t0 = time.perf_counter()
                probe.publish(f"{prefix}/{name}/probe", json.dumps(
                    {"observed_at": stamp.isoformat(), "value": value}), qos=1)
                while time.perf_counter() - t0 < 30:
                    r = client.get(f"/api/3/action/regionaliot_feed_latest?id={name}")
                    found = [s for s in r.get_json()["result"]["sensors"] if s["sensor_id"] == "probe"]
                    if found and found[0]["value"] == value:
                        break
                    time.sleep(0.02)
                samples.append((time.perf_counter() - t0) * 1000)
                time.sleep(max(0.0, 0.25 - (time.perf_counter() - t0)))
            results["latency_load_after"] = load()
            results["latency_background_per_s"] = args.latency_load
            results["publish_to_api_ms"] = percentiles(samples)
            probe.loop_stop()
            probe.disconnect()
            if pub:
                pub.communicate(timeout=300)
            print("publish→API", results["publish_to_api_ms"], "with", args.latency_load,
                  "obs/s beside; load", results["latency_load_after"])

        if "memory" in parts:
            total = int(args.memory_rate * args.memory_minutes * 60)
            with flask_app.test_request_context():
                before = count(feed["id"])
                pub = fleet(f"{prefix}/{name}", total, base + dt.timedelta(days=30), args.sensors,
                            rate=args.memory_rate)
            samples, loads = [], []
            t0 = time.perf_counter()
            while pub.poll() is None:
                samples.append((round(time.perf_counter() - t0), ingestor.rss_mb()))
                loads.append(load()[0])
                time.sleep(10)
            stored = wait_count(flask_app, feed["id"], before + total, 120) - before
            samples.append((round(time.perf_counter() - t0), ingestor.rss_mb()))
            after_first_minute = [mb for t, mb in samples if t >= 60]
            results["memory"] = {"rate_per_s": args.memory_rate, "minutes": args.memory_minutes,
                                 "stored": stored, "rss_mb": samples,
                                 "rss_mb_at_1min": after_first_minute[0] if after_first_minute else None,
                                 "rss_mb_end": samples[-1][1], "rss_mb_max": max(mb for _t, mb in samples),
                                 "load_min_max": [min(loads), max(loads)]}
            print("memory", {k: v for k, v in results["memory"].items() if k != "rss_mb"})
    finally:
        if ingestor:
            ingestor.stop()
            with flask_app.test_request_context():
                from ckanext.regionaliot.feeds import mqtt

                mqtt.forget_session("ingestor", ingestor.client_id)
            if ingestor.profile and ingestor.profile.exists():
                import pstats

                stats_txt = ingestor.profile.with_suffix(".txt")
                with stats_txt.open("w") as out:
                    pstats.Stats(str(ingestor.profile), stream=out).sort_stats("cumulative").print_stats(40)
                print("ingestor profile:", stats_txt)

    if "baseline" in parts:
        bdata = data[:args.baseline_observations]
        with flask_app.test_request_context():
            ds = tk.get_action("datastore_create")(ctx(), {
                "resource": {"package_id": feed["id"], "name": "baseline"},
                "fields": [{"id": "sensor_id", "type": "text"}, {"id": "observed_at", "type": "timestamptz"},
                           {"id": "value", "type": "float8"}, {"id": "quality", "type": "text"}],
                "primary_key": ["sensor_id", "observed_at"], "force": True})
            t0 = time.perf_counter()
            for i in range(0, len(bdata), args.batch):
                tk.get_action("datastore_upsert")(ctx(), {
                    "resource_id": ds["resource_id"], "records": bdata[i:i + args.batch],
                    "method": "upsert", "force": True})
            results["datastore_upsert_per_s"] = round(len(bdata) / (time.perf_counter() - t0))
            tk.get_action("datastore_delete")(ctx(), {"resource_id": ds["resource_id"], "force": True})
        results["baseline_load_after"] = load()
        for way in ("http", "mqtt"):
            if f"{way}_per_s" in results:
                results[f"ratio_{way}_vs_datastore"] = round(
                    results[f"{way}_per_s"] / results["datastore_upsert_per_s"], 2)
        print("DataStore upsert", results["datastore_upsert_per_s"], "obs/s;",
              {k: v for k, v in results.items() if k.startswith("ratio")})

    if "query" in parts:
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
            results["query_load_before"] = load()
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
                timings[label] = percentiles(samples)
                print("query", label, timings[label])
            results["query_ms"] = timings
            results["query_load_after"] = load()
    results["load_end"] = load()
    out = args.out / f"feeds-{args.observations}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print("wrote", out)


if __name__ == "__main__":
    main()
