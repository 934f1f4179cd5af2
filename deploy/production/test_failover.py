"""Failover tests of the production compose stack (run by deploy/production/test.sh, which
builds the images, starts the stack and passes PROD_URL, PROD_TOKEN and PROD_PROJECT).

Everything goes through nginx on 127.0.0.1 as a visitor's browser would, except where a test
needs one replica in particular: then `podman exec` runs curl inside that container.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

URL = os.environ.get("PROD_URL", "")
TOKEN = os.environ.get("PROD_TOKEN", "")
PROJECT = os.environ.get("PROD_PROJECT", "")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (URL and TOKEN and PROJECT), reason="run by deploy/production/test.sh (make test-production)"
)


def container(service: str) -> str:
    out = subprocess.run(
        ["podman", "ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}",
         "--filter", f"label=com.docker.compose.service={service}", "--format", "{{.Names}}"],
        capture_output=True, text=True, check=True).stdout.split()
    assert out, f"no container for service {service}"
    return out[0]


def podman(*args: str) -> None:
    subprocess.run(["podman", *args], check=True, capture_output=True, timeout=120)


def api_in(service: str, action: str, data: dict | None = None) -> dict:
    """Call CKAN's API inside one web replica, past nginx."""
    cmd = ["podman", "exec", "-i", container(service), "curl", "-s", "-m", "30",
           "-H", "Content-Type: application/json", "-H", f"Authorization: {TOKEN}",
           f"http://127.0.0.1:5000/api/3/action/{action}"]
    if data is not None:
        cmd[-1:-1] = ["--data-binary", "@-"]
    out = subprocess.run(cmd, input=json.dumps(data) if data is not None else None,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def api(action: str, params: dict | None = None, timeout: float = 30) -> requests.Response:
    return requests.get(f"{URL}/api/3/action/{action}", params=params or {},
                        headers={"Authorization": TOKEN}, timeout=timeout)


def wait_until(what: str, seconds: float, check, interval: float = 2) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, subprocess.SubprocessError, AssertionError, ValueError):
            pass
        time.sleep(interval)
    pytest.fail(f"{what}: not within {seconds} s")


def replica_ready(service: str) -> bool:
    return api_in(service, "status_show")["success"]


def search_count(q: str = "*:*") -> int:
    response = api("package_search", {"q": q, "rows": 0})
    response.raise_for_status()
    return response.json()["result"]["count"]


@pytest.fixture(scope="module")
def dataset() -> dict:
    """A dataset created through web1 (with its organization)."""
    suffix = uuid.uuid4().hex[:8]
    org = api_in("web1", "organization_create", {"name": f"prodtest-{suffix}", "title": "本番試験市"})
    assert org["success"], org
    created = api_in("web1", "package_create", {
        "name": f"prodtest-{suffix}", "title": "本番構成の試験データ（避難所一覧）",
        "title_en": "Production test data (evacuation shelters)",
        "notes": "フェイルオーバー試験用", "owner_org": org["result"]["id"],
        "category": "shiho-anzen-kankyo",
        "frequency": "http://publications.europa.eu/resource/authority/frequency/IRREG", "temporal_start": "2026-01-01",
        "temporal_end": "2026-12-31", "tag_string": "避難所",
    })
    assert created["success"], created
    return created["result"]


def test_portal_answers_through_nginx():
    home = requests.get(f"{URL}/", timeout=30)
    assert home.status_code == 200
    assert 'lang="ja"' in home.text
    english = requests.get(f"{URL}/en/", timeout=30)
    assert english.status_code == 200
    status = api("status_show").json()["result"]
    assert status["ckan_version"].startswith("2.11")
    # Only nginx is published: Solr, PostgreSQL and Redis have no port on the host.
    ports = subprocess.run(["podman", "ps", "--filter", f"label=io.podman.compose.project={PROJECT}",
                            "--format", "{{.Names}} {{.Ports}}"], capture_output=True, text=True).stdout
    published = [line for line in ports.splitlines() if "->" in line]
    assert len(published) == 1 and "_nginx_" in published[0] and "127.0.0.1:" in published[0], ports


