"""The production stack (issue 13, "Measure"): requests per second through nginx for the home
page and ``package_search`` with two web replicas, with one (web2 stopped), then with two again,
in the same run (ratio two/one for both two-replica phases); search availability while one
Solr node is stopped (failed/total); plus the build and start times deploy/production/
recorded (build-times.tsv, timings.tsv).

Runs against a stack that deploy/production/test.sh started and left running
(``BENCH=1 deploy/production/test.sh`` runs it after the failover tests, then tears down), so
it needs PROD_URL, PROD_TOKEN and PROD_PROJECT from there. Touches no bench profile (own stack,
own volumes): no bench lock. Every loop is bounded in time; traffic goes to 127.0.0.1 only.

    .venv/bin/python bench/production/run.py --seconds 20 --clients 4

Writes bench/out/production-<time>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("REGIONALIOT_DATA", ROOT / "var"))
URL = os.environ["PROD_URL"]
PROJECT = os.environ["PROD_PROJECT"]

TARGETS = {
    "home": "/",
    "package_search": "/api/3/action/package_search?q=%E9%81%BF%E9%9B%A3%E6%89%80&rows=10",
}


def container(service: str) -> str:
    return subprocess.run(
        ["podman", "ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}",
         "--filter", f"label=com.docker.compose.service={service}", "--format", "{{.Names}}"],
        capture_output=True, text=True, check=True).stdout.split()[0]


def load(path: str, seconds: float, clients: int) -> dict:
    """``clients`` threads, each with a keep-alive session, for ``seconds``."""
    done, failed, latencies = [0], [0], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            start = time.monotonic()
            try:
                ok = session.get(URL + path, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                done[0] += 1
                failed[0] += not ok
                latencies.append(time.monotonic() - start)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {"requests": done[0], "failed": failed[0], "rps": round(done[0] / elapsed, 1),
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
            "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 1)}


def wait_replica(service: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        probe = subprocess.run(["podman", "exec", container(service), "curl", "-sf", "-o", "/dev/null",
                                "http://127.0.0.1:5000/api/3/action/status_show"], capture_output=True)
        if probe.returncode == 0:
            return
        time.sleep(2)
    raise SystemExit(f"{service} did not come back within {seconds} s")


def solr_stop_availability(seconds: float) -> dict:
    total = failed = 0
    subprocess.run(["podman", "stop", "-t", "10", container("solr1")], check=True, capture_output=True)
    try:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            total += 1
            try:
                r = requests.get(URL + TARGETS["package_search"], timeout=30)
                failed += r.status_code != 200 or not r.json().get("success")
            except (requests.RequestException, ValueError):
                failed += 1
    finally:
        subprocess.run(["podman", "start", container("solr1")], check=True, capture_output=True)
    return {"stopped": "solr1", "requests": total, "failed": failed}


def tsv(name: str) -> list[list[str]]:
    path = DATA / "production" / name
    return [line.split("\t") for line in path.read_text().splitlines()] if path.exists() else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    result: dict = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "clients": args.clients, "seconds": args.seconds,
                    "load_before": os.getloadavg()}
    for path in TARGETS.values():  # warm-up: caches, connections, gunicorn workers
        load(path, 3, args.clients)
    result["two_replicas"] = {name: load(path, args.seconds, args.clients) for name, path in TARGETS.items()}
    result["load_two"] = os.getloadavg()
    subprocess.run(["podman", "stop", "-t", "10", container("web2")], check=True, capture_output=True)
    try:
        load(TARGETS["home"], 3, args.clients)  # let nginx mark web2 down before measuring
        result["one_replica"] = {name: load(path, args.seconds, args.clients) for name, path in TARGETS.items()}
        result["load_one"] = os.getloadavg()
    finally:
        subprocess.run(["podman", "start", container("web2")], check=True, capture_output=True)
    wait_replica("web2")
    # Two replicas again, after one: work left behind by the failover tests (the worker's
    # jobs on the 40 MB CSV) slowed the first phase only in the first run (two/one = 0.63),
    # so the ratio is given against both two-replica phases: an order effect shows as a gap.
    for path in TARGETS.values():
        load(path, 3, args.clients)  # web2's gunicorn workers warm again
    result["two_replicas_again"] = {name: load(path, args.seconds, args.clients)
                                    for name, path in TARGETS.items()}
    result["load_two_again"] = os.getloadavg()
    result["ratio_two_over_one"] = {
        name: [round(result[phase][name]["rps"] / result["one_replica"][name]["rps"], 2)
               for phase in ("two_replicas", "two_replicas_again")]
        for name in TARGETS}
    result["solr_node_stop"] = solr_stop_availability(args.seconds)
    result["load_after"] = os.getloadavg()
    result["build_times_s"] = tsv("build-times.tsv")[-14:]
    result["timings_s"] = tsv("timings.tsv")[-6:]
    out = ROOT / "bench" / "out" / f"production-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
