"""A fleet of devices for bench/feeds, in a process of its own (no CKAN): publishes
``--count`` observations round-robin over ``--sensors`` sensors, QoS 1, to
<prefix>/<feed>/<sensor>, as fast as the broker takes them or at ``--rate`` observations/s,
and prints one JSON line when the broker has acknowledged them all.

A separate process, because devices are: publishing from the ingestor's own process made
the publisher and the ingestor share one interpreter lock, which the old bench measured.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

import paho.mqtt.client as paho


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=1883)
    p.add_argument("--user", default="simulator")
    p.add_argument("--topic", required=True, help="<prefix>/<feed>")
    p.add_argument("--sensors", type=int, default=100)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--per-message", type=int, default=1)
    p.add_argument("--rate", type=float, default=0, help="observations/s (0: as fast as possible)")
    p.add_argument("--start", required=True, help="observed_at of the first round (ISO 8601)")
    p.add_argument("--step", type=float, default=10, help="seconds between a sensor's readings")
    args = p.parse_args(argv)
    start = dt.datetime.fromisoformat(args.start)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{time.time_ns()}")
    client.username_pw_set(args.user, os.environ["BENCH_MQTT_PASSWORD"])
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", args.port, keepalive=30)
    client.loop_start()
    infos = []
    t0 = time.perf_counter()
    sent = 0
    sensors = [f"s{i:04d}" for i in range(args.sensors)]
    # With N observations a message, a message holds N consecutive readings of one sensor.
    per = args.per_message
    rounds = -(-args.count // (len(sensors) * per))
    for r in range(rounds):
        for s in sensors:
            chunk = []
            for k in range(per):
                if sent + len(chunk) >= args.count:
                    break
                stamp = start + dt.timedelta(seconds=args.step * (r * per + k))
                chunk.append({"sensor_id": s, "observed_at": stamp.isoformat(),
                              "value": round(1 + ((r * per + k) % 97) / 50, 2), "quality": "provisional"})
            if not chunk:
                break
            infos.append(client.publish(f"{args.topic}/{s}", json.dumps(chunk if per > 1 else chunk[0]), qos=1))
            sent += len(chunk)
            if args.rate:
                ahead = sent / args.rate - (time.perf_counter() - t0)
                if ahead > 0:
                    time.sleep(ahead)
    for info in infos:
        info.wait_for_publish(120)
    seconds = time.perf_counter() - t0
    client.disconnect()
    client.loop_stop()
    # The devices' own CPU (this process, its start included): on 2 cores they compete with
    # the ingestor, Mosquitto and PostgreSQL, so the MQTT rate is theirs too.
    print(json.dumps({"published": sent, "messages": len(infos), "seconds": round(seconds, 3),
                      "cpu_s": round(time.process_time(), 3)}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