def test_a_dataset_created_through_one_replica_is_found_through_the_other(dataset):
    shown = api_in("web2", "package_show", {"id": dataset["name"]})
    assert shown["success"] and shown["result"]["id"] == dataset["id"]
    # The search index is SolrCloud's, shared by both replicas.
    found = api_in("web2", "package_search", {"q": f"name:{dataset['name']}"})
    assert found["result"]["count"] == 1
    # Japanese search (Kuromoji) through nginx.
    assert search_count("避難所") >= 1


def test_stopping_one_web_replica_keeps_requests_succeeding(dataset):
    podman("stop", "-t", "10", container("web2"))
    try:
        codes = [requests.get(f"{URL}/dataset/{dataset['name']}", timeout=30).status_code
                 for _ in range(20)]
        codes += [api("package_search", {"q": "避難所"}).status_code for _ in range(20)]
        assert codes == [200] * 40
    finally:
        podman("start", container("web2"))
        wait_until("web2 back", 180, lambda: replica_ready("web2"))


def test_stopping_one_solr_node_keeps_search_answering_with_the_same_counts(dataset):
    before = {q: search_count(q) for q in ("*:*", "避難所")}
    podman("stop", "-t", "10", container("solr2"))
    try:
        failed, total, counts = 0, 0, []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            total += 1
            try:
                counts.append({q: search_count(q) for q in before})
            except (requests.RequestException, KeyError, ValueError):
                failed += 1
        assert failed == 0, f"{failed}/{total} searches failed with one Solr node stopped"
        assert all(c == before for c in counts), counts
    finally:
        podman("start", container("solr2"))


def test_restarting_postgresql_the_portal_recovers_without_manual_steps(dataset):
    podman("restart", "-t", "20", container("db"))
    wait_until("the portal answering after the PostgreSQL restart", 120,
               lambda: api("package_show", {"id": dataset["name"]}).status_code == 200)
    # Every following request succeeds (no stale pooled connection left behind) and writes work.
    codes = [api("package_show", {"id": dataset["name"]}).status_code for _ in range(10)]
    assert codes == [200] * 10
    patched = api_in("web1", "package_patch", {"id": dataset["id"], "notes": "PostgreSQL再起動後"})
    assert patched["success"], patched


AED = ROOT / "tests" / "schemas" / "samples" / "legacy" / "aed.csv"
FINISHED = ("success", "failure")  # the job ran to its end (a report either way)
REPEAT = 35000


def validation(resource_id: str) -> dict:
    return api("resource_validation_show", {"id": resource_id, "include_report": "false"}).json()["result"]


def running(name: str) -> bool:
    out = subprocess.run(["podman", "inspect", "--format", "{{.State.Running}}", name],
                         capture_output=True, text=True)
    return out.stdout.strip() == "true"


def started_at(name: str) -> str:
    return subprocess.run(["podman", "inspect", "--format", "{{.State.StartedAt}}", name],
                          capture_output=True, text=True).stdout.strip()


def test_killing_the_jobs_worker_mid_validation_the_job_completes_after_restart(dataset, tmp_path):
    # A CSV large enough for the background job (over sync_max_bytes, 2 MB) and for it to
    # be caught running: the AED sample's rows many times over (about 40 MB).
    header, *rows = AED.read_text(encoding="utf-8").splitlines()
    big = tmp_path / "aed-large.csv"
    big.write_text("\n".join([header] + rows * REPEAT) + "\n", encoding="utf-8")
    aed = api_in("web1", "package_create", {
        "name": f"{dataset['name']}-aed", "title": "AED設置場所（大きなファイル）",
        "owner_org": dataset["owner_org"],
        "title_en": "AED locations (a large file)", "notes": "ワーカー停止試験用",
        "private": True, "standard_dataset": "aed", "category": "shiho-anzen-kankyo",
        "frequency": "http://publications.europa.eu/resource/authority/frequency/IRREG",
        "temporal_start": "2026-01-01", "temporal_end": "2026-12-31", "tag_string": "AED",
    })
    assert aed["success"], aed
    with big.open("rb") as f:
        created = requests.post(f"{URL}/api/3/action/resource_create", headers={"Authorization": TOKEN},
                                data={"package_id": aed["result"]["id"], "name": "AED一覧", "format": "CSV"},
                                files={"upload": ("aed-large.csv", f, "text/csv")}, timeout=300)
    assert created.status_code == 200, created.text[:500]
    resource_id = created.json()["result"]["id"]

    # Polled often: the columnar engine validates the file within seconds.
    wait_until("the validation job running on the worker", 600,
               lambda: validation(resource_id)["status"] == "running", interval=0.2)
    killed = validation(resource_id)["started"]
    worker = container("worker")
    began = started_at(worker)
    podman("kill", "-s", "KILL", worker)
    # podman may restart it at once (restart: unless-stopped); otherwise it is started here.
    wait_until("the worker container killed", 60,
               lambda: not running(worker) or started_at(worker) != began)
    if not running(worker):
        podman("start", worker)
    wait_until("the validation finished after the worker's restart", 600,
               lambda: validation(resource_id)["status"] in FINISHED)
    done = validation(resource_id)
    # Run again from the start by the new worker, over the whole file.
    assert done["started"] > killed and done["rows"] == len(rows) * REPEAT, (killed, done)


