"""lib/fetch.py, the one guard for server-side fetches of user-supplied URLs; no CKAN, no services.

Every test runs under a tripwire: a connect to anything but 127.0.0.1/::1 is recorded and
refused, and so is a DNS lookup of any name but ``localhost``, so nothing here can reach
past this machine even when the guard is broken. Local listeners record every connection
they accept, which is how "refused before connecting" is proved.

Run with ``-p no:ckan -p no:ckan_fixtures`` (make test-unit).
"""
from __future__ import annotations

import hashlib
import ipaddress
import socket
import threading
import time

import pytest
import requests
from ckanext.regionaliot.lib import fetch

LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}

# Every spelling of this machine a URL can use (the listener's port is appended).
LOOPBACK_FORMS = [
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1",
    "[::1]", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]", "0.0.0.0", "0", "localhost",
    "127.0.0.2",
]
# Addresses that are not public and not this machine: the tripwire makes sure they are
# never connected to, even if the guard let them through.
OTHER_PRIVATE = [
    "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "198.18.0.1",
    "224.0.0.1", "255.255.255.255", "[fe80::1]", "[fc00::1]", "[fec0::1]", "[::7f00:1]",
    "[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::]", "[2002:a9fe:a9fe::]",
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo, client 127.0.0.1
]


# ---------------------------------------------------------------- harness


