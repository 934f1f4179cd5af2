"""SSRF: every server-side fetch of a user-supplied URL goes through one guard (issue 15,
items 1 and 7). Against the real services, with every fetching component run in-process:
our validator's link fetch, xloader's job function, the CKAN harvester's gather stage and
harvest_source_create/update.

How "refused before connecting" is proved: the targets are local listeners (127.0.0.1 and
::1, same port) that record every connection they accept, and a tripwire records every
connect and DNS lookup the process makes, refusing any that would leave this machine, so
even a broken guard cannot reach past 127.0.0.1. Where a test must reach its own server on
127.0.0.1 it says so explicitly (``ckanext.regionaliot.security.fetch_allowed_hosts``, exact
host:port, or xloader's own site for uploads); the guard is never switched off.

Probe families (issue 15, "Measure"): before the fix xloader connected for 18 of 20 forms
and harvest for 6 of 6. Each family's test counts attempted / handled / defects.
"""
from __future__ import annotations

import importlib.metadata
import inspect
import ipaddress
import json
import logging
import socket
import threading
import time

import ckan.model as model
import ckan.plugins as p
import pytest
import requests
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue as harvest_queue
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestSource
from ckanext.regionaliot.lib import fetch
from ckanext.regionaliot.security import ssrf
from ckanext.regionaliot.security.ckan_harvester import GuardedCKANHarvester
from ckanext.xloader import jobs as xloader_jobs
from ckanext.xloader.job_exceptions import JobError
from probe_tally import Tally

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

ALLOWED = fetch.ALLOWED_HOSTS_SETTING
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}

# Spellings of this machine (the listener's port is appended) ...
LOOPBACK_FORMS = [
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::1]",
    "[::ffff:7f00:1]", "[::ffff:127.0.0.1]", "0.0.0.0", "0", "localhost", "127.0.0.2",
]
# ... URL tricks that end on this machine ...
TRICKS = [
    "public.example@127.0.0.1",  # userinfo
    "public.example:x@127.0.0.1",
    "127.0.0.1:{port}\\@public.example",  # urlsplit and urllib3 disagree on the host
]
# ... and other non-public addresses, never connected to thanks to the tripwire.
OTHER = ["169.254.169.254", "10.0.0.1", "100.64.0.1", "[fe80::1]", "[::7f00:1]",
         "[64:ff9b::7f00:1]", "[2002:7f00:1::]"]


# ---------------------------------------------------------------- harness


@pytest.fixture(autouse=True)
def tripwire(monkeypatch):
    """Every outgoing connect and DNS lookup of this process; none may leave the machine."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(host)
            if host not in LOOPBACK:
                raise ConnectionRefusedError(f"tripwire: nothing past 127.0.0.1 ({host})")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (None, "localhost") and not _numeric(name):
            attempts.append(f"dns:{name}")
            raise socket.gaierror(socket.EAI_NONAME, "tripwire: no DNS in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


def _numeric(name: str) -> bool:
    try:
        socket.inet_aton(name)
        return True
    except OSError:
        pass
    try:
        ipaddress.ip_address(name.split("%")[0])
        return True
    except ValueError:
        return False


def outside(tripwire: list[str]) -> list[str]:
    """Connects (or lookups) the tripwire saw that were not to this machine."""
    return [a for a in tripwire if a not in LOOPBACK]


class Listener:
    """An HTTP-ish server on 127.0.0.1 and ::1 (same port) recording what it accepts."""

    def __init__(self, handler):
        self.accepted: list[str] = []
        self.requests: list[bytes] = []
        self.handler = handler
        self._socks: list[socket.socket] = []
        self._stop = threading.Event()
        four = socket.socket(socket.AF_INET)
        four.bind(("127.0.0.1", 0))
        self.port = four.getsockname()[1]
        self._serve(four)
        try:
            six = socket.socket(socket.AF_INET6)
            six.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            six.bind(("::1", self.port))
            self._serve(six)
        except OSError:
            pass

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, sock):
        sock.listen(64)
        sock.settimeout(0.1)
        self._socks.append(sock)

        def loop():
            while not self._stop.is_set():
                try:
                    conn, addr = sock.accept()
                except OSError:
                    continue
                self.accepted.append(addr[0])
                threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

        threading.Thread(target=loop, daemon=True).start()

    def _handle(self, conn):
        try:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.requests.append(data)
            self.handler(conn, data)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self._stop.set()
        for sock in self._socks:
            sock.close()


def answer(body: bytes = b"name,title\nsecret-dataset,Secret\n", status: str = "200 OK",
           headers: str = "Content-Type: text/csv\r\n"):
    def handler(conn, _request):
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}"
                     "Connection: close\r\n\r\n".encode() + body)
    return handler


def redirect(location: str):
    return answer(b"", "302 Found", f"Location: {location}\r\n")


def dribble(conn, _request, seconds: float = 60.0, step: float = 0.2):
    """Headers, then one byte per ``step`` s for ``seconds``: no per-read timeout fires."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\na\n")
    for _ in range(int(seconds / step)):
        conn.sendall(b"1")
        time.sleep(step)