def snapshot() -> dict:
    """Every dataset (private too) with its resources, and each upload's bytes as SHA-256
    read back through nginx: what a restore must return."""
    found = api("package_search", {"q": "*:*", "rows": 1000, "include_private": "true"}).json()["result"]
    state = {}
    for package in found["results"]:
        files = {}
        for resource in package["resources"]:
            digest = None
            if resource.get("url_type") == "upload":
                got = requests.get(resource["url"].replace(resource["url"].split("/dataset/")[0], URL),
                                   headers={"Authorization": TOKEN}, timeout=120)
                assert got.status_code == 200, resource["url"]
                digest = hashlib.sha256(got.content).hexdigest()
            files[resource["id"]] = [resource["name"], resource.get("url_type"), digest]
            if resource.get("url_type") == "datastore":  # made by datastore_create, not xloader
                files[resource["id"]].append(datastore_rows(resource["id"]))
        state[package["name"]] = {"title": package["title"], "resources": files}
    return {"count": found["count"], "datasets": state}


def datastore_rows(resource_id: str) -> dict:
    """A DataStore table as the API returns it: its columns, its row count and the rows'
    SHA-256 (in _id order). Tables xloader fills are left out: a load still running when
    the backup is made would finish after it."""
    got = api("datastore_search", {"resource_id": resource_id, "limit": 32000, "sort": "_id"}).json()
    assert got["success"], got
    result = got["result"]
    rows = json.dumps(result["records"], ensure_ascii=False, sort_keys=True).encode()
    return {"fields": [[f["id"], f["type"]] for f in result["fields"]], "total": result["total"],
            "rows": hashlib.sha256(rows).hexdigest()}


def test_make_backup_from_the_running_stack(dataset):
    # A DataStore table made through the API (Japanese text, numbers, a date), so the
    # restore test checks the DataStore database too, not only CKAN's and the filestore.
    table = api_in("web1", "datastore_create", {
        "resource": {"package_id": dataset["id"], "name": "河川水位（DataStore）"},
        "fields": [{"id": "観測所", "type": "text"}, {"id": "水位", "type": "numeric"},
                   {"id": "観測日", "type": "date"}],
        "records": [{"観測所": f"酒津{i}", "水位": i / 10, "観測日": f"2026-07-{i % 28 + 1:02d}"}
                    for i in range(1, 2001)],
    })
    assert table["success"], table
    out = subprocess.run(["make", "-s", "-C", str(ROOT), "backup", "STACK=production"],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    archive = out.stdout.split("production stack")[1].split(": ", 1)[1].splitlines()[0].strip()
    state = snapshot()
    assert dataset["name"] in state["datasets"]
    assert any(d for s in state["datasets"].values() for d in s["resources"].values() if d[2]), \
        "no uploaded file to restore"
    kept = state["datasets"][dataset["name"]]["resources"][table["result"]["resource_id"]]
    assert kept[3]["total"] == 2000, kept
    # deploy/production/test.sh restores it into a fresh stack (test_restore.py).
    # With this stack's token: the restored database has it, and the fresh stack the same
    # secret_key, so it stays valid there.
    saved = Path(os.environ["PROD_STATE"])
    saved.write_text(json.dumps({"archive": archive, "token": TOKEN, "state": state}), encoding="utf-8")
    saved.chmod(0o600)
