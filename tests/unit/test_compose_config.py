"""deploy/docker-compose.yml as the Docker client sees it (no engine needed).

`docker compose config` resolves anchors, merges and interpolation and validates the
result against the Compose specification; on top of that: every published port binds
127.0.0.1, and every service waited on as healthy has a healthcheck.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "docker-compose.yml"


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    return probe.returncode == 0


# Only the tests that run `docker compose` need the client; the helpers' own tests always run.
needs_compose = pytest.mark.skipif(
    not _compose_available(), reason="the docker client with the compose plugin is not installed"
)


def compose(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def model() -> dict:
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def ports_not_on_loopback(services: dict) -> list[str]:
    return [
        f"{name}: {port.get('host_ip') or '0.0.0.0'}:{port.get('published')}"
        for name, service in services.items()
        for port in service.get("ports") or []
        if port.get("host_ip") != "127.0.0.1"
    ]


@needs_compose
def test_config_quiet_exits_zero():
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


@needs_compose
def test_expected_services(model):
    # nginx → two web replicas; SolrCloud: ZooKeeper, two nodes, the one-shot collection
    # set-up and the load balancer CKAN's solr_url points at (issue 13).
    assert set(model["services"]) == {
        "db", "redis", "zookeeper", "solr1", "solr2", "solr-init", "solr", "mosquitto",
        "migrate", "web1", "web2", "worker", "harvest-gather", "harvest-fetch", "harvest-run",
        "feeds-ingest", "nginx",
    }


@needs_compose
def test_every_published_port_binds_loopback(model):
    published = [p for s in model["services"].values() for p in s.get("ports") or []]
    assert published, "nginx must publish a port"
    assert ports_not_on_loopback(model["services"]) == []


def test_port_check_catches_all_interfaces():
    # "8080:80" publishes on every interface; the check above must reject it.
    services = {"nginx": {"ports": [{"target": 80, "published": "8080"}]}}
    assert ports_not_on_loopback(services) == ["nginx: 0.0.0.0:8080"]


@needs_compose
def test_services_waited_on_as_healthy_have_healthchecks(model):
    services = model["services"]
    missing = sorted(
        f"{name} -> {dep}"
        for name, service in services.items()
        for dep, cond in (service.get("depends_on") or {}).items()
        if cond.get("condition") == "service_healthy" and not services[dep].get("healthcheck")
    )
    assert missing == []


@needs_compose
def test_state_lives_in_named_volumes(model):
    mounts = {
        name: {v["target"]: v for v in service.get("volumes") or []}
        for name, service in model["services"].items()
    }
    assert mounts["db"]["/var/lib/postgresql/data"]["type"] == "volume"
    assert mounts["solr1"]["/var/solr"]["type"] == "volume"
    assert mounts["solr1"]["/var/solr"]["source"] != mounts["solr2"]["/var/solr"]["source"]
    # Web replicas and the worker share one filestore: xloader reads the files web stored.
    stores = {mounts[s]["/srv/data/storage"]["source"] for s in ("web1", "web2", "worker", "feeds-ingest")}
    assert len(stores) == 1


def literal_secrets(services: dict) -> list[str]:
    """Environment variables that look like a secret and carry a value, not a file name."""
    return sorted(
        f"{name}: {key}"
        for name, service in services.items()
        for key, value in (service.get("environment") or {}).items()
        if any(word in key.upper() for word in ("PASSWORD", "SECRET", "TOKEN"))
        and not key.upper().endswith("_FILE") and value
    )


def test_secret_check_catches_a_literal_password():
    services = {"db": {"environment": {"POSTGRES_PASSWORD": "hunter2",
                                       "POSTGRES_PASSWORD_FILE": "/run/secrets/postgres_password"}}}
    assert literal_secrets(services) == ["db: POSTGRES_PASSWORD"]


@needs_compose
def test_secrets_come_from_files_not_from_the_compose_file(model):
    assert literal_secrets(model["services"]) == []
    assert {"db_ckan_password", "secret_key", "mqtt_ingestor"} <= set(model["secrets"])


@needs_compose
def test_web_replicas_migrate_only_through_the_one_shot_service(model):
    services = model["services"]
    for web in ("web1", "web2"):
        assert services[web]["environment"]["CKAN_MIGRATE_ON_START"] == "false"
        assert services[web]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["migrate"]


def test_nginx_balances_over_both_web_replicas():
    conf = (COMPOSE.parent / "nginx" / "ckan.conf").read_text(encoding="utf-8")
    upstream = conf[conf.index("upstream ckan_web"):].split("}", 1)[0]
    assert "server web1:5000" in upstream and "server web2:5000" in upstream
    assert "ip_hash" not in upstream and "sticky" not in upstream


def upstream_hosts(conf: str) -> set[str]:
    """The host names of every `server host:port` line in an nginx upstream block."""
    return {line.split()[1].rsplit(":", 1)[0]
            for block in conf.split("upstream ")[1:]
            for line in block.split("}", 1)[0].splitlines()
            if line.strip().startswith("server ")}


def unpinned_upstreams(services: dict, network: dict, hosts: set[str]) -> list[str]:
    """Upstream hosts without a fixed address in the subnet and outside the dynamic range:
    nginx 1.22 resolves them once, so a restarted replica must keep its address."""
    import ipaddress

    ipam = network["ipam"]["config"][0]
    subnet, dynamic = ipaddress.ip_network(ipam["subnet"]), ipaddress.ip_network(ipam["ip_range"])
    bad = []
    for host in sorted(hosts):
        nets = services.get(host, {}).get("networks") or {}
        address = (nets.get("default") or {}).get("ipv4_address")
        if not address or ipaddress.ip_address(address) not in subnet \
                or ipaddress.ip_address(address) in dynamic:
            bad.append(f"{host}: {address}")
    return bad


def test_pin_check_catches_a_dynamic_address():
    network = {"ipam": {"config": [{"subnet": "10.1.2.0/24", "ip_range": "10.1.2.0/25"}]}}
    services = {"web1": {"networks": {"default": {"ipv4_address": "10.1.2.201"}}},
                "web2": {"networks": {"default": {"ipv4_address": "10.1.2.20"}}},
                "web3": {}}
    assert unpinned_upstreams(services, network, {"web1", "web2", "web3"}) == [
        "web2: 10.1.2.20", "web3: None"]


@needs_compose
def test_every_host_nginx_proxies_to_keeps_a_fixed_address(model):
    hosts = set()
    for name in ("ckan.conf", "solr-lb.conf"):
        hosts |= upstream_hosts((COMPOSE.parent / "nginx" / name).read_text(encoding="utf-8"))
    assert hosts == {"web1", "web2", "solr1", "solr2"}
    assert unpinned_upstreams(model["services"], model["networks"]["default"], hosts) == []