@pytest.fixture
def serve():
    listeners: list[Listener] = []

    def start(handler=None) -> Listener:
        listener = Listener(handler or answer())
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        listener.close()


@pytest.fixture
def allow(ckan_config, monkeypatch):
    """Explicitly allow the test's own servers (exact 127.0.0.1:port); nothing else."""
    def set_allowed(*listeners: Listener) -> None:
        monkeypatch.setitem(ckan_config, ALLOWED,
                            " ".join(f"127.0.0.1:{item.port}" for item in listeners))
    set_allowed()
    return set_allowed


def forms_for(port: int) -> list[str]:
    """Every hostile URL of the probe, aimed at the listener's port where it is local."""
    urls = [f"http://{form}:{port}/solr/ckan/select?q=capacity:private&wt=csv"
            for form in LOOPBACK_FORMS]
    urls += ["http://" + trick.format(port=port) + (f":{port}" if "{port}" not in trick else "")
             + "/secret.csv" for trick in TRICKS]
    urls += [f"http://{form}:{port}/latest/meta-data/" for form in OTHER]
    return urls




# ---------------------------------------------------------------- datasets


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def dataset(sysadmin):
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    return factories.Dataset(owner_org=org["id"], user={"name": sysadmin["name"]})


def link_resource(dataset, sysadmin, url: str, **extra) -> dict:
    return call_action("resource_create", {"user": sysadmin["name"]}, package_id=dataset["id"],
                       url=url, format="CSV", name="probe", **extra)


# ---------------------------------------------------------------- xloader


def run_xloader_job(resource_id: str, token: str) -> None:
    """xloader's job function, in this process, as `ckan jobs worker` runs it."""
    data = {"resource_id": resource_id, "ckan_url": "http://127.0.0.1:5000", "ignore_hash": True}
    job_input = {"api_key": token, "job_type": "xloader_to_datastore", "metadata": data}
    job_dict = {"metadata": data, "status": "running"}
    xloader_jobs.xloader_data_into_datastore_(job_input, job_dict,
                                              logging.getLogger("test_ssrf.xloader"))


def test_xloader_fetch_function_is_the_one_we_replace():
    """Pins ckanext-xloader's internals the guard relies on: an upgrade must fail here."""
    assert importlib.metadata.version("ckanext-xloader") == "2.5.2", (
        "xloader was upgraded: check that jobs._download_resource_data still fetches only "
        "through jobs.get_response(url, headers), then update this pin")
    original = ssrf._xloader_original
    assert original is not None and original.__module__ == "ckanext.xloader.jobs"
    assert tuple(inspect.signature(original).parameters) == ("url", "headers")
    assert tuple(inspect.signature(ssrf.guarded_get_response).parameters) == ("url", "headers")
    source = inspect.getsource(xloader_jobs._download_resource_data)
    assert source.count("get_response(") == 2  # the download and the excerpt retry
    for other_fetch in ("requests.get(", "requests.request(", "Session(", "urlopen(",
                        "requests.head("):
        assert other_fetch not in source
    ssrf.check_xloader_contract(xloader_jobs)
    # Installed by the plugin's configure(), in every process that loads the plugins.
    assert xloader_jobs.get_response is ssrf.guarded_get_response


def test_an_incompatible_xloader_stops_the_start(monkeypatch):
    monkeypatch.setattr(ssrf, "_xloader_original", None)
    monkeypatch.setattr(xloader_jobs, "get_response", lambda url, headers, timeout: None)
    with pytest.raises(ssrf.XloaderIncompatible):
        ssrf.install_xloader_guard()