@pytest.fixture(autouse=True)
def tripwire(monkeypatch):
    """Records every outgoing connect and name lookup; refuses any that would leave the host."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        attempts.append(host)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            raise ConnectionRefusedError(f"tripwire: no connections past 127.0.0.1 ({host})")
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
        socket.inet_aton(name)  # 2130706433, 0x7f000001, 0177.0.0.1, 127.1 ...
        return True
    except OSError:
        pass
    try:
        ipaddress.ip_address(name.split("%")[0])
        return True
    except ValueError:
        return False


class Listener:
    """A TCP server on 127.0.0.1 and ::1 (same port) that records what it accepts."""

    def __init__(self, handler):
        self.accepted: list[str] = []
        self.handler = handler
        self.socks = []
        self.stop = threading.Event()
        first = socket.socket(socket.AF_INET)
        first.bind(("127.0.0.1", 0))
        self.port = first.getsockname()[1]
        self._serve(first)
        try:
            six = socket.socket(socket.AF_INET6)
            six.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            six.bind(("::1", self.port))
            self._serve(six)
        except OSError:  # no IPv6 loopback here: the IPv6 forms are still refused
            pass

    def _serve(self, sock):
        sock.listen(32)
        sock.settimeout(0.1)
        self.socks.append(sock)

        def loop():
            while not self.stop.is_set():
                try:
                    conn, addr = sock.accept()
                except OSError:
                    continue
                self.accepted.append(addr[0])
                threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

        threading.Thread(target=loop, daemon=True).start()

    def _handle(self, conn):
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.handler(conn, data)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        for sock in self.socks:
            sock.close()


def answer(body: bytes = b"secret", status: str = "200 OK", headers: str = ""):
    def handler(conn, _request):
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}"
                     "Connection: close\r\n\r\n".encode() + body)
    return handler


def redirect(location: str):
    return answer(b"", "302 Found", f"Location: {location}\r\n")


@pytest.fixture
def serve():
    listeners = []

    def start(handler=None):
        listener = Listener(handler or answer())
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        listener.close()


def allow(*listeners) -> list[str]:
    """The explicit exception a test needs to reach its own server on 127.0.0.1."""
    return [f"127.0.0.1:{listener.port}" for listener in listeners]


# ---------------------------------------------------------------- which addresses


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "10.1.2.3", "172.31.255.255", "192.168.0.1",
    "169.254.169.254", "100.64.0.1", "192.0.0.8", "192.88.99.1", "198.18.0.1", "224.0.0.1",
    "240.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fec0::1",
    "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::7f00:1", "::a00:1", "64:ff9b::7f00:1",
    "64:ff9b:1::a00:1", "2002:7f00:1::", "2002:a9fe:a9fe::", "2001:db8::1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
])
def test_not_public(address):
    assert not fetch.is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111",
                                     "2002:808:808::"])
def test_public(address):
    assert fetch.is_public(address)


# ---------------------------------------------------------------- refused before connecting


@pytest.mark.parametrize("form", LOOPBACK_FORMS)
def test_every_loopback_form_is_refused_before_connecting(serve, tripwire, form):
    target = serve()
    # An exception for 127.0.0.1 on *another* port is configured: exceptions are exact.
    other = serve()
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(f"http://{form}:{target.port}/x.csv", limit=100, timeout=2,
                    allow_private=False, allow=allow(other))
    assert info.value.msgid in (fetch.MSG_PRIVATE, fetch.MSG_UNRESOLVED)
    assert target.accepted == [] and tripwire == []


@pytest.mark.parametrize("form", LOOPBACK_FORMS)
def test_the_session_refuses_at_connect_time_without_the_early_check(serve, tripwire, form):
    target = serve()
    session = fetch.guarded_session(total=5)
    with pytest.raises(fetch.Refused):
        session.get(f"http://{form}:{target.port}/x.csv")
    assert target.accepted == [] and tripwire == []


@pytest.mark.parametrize("form", OTHER_PRIVATE)
def test_other_private_addresses_are_refused_before_connecting(tripwire, form):
    session = fetch.guarded_session(total=5)
    with pytest.raises(fetch.Refused):
        session.get(f"http://{form}:6379/")
    assert tripwire == []
    with pytest.raises(fetch.DownloadError):
        fetch.fetch(f"http://{form}/x.csv", limit=100, timeout=2, allow_private=False)
    assert tripwire == []


@pytest.mark.parametrize("url", [
    "http://public.example@127.0.0.1:{port}/x.csv",
    "http://public.example:pw@127.0.0.1:{port}/x.csv",
    "http://127.0.0.1:{port}\\@public.example/x.csv",
    "http://127.0.0.1:{port}#@public.example/x.csv",
    "http://127.0.0.1:{port}?@public.example/x.csv",
    "HTTP://127.0.0.1:{port}/x.csv",
])
def test_userinfo_and_parser_tricks(serve, tripwire, url):
    target = serve()
    url = url.format(port=target.port)
    with pytest.raises(fetch.DownloadError):
        fetch.fetch(url, limit=100, timeout=2, allow_private=False)
    with pytest.raises(requests.RequestException):
        fetch.guarded_session(total=5).get(url)
    assert target.accepted == []
    assert not [a for a in tripwire if not a.startswith("dns:")]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:6379/_",
                                 "http:///nohost", "dict://127.0.0.1:6379/info"])
def test_other_schemes_are_refused(tripwire, url):
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(url, limit=100, timeout=2, allow_private=False)
    assert info.value.msgid == fetch.MSG_SCHEME
    with pytest.raises(requests.RequestException):
        fetch.guarded_session(total=5).get(url)
    assert tripwire == []


# ---------------------------------------------------------------- redirects


@pytest.mark.parametrize("form", LOOPBACK_FORMS + ["169.254.169.254", "10.0.0.1"])
def test_redirect_from_an_allowed_server_to_a_local_address_is_refused(serve, tripwire, form):
    target = serve()
    hop = serve(redirect(f"http://{form}:{target.port}/secret"))
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(f"http://127.0.0.1:{hop.port}/", limit=100, timeout=2,
                    allow_private=False, allow=allow(hop))
    assert info.value.msgid in (fetch.MSG_PRIVATE, fetch.MSG_UNRESOLVED)
    assert len(hop.accepted) == 1  # the allowed first hop was really fetched
    assert target.accepted == []
    assert [a for a in tripwire if a not in LOOPBACK] == []


def test_redirect_to_another_scheme_is_refused(serve, tripwire):
    hop = serve(redirect("file:///etc/passwd"))
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(f"http://127.0.0.1:{hop.port}/", limit=100, timeout=2,
                    allow_private=False, allow=allow(hop))
    assert info.value.msgid == fetch.MSG_SCHEME


def test_endless_redirects_stop(serve):
    hop = serve()
    hop.handler = redirect(f"http://127.0.0.1:{hop.port}/again")
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(f"http://127.0.0.1:{hop.port}/", limit=100, timeout=2,
                    allow_private=False, allow=allow(hop))
    assert info.value.msgid == fetch.MSG_REDIRECTS
    assert len(hop.accepted) == fetch.MAX_REDIRECTS + 1


def test_redirect_between_allowed_servers_is_followed(serve):
    target = serve(answer(b"a,b\n1,2\n"))
    hop = serve(redirect(f"http://127.0.0.1:{target.port}/data.csv"))
    got = fetch.fetch(f"http://127.0.0.1:{hop.port}/", limit=100, timeout=2,
                      allow_private=False, allow=allow(hop, target))
    try:
        assert got.complete and got.size == 8
    finally:
        got.remove()


# ---------------------------------------------------------------- exceptions are explicit


def test_an_exception_is_exact_host_and_port(serve):
    target = serve(answer(b"a,b\n"))
    got = fetch.fetch(f"http://127.0.0.1:{target.port}/", limit=100, timeout=2,
                      allow_private=False, allow=allow(target))
    got.remove()
    assert len(target.accepted) == 1
    for form in ("127.1", "localhost", "[::1]", "2130706433"):  # same machine, other spelling
        with pytest.raises(fetch.DownloadError):
            fetch.fetch(f"http://{form}:{target.port}/", limit=100, timeout=2,
                        allow_private=False, allow=allow(target))
    assert len(target.accepted) == 1


def test_exceptions_are_parsed_strictly():
    assert fetch.parse_allowed(["127.0.0.1:5000", "[::1]:80", "Example.COM:443", ("h", 1)]) == {
        ("127.0.0.1", 5000), ("::1", 80), ("example.com", 443), ("h", 1)}
    assert fetch.parse_allowed(["127.0.0.1", "", "host:notaport"]) == frozenset()


def test_allow_private_is_the_validators_explicit_setting(serve):
    target = serve(answer(b"x"))
    got = fetch.fetch(f"http://127.0.0.1:{target.port}/", limit=100, timeout=2,
                      allow_private=True)
    got.remove()
    assert len(target.accepted) == 1
    with pytest.raises(fetch.DownloadError):
        fetch.fetch("file:///etc/passwd", limit=100, timeout=2, allow_private=True)


def test_environment_proxies_are_ignored(serve, monkeypatch):
    proxy = serve()
    target = serve(answer(b"direct"))
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
    response = fetch.guarded_session(total=5, allow=allow(target)).get(
        f"http://127.0.0.1:{target.port}/")
    assert response.content == b"direct"
    assert proxy.accepted == []


def test_a_plain_session_with_the_adapter_mounted_is_guarded(serve):
    """How a hook that receives a session (DCAT's update_session) uses the guard."""
    target = serve()
    session = requests.Session()
    session.mount("http://", fetch.GuardAdapter(False, total=5))
    with pytest.raises(fetch.Refused):
        session.get(f"http://127.0.0.1:{target.port}/")
    assert target.accepted == []


# ---------------------------------------------------------------- total time limit


def dribble(conn, _request, *, headers_first=True, seconds=30.0, step=0.2):
    """1 byte per ``step`` seconds for ``seconds``: a per-read timeout never fires."""
    if headers_first:
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        payload = b"x" * int(seconds / step)
    else:
        payload = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * int(seconds / step)
    for byte in payload:
        conn.sendall(bytes([byte]))
        time.sleep(step)


@pytest.mark.parametrize("headers_first", [True, False], ids=["slow-body", "slow-headers"])
def test_a_slow_server_is_cut_off_at_the_total_limit(serve, headers_first):
    slow = serve(lambda conn, req: dribble(conn, req, headers_first=headers_first))
    started = time.monotonic()
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(f"http://127.0.0.1:{slow.port}/", limit=10_000, timeout=2, total=1,
                    allow_private=False, allow=allow(slow))
    assert info.value.msgid == fetch.MSG_TIMEOUT
    assert time.monotonic() - started < 15  # it stopped (the server would go on for 30 s)


def test_a_streamed_slow_body_is_cut_off_too(serve):
    """The way xloader reads: stream=True, then iter_content / iter_lines."""
    slow = serve(dribble)
    started = time.monotonic()
    response = fetch.guarded_session(total=1, read=2, allow=allow(slow)).get(
        f"http://127.0.0.1:{slow.port}/", stream=True)
    with pytest.raises(requests.RequestException):
        for _ in response.iter_content(1024):
            pass
    assert time.monotonic() - started < 15


def test_the_limit_covers_the_whole_redirect_chain(serve):
    slow = serve(dribble)
    hops = [slow]
    for _ in range(2):
        hops.append(serve(redirect(f"http://127.0.0.1:{hops[-1].port}/")))
    started = time.monotonic()
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(f"http://127.0.0.1:{hops[-1].port}/", limit=10_000, timeout=2, total=1,
                    allow_private=False, allow=allow(*hops))
    assert info.value.msgid == fetch.MSG_TIMEOUT
    assert time.monotonic() - started < 15


# ---------------------------------------------------------------- the download itself


def test_fetch_caps_the_download_and_hashes_it(serve, tmp_path):
    target = serve(answer(b"a" * 2000))
    whole = fetch.fetch(f"http://127.0.0.1:{target.port}/data", limit=5000, timeout=5,
                        allow_private=False, allow=allow(target), directory=str(tmp_path))
    assert whole.complete and whole.size == 2000
    assert whole.sha256 == hashlib.sha256(b"a" * 2000).hexdigest()
    whole.remove()
    part = fetch.fetch(f"http://127.0.0.1:{target.port}/data", limit=100, timeout=5,
                       allow_private=False, allow=allow(target), directory=str(tmp_path))
    assert not part.complete and part.size <= 100
    part.remove()
    assert list(tmp_path.iterdir()) == []


def test_fetch_reports_http_errors(serve):
    target = serve(answer(b"", "404 Not Found"))
    with pytest.raises(fetch.DownloadError) as info:
        fetch.fetch(f"http://127.0.0.1:{target.port}/missing", limit=100, timeout=5,
                    allow_private=False, allow=allow(target))
    assert info.value.params == {"status": 404}


def test_read_capped(serve):
    target = serve(answer(b"b" * 300))
    session = fetch.guarded_session(total=5, allow=allow(target))
    with session.get(f"http://127.0.0.1:{target.port}/", stream=True) as response:
        assert fetch.read_capped(response, 100) == (b"b" * 100, False)
    with session.get(f"http://127.0.0.1:{target.port}/", stream=True) as response:
        assert fetch.read_capped(response, 1000) == (b"b" * 300, True)


# ---------------------------------------------------------------- the early check


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.csv", "http://localhost:8983/solr/", "http://10.0.0.5/data.csv",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/x.csv",
    "http://[::ffff:127.0.0.1]/x.csv", "file:///etc/passwd", "ftp://example.com/x.csv",
    "gopher://127.0.0.1:6379/", "http:///nohost", "http://127.0.0.1:99999/",
    # urlsplit sees example.com, but requests (urllib3) connects to 127.0.0.1
    "http://127.0.0.1:5000\\@example.com/x.csv", "http://127.0.0.1\\@example.com/x.csv",
    "http://[::7f00:1]/x.csv", "http://[2002:7f00:1::]/x.csv",
    "http://[64:ff9b::a9fe:a9fe]/x.csv", "http://[fec0::1]/x.csv",
])
def test_check_url_refuses_hostile_links(url, tripwire):
    with pytest.raises(fetch.DownloadError) as info:
        fetch.check_url(url, allow_private=False)
    assert info.value.msgid  # a message for staff, translated when shown
    assert tripwire == []


def test_check_url_exceptions_and_allow_private():
    fetch.check_url("http://127.0.0.1:8000/x.csv", allow_private=False, allow=["127.0.0.1:8000"])
    with pytest.raises(fetch.DownloadError):
        fetch.check_url("http://127.0.0.1:8001/x.csv", allow_private=False,
                        allow=["127.0.0.1:8000"])
    fetch.check_url("http://127.0.0.1/x.csv", allow_private=True)
    with pytest.raises(fetch.DownloadError):
        fetch.check_url("file:///etc/passwd", allow_private=True)