def test_xloader_refuses_every_local_form_before_connecting(serve, tripwire, dataset,
                                                           sysadmin, allow):
    target = serve()
    tally = Tally("SSRF through xloader")
    for url in forms_for(target.port):
        resource = link_resource(dataset, sysadmin, url)
        before = len(target.accepted)
        try:
            run_xloader_job(resource["id"], sysadmin["token"])
            refused = False
        except JobError as exc:
            refused = "private or local" in str(exc) or "resolved" in str(exc)
        tally.record(url, refused and len(target.accepted) == before)
    tally.check()
    assert target.accepted == [] and outside(tripwire) == []


def test_xloader_refuses_redirects_from_an_allowed_server(serve, tripwire, dataset, sysadmin,
                                                          allow):
    target = serve()
    tally = Tally("SSRF through xloader (redirects)")
    for form in ["127.0.0.1", "[::ffff:7f00:1]", "2130706433", "localhost", "[::1]",
                 "169.254.169.254"]:
        hop = serve(redirect(f"http://{form}:{target.port}/solr/ckan/select?wt=csv"))
        allow(hop)  # the first hop stands for a public server
        resource = link_resource(dataset, sysadmin, hop.url + "/data.csv")
        try:
            run_xloader_job(resource["id"], sysadmin["token"])
            refused = False
        except JobError as exc:
            refused = "private or local" in str(exc)
        tally.record(form, refused and len(hop.accepted) == 1 and target.accepted == [])
    tally.check()
    assert outside(tripwire) == []


def test_xloader_loads_an_explicitly_allowed_link(serve, dataset, sysadmin, allow):
    """The control: the guard lets the job work where a fetch is allowed."""
    source = serve(answer(b"code,name\n332020,Kurashiki\n332089,Soja\n"))
    allow(source)
    resource = link_resource(dataset, sysadmin, source.url + "/cities.csv")
    run_xloader_job(resource["id"], sysadmin["token"])
    rows = call_action("datastore_search", resource_id=resource["id"])["records"]
    assert [row["name"] for row in rows] == ["Kurashiki", "Soja"]


def test_xloader_reaches_its_own_site_only_for_uploads(serve, tripwire, dataset, sysadmin,
                                                       create_with_upload, ckan_config,
                                                       monkeypatch):
    site = serve(answer(b"code,name\n332020,Kurashiki\n"))
    monkeypatch.setitem(ckan_config, "ckanext.xloader.site_url", site.url)
    uploaded = create_with_upload("code,name\n332020,Kurashiki\n", "cities.csv",
                                  context={"user": sysadmin["name"]}, package_id=dataset["id"],
                                  url="cities.csv", format="CSV")
    run_xloader_job(uploaded["id"], sysadmin["token"])
    assert len(site.accepted) == 1
    head = site.requests[0].decode("latin-1")
    assert f"/resource/{uploaded['id']}/download/cities.csv" in head
    assert sysadmin["token"] in head  # xloader's token, for private datasets
    # A *link* to the very same site:port gets no exception.
    link = link_resource(dataset, sysadmin, site.url + "/cities.csv")
    with pytest.raises(JobError):
        run_xloader_job(link["id"], sysadmin["token"])
    assert len(site.accepted) == 1 and outside(tripwire) == []


def test_xloader_download_stops_at_the_total_deadline(serve, dataset, sysadmin, allow,
                                                      ckan_config, monkeypatch):
    slow = serve(dribble)
    allow(slow)
    monkeypatch.setitem(ckan_config, ssrf.XLOADER_DEADLINE_SETTING, 1)
    resource = link_resource(dataset, sysadmin, slow.url + "/slow.csv")
    started = time.monotonic()
    with pytest.raises(JobError):
        run_xloader_job(resource["id"], sysadmin["token"])
    assert time.monotonic() - started < 40  # it stopped: the server dribbles for 60 s


def test_xloader_submit_refuses_hostile_links_early(serve, dataset, sysadmin, allow,
                                                   ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", sysadmin["token"])
    target = serve()
    for url in forms_for(target.port)[:5]:
        resource = link_resource(dataset, sysadmin, url)
        assert call_action("xloader_submit", {"user": sysadmin["name"]},
                           resource_id=resource["id"]) is False
        assert ssrf.can_upload(resource["id"]) is False
    allowed = serve()
    allow(allowed)
    resource = link_resource(dataset, sysadmin, allowed.url + "/data.csv")
    assert ssrf.can_upload(resource["id"]) is True
    assert target.accepted == []


# ---------------------------------------------------------------- our validator


def test_validator_link_fetch_refuses_every_local_form(serve, tripwire, sysadmin):
    from ckanext.regionaliot.validation.jobs import validate_resource

    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    standard = factories.Dataset(owner_org=org["id"], private=True, standard_dataset="aed",
                                 user={"name": sysadmin["name"]})
    target = serve()
    tally = Tally("SSRF through the validator")
    for url in forms_for(target.port):
        resource = link_resource(standard, sysadmin, url)
        validate_resource(resource["id"])
        model.Session.remove()
        status = call_action("resource_validation_show", id=resource["id"])
        tally.record(url, status["status"] == "error" and not target.accepted)
    tally.check()
    assert target.accepted == [] and outside(tripwire) == []


# ---------------------------------------------------------------- harvest


def mock_ckan(datasets=({"id": "a1", "name": "remote-one", "title": "Remote one"},)):
    """A remote CKAN's package_search: one page of ``datasets``, then an empty page."""
    def handler(conn, request):
        first_line = request.split(b"\r\n", 1)[0]
        results = list(datasets) if b"start=0" in first_line else []
        body = json.dumps({"success": True, "result": {"count": len(datasets),
                                                       "results": results}}).encode()
        answer(body, headers="Content-Type: application/json\r\n")(conn, request)
    return handler


def create_source(sysadmin, url: str, name: str = "probe-source") -> dict:
    org = model.Session.query(model.Group).filter_by(is_organization=True).first()
    if org is None:
        org = model.Group.get(factories.Organization(
            users=[{"name": sysadmin["name"], "capacity": "admin"}])["id"])
    return call_action("harvest_source_create", {"user": sysadmin["name"]}, name=name,
                       title=name, url=url, source_type="ckan", owner_org=org.id)


def gather(source_id: str, sysadmin) -> tuple[list | None, list[str]]:
    """The CKAN harvester's gather stage for a new job of the source, in this process."""
    job_dict = call_action("harvest_job_create", {"user": sysadmin["name"]},
                           source_id=source_id, run=False)
    job = HarvestJob.get(job_dict["id"])
    harvester = p.get_plugin("regionaliot_ckan_harvester")
    ids = harvest_queue.gather_stage(harvester, job)
    errors = [e.message for e in model.Session.query(HarvestGatherError)
              .filter(HarvestGatherError.harvest_job_id == job.id)]
    job.status = "Finished"
    job.save()
    return ids, errors


def point_source_at(source_id: str, url: str) -> None:
    """As if the source had been created before the guard (or its name now resolves inside)."""
    source = HarvestSource.get(source_id)
    source.url = url
    source.save()


def test_only_our_guarded_harvester_is_named_ckan():
    named = [h for h in p.PluginImplementations(IHarvester) if h.info()["name"] == "ckan"]
    assert len(named) == 1 and isinstance(named[0], GuardedCKANHarvester)
    assert not p.plugin_loaded("ckan_harvester")


def test_harvest_source_create_refuses_local_urls(serve, tripwire, sysadmin, allow):
    target = serve()
    tally = Tally("SSRF harvest_source_create")
    urls = forms_for(target.port) + ["http://127.0.0.1:6379/", "file:///etc/passwd",
                                     "gopher://127.0.0.1:6379/_INFO", "ftp://127.0.0.1/"]
    for n, url in enumerate(urls):
        try:
            create_source(sysadmin, url, name=f"probe-{n}")
            refused = False
        except Exception as exc:  # noqa: BLE001 - anything else than ValidationError is a defect
            refused = (isinstance(exc, p.toolkit.ValidationError) and "url" in exc.error_dict)
        tally.record(url, refused)
    tally.check()
    assert target.accepted == [] and outside(tripwire) == []


def test_harvest_source_url_cannot_be_changed_to_a_local_one(serve, sysadmin, allow):
    remote = serve(mock_ckan())
    allow(remote)
    source = create_source(sysadmin, remote.url + "/")
    context = {"user": sysadmin["name"]}
    for url in ("http://127.0.0.1:8983/solr/", "http://[::1]:6379/", "http://169.254.169.254/"):
        with pytest.raises(p.toolkit.ValidationError) as info:
            call_action("harvest_source_patch", context, id=source["id"], url=url)
        assert "url" in info.value.error_dict
        with pytest.raises(p.toolkit.ValidationError):
            call_action("package_patch", context, id=source["id"], url=url)
    assert call_action("harvest_source_show", id=source["id"])["url"] == remote.url + "/"


def test_harvest_message_is_translated(app, sysadmin):
    response = app.post("/api/3/action/harvest_source_create",
                        json={"name": "probe", "url": "http://127.0.0.1:6379/",
                              "source_type": "ckan"},
                        headers={"Authorization": sysadmin["token"],
                                 "Accept-Language": "ja"},
                        status=409)
    assert "プライベート" in response.json["error"]["url"][0]


def test_harvester_gathers_from_an_explicitly_allowed_source(serve, sysadmin, allow):
    """The control: under the guard the harvester still works where fetching is allowed."""
    remote = serve(mock_ckan())
    allow(remote)
    source = create_source(sysadmin, remote.url + "/")
    ids, errors = gather(source["id"], sysadmin)
    assert errors == [] and len(ids) == 1
    assert b"/api/3/action/package_search" in remote.requests[0]


def test_harvester_refuses_local_sources_at_fetch_time(serve, tripwire, sysadmin, allow):
    remote = serve(mock_ckan())
    allow(remote)
    source = create_source(sysadmin, remote.url + "/")
    allow()  # nothing allowed any more
    target = serve(mock_ckan())
    tally = Tally("SSRF through the CKAN harvester (gather)")
    for url in [remote.url + "/"] + [u.split("/solr")[0].split("/latest")[0].split("/secret")[0]
                                     for u in forms_for(target.port)]:
        point_source_at(source["id"], url)
        ids, errors = gather(source["id"], sysadmin)
        tally.record(url, not ids and any("private or local" in e or "resolved" in e
                                          for e in errors))
    tally.check()
    # Creating a source fetches nothing; once no longer allowed, it is not fetched either.
    assert target.accepted == [] and remote.accepted == []
    assert outside(tripwire) == []


def test_harvester_refuses_redirects_to_local_addresses(serve, sysadmin, allow):
    target = serve(mock_ckan())
    tally = Tally("SSRF through the CKAN harvester (redirects)")
    for n, form in enumerate(["127.0.0.1", "[::1]", "2130706433", "[::ffff:7f00:1]"]):
        hop = serve(redirect(f"http://{form}:{target.port}/api/3/action/package_search"))
        allow(hop)
        source = create_source(sysadmin, hop.url + "/", name=f"redirecting-{n}")
        ids, errors = gather(source["id"], sysadmin)
        tally.record(form, not ids and len(hop.accepted) == 1 and target.accepted == [])
    tally.check()


def test_harvest_gather_stops_at_the_total_deadline(serve, sysadmin, allow, ckan_config,
                                                    monkeypatch):
    slow = serve(dribble)
    allow(slow)
    monkeypatch.setitem(ckan_config, fetch.TIMEOUT_SETTING, 1)
    source = create_source(sysadmin, slow.url + "/")
    started = time.monotonic()
    ids, errors = gather(source["id"], sysadmin)
    assert not ids and any("in time" in e for e in errors)
    assert time.monotonic() - started < 40  # it stopped: the server dribbles for 60 s


def test_harvest_report_does_not_echo_the_answer(serve, sysadmin, allow):
    leaky = serve(answer(b"SECRET-FROM-INSIDE redis_version:7.0.15", headers=""))
    allow(leaky)
    source = create_source(sysadmin, leaky.url + "/")
    job = call_action("harvest_job_create", {"user": sysadmin["name"]},
                      source_id=source["id"], run=False)
    harvest_queue.gather_stage(p.get_plugin("regionaliot_ckan_harvester"), HarvestJob.get(job["id"]))
    report = call_action("harvest_job_report", {"user": sysadmin["name"]}, id=job["id"])
    assert report["gather_errors"] and "SECRET" not in json.dumps(report)


def test_harvester_caps_the_answer(serve, sysadmin, allow, ckan_config, monkeypatch):
    big = serve(answer(b'{"result": {"results": []}, "pad": "' + b"x" * 5000 + b'"}',
                       headers="Content-Type: application/json\r\n"))
    allow(big)
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.security.harvest_max_bytes", 1000)
    source = create_source(sysadmin, big.url + "/")
    ids, errors = gather(source["id"], sysadmin)
    assert not ids and any("larger than 1000 bytes" in e for e in errors)


def test_guarded_session_is_what_other_features_get():
    session = fetch.guarded_session()
    assert isinstance(session, requests.Session) and session.trust_env is False
    with pytest.raises(fetch.Refused):
        session.get("http://127.0.0.1:5000/api/3/action/status_show")
