"""The one guard for every server-side fetch of a user-supplied URL (issue 15).

Our validator's links, xloader's downloads and the CKAN harvester all fetch through a
session made by :func:`guarded_session`; :func:`fetch` downloads one link into a capped
temporary file on top of it. The guard:

- connects only over http/https, and refuses, **at connect time**, any address that is not
  public: loopback, private, link-local, reserved, multicast, CG-NAT, and IPv6 forms that
  carry such an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo). The check is made on
  the IP address that is actually connected to: requests-hardened resolves the name once and
  pins the connection to that address, so DNS rebinding between check and connect is closed,
  and whatever a URL parser makes of ``http://127.0.0.1\\@example.com/`` or
  ``http://public@127.0.0.1/``, the address connected to is the one checked;
- checks every redirect hop the same way (requests sends each hop through the adapter),
  at most ``MAX_REDIRECTS`` of them;
- stops a request after a **total** wall-clock time (connect, redirects, headers and body
  together): a timer shuts the sockets down, so a server sending one byte a second cannot
  hold a worker beyond the limit. Per-socket timeouts stay as well;
- ignores proxies and credentials from the server's environment (``trust_env = False``).

Exceptions are explicit and exact: ``host:port`` pairs in the setting
``ckanext.regionaliot.security.fetch_allowed_hosts`` (for tests, or an internal mirror an
operator trusts), plus those a caller passes (xloader's own site for uploads). A feature may
also allow every private address (``allow_private``, the validator's documented setting);
the time limit, the schemes and the redirect checks apply then too.

Known limits: the host name lookup itself (getaddrinfo) has no timeout of ours; the
resolver's own applies. Only the first address a name resolves to is tried.
"""
from __future__ import annotations

import contextvars
import hashlib
import ipaddress
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError, ReadTimeoutError
from urllib3.util import parse_url

from . import config
from .i18n import N_

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "ckanext-regionaliot"

# Settings of regionaliot_security (security/config_declaration.yaml). They are read with
# a fallback, so a feature that uses this module without that plugin still gets the guard.
TIMEOUT_SETTING = "ckanext.regionaliot.security.fetch_deadline"
ALLOWED_HOSTS_SETTING = "ckanext.regionaliot.security.fetch_allowed_hosts"
DEFAULT_TOTAL = 60.0

MSG_SCHEME = N_("Only http and https links can be validated.")
MSG_PRIVATE = N_("The link points to a private or local network address, which is not fetched.")
MSG_UNRESOLVED = N_("The link's host name could not be resolved.")
MSG_TIMEOUT = N_("The link did not answer in time.")
MSG_REDIRECTS = N_("The link redirects too many times.")
MSG_UNREACHABLE = N_("The link could not be reached.")
MSG_STATUS = N_("The link answered with HTTP status {status}.")

HostPort = tuple[str, int]
Allow = Iterable["str | HostPort"]


class DownloadError(Exception):
    """The link could not be fetched: ``msgid`` (English, translated when shown) and ``params``."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


class Refused(InvalidIPAddress):
    """The guard refused to connect. A ``requests.RequestException``; ``str()`` is the msgid."""

    def __init__(self, msgid: str = MSG_PRIVATE, **kwargs: Any):
        super().__init__(msgid, **kwargs)
        self.msgid = msgid


class Unresolved(requests.ConnectionError):
    """The host name did not resolve."""


@dataclass
class Fetched:
    path: str
    sha256: str
    size: int
    complete: bool  # False: stopped at the byte limit, the file is larger

    def remove(self) -> None:
        try:
            os.unlink(self.path)
        except OSError:
            pass


# ---------------------------------------------------------------- which addresses

_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_NOT_GLOBAL_V4 = (
    ipaddress.ip_network("100.64.0.0/10"),  # CG-NAT (is_global is False, listed for clarity)
    ipaddress.ip_network("192.88.99.0/24"),  # 6to4 relay anycast
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in _IPV4_COMPATIBLE or any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    return None


def is_public(address: str) -> bool:
    """Whether ``address`` (an IP literal) is a public unicast address we may connect to."""
    ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_public(str(inner)):
            return False
    elif any(ip in net for net in _NOT_GLOBAL_V4):
        return False
    return ip.is_global and not ip.is_multicast


_is_public = is_public  # the old private name


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _host_key(host: str) -> str:
    host = host.strip("[]").rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def parse_allowed(entries: Allow) -> frozenset[HostPort]:
    """``host:port`` strings (or pairs) → exact exceptions; an entry without a port is ignored."""
    out = set()
    for entry in entries:
        if isinstance(entry, tuple):
            out.add((_host_key(entry[0]), int(entry[1])))
            continue
        entry = entry.strip()
        if not entry:
            continue
        try:
            parts = urlsplit("//" + entry)
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None:
            log.warning("%s: %r is not host:port; ignored", ALLOWED_HOSTS_SETTING, entry)
            continue
        out.add((_host_key(parts.hostname), port))
    return frozenset(out)


def allowed_hosts() -> frozenset[HostPort]:
    """The operator's exact exceptions (``ckanext.regionaliot.security.fetch_allowed_hosts``)."""
    try:
        value = config.get_str(ALLOWED_HOSTS_SETTING)
    except RuntimeError:  # no CKAN configuration at all (pure unit tests)
        value = ""
    return parse_allowed(value.replace(",", " ").split())


# The harvest sources' exceptions (declared by regionaliot_harvest): the one list every
# harvest check reads, on top of the site-wide list above: the security plugin's check of a
# new source's URL, our harvesters' requests and the guarded CKAN harvester's.
HARVEST_ALLOWED_HOSTS_SETTING = "ckanext.regionaliot.harvest.allowed_hosts"


def harvest_allowed_hosts() -> frozenset[HostPort]:
    """``ckanext.regionaliot.harvest.allowed_hosts``: extra exact exceptions for harvest
    sources (``fetch_allowed_hosts`` applies to them as to every fetch)."""
    try:
        value = config.get_str(HARVEST_ALLOWED_HOSTS_SETTING)
    except (RuntimeError, KeyError):  # no CKAN configuration, or the setting undeclared
        value = ""
    return parse_allowed(value.replace(",", " ").split())


def total_timeout() -> float:
    """The total time limit of one fetch (``ckanext.regionaliot.security.fetch_deadline``)."""
    return setting_float(TIMEOUT_SETTING, DEFAULT_TOTAL)


def setting_float(key: str, default: float) -> float:
    """A numeric setting of regionaliot_security, or ``default`` where it is not declared."""
    try:
        return config.get_float(key)
    except (TypeError, ValueError, RuntimeError):
        return default


def _allow_set(allow: Allow) -> frozenset[HostPort]:
    return allowed_hosts() | parse_allowed(allow)


# ---------------------------------------------------------------- early check


def _connect_host(url: str) -> str | None:
    """The host requests (urllib3) will connect to, which may differ from urlsplit's:
    for ``http://127.0.0.1\\@example.com/`` urlsplit says example.com."""
    try:
        host = parse_url(url).host
    except LocationParseError:
        return None
    return _host_key(host) if host else None


def check_url(url: str, allow_private: bool, allow: Allow = ()) -> None:
    """Raise DownloadError unless ``url`` is an http(s) URL to a public (or allowed) host.

    An early refusal with a clear message, for forms and submit-time checks; the guard
    that counts is the connect-time one of :func:`guarded_session`.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DownloadError(MSG_SCHEME) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(MSG_SCHEME)
    if allow_private:
        return
    host = _connect_host(url)
    if host is None or host != _host_key(parts.hostname):
        # Two URL parsers disagree about the host: never guess which one is connected to.
        raise DownloadError(MSG_UNRESOLVED)
    if (host, port or _default_port(parts.scheme)) in _allow_set(allow):
        return
    try:
        infos = socket.getaddrinfo(host, port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise DownloadError(MSG_UNRESOLVED) from None
    if not infos or not all(is_public(info[4][0]) for info in infos):
        raise DownloadError(MSG_PRIVATE)


# ---------------------------------------------------------------- the total time limit

_current: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar(
    "regionaliot_fetch_deadline", default=None)


class _Deadline:
    """Shuts down every socket of one request (and its redirects) when the time is up."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._items: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def track(self, obj: Any) -> None:
        """A urllib3 connection (its current ``.sock``) or a socket."""
        with self._lock:
            self._items.append(obj)
            if self.expired:
                self._kill(obj)

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._items.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for obj in self._items:
                self._kill(obj)

    @staticmethod
    def _kill(obj: Any) -> None:
        sock = obj if isinstance(obj, socket.socket) else getattr(obj, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Tracked:
    """Connections register their sockets with the deadline of the request using them."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if (deadline := _current.get()) is not None:
            deadline.track(self)  # .sock is set before the TLS handshake starts

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        if (deadline := _current.get()) is not None and self.sock is not None:  # type: ignore[attr-defined]
            # Kept as well: http.client drops conn.sock when the response says "close".
            deadline.track(self.sock)  # type: ignore[attr-defined]

    def request(self, *args: Any, **kwargs: Any) -> Any:
        if (deadline := _current.get()) is not None:
            deadline.track(self)  # a kept-alive connection reused by a later request
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _DeadlineExceeded(ReadTimeoutError):
    pass


def _watch_body(response: requests.Response, deadline: _Deadline) -> None:
    """A body read that ends because the deadline shut the socket is an error, not EOF."""
    raw = response.raw
    if raw is None or getattr(raw, "_regionaliot_watched", False):
        return
    read = raw.read

    def guarded_read(*args: Any, **kwargs: Any) -> Any:
        try:
            data = read(*args, **kwargs)
        except Exception as exc:
            if deadline.expired:
                raise _DeadlineExceeded(None, response.url, "the total time limit was reached") from exc
            raise
        if deadline.expired:
            raise _DeadlineExceeded(None, response.url, "the total time limit was reached")
        return data

    raw.read = guarded_read
    raw._regionaliot_watched = True


def _cancel_on_close(response: requests.Response, deadline: _Deadline) -> None:
    close = response.close

    def closing() -> None:
        deadline.cancel()
        close()

    response.close = closing  # type: ignore[method-assign]


# ---------------------------------------------------------------- the guard


class GuardAdapter(IPFilterAdapter):
    """requests-hardened's connect-time filter, stricter, with exceptions and a deadline.

    Mounted on a plain ``requests.Session`` (a hook such as DCAT's ``update_session``), it
    limits each request hop to ``total`` seconds; :class:`GuardedSession` limits the whole
    chain of redirects.
    """

    def __init__(self, https: bool, *, total: float, allow: frozenset[HostPort] = frozenset(),
                 allow_private: bool = False):
        super().__init__(is_https_proto=https, allow_loopback=False)
        self.total = total
        self.allow = allow
        self.allow_private = allow_private

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = HTTPAdapter.build_connection_pool_key_attributes(
            self, request, verify, cert)
        host = host_params["host"]
        port = host_params["port"] or _default_port(host_params["scheme"])
        if self.allow_private or (_host_key(host or ""), port) in self.allow:
            request.headers.pop("Host", None)  # a pinned Host of a previous hop must not stay
            return host_params, pool_kwargs
        try:
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(
                request, verify, cert)
        except InvalidIPAddress:
            raise Refused(request=request) from None
        except requests.ConnectionError as exc:
            if isinstance(exc.__cause__, socket.gaierror):
                raise Unresolved(MSG_UNRESOLVED, request=request) from None
            raise
        if not is_public(host_params["host"]):  # the pinned address that will be connected
            log.warning("Refused to connect to %s (host %s)", host_params["host"], host)
            raise Refused(request=request)
        return host_params, pool_kwargs

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        # Proxies are not used: the guard must see (and pin) the address connected to.
        request.headers["Connection"] = "close"  # a fresh, tracked connection per request
        deadline = _current.get()
        own = deadline is None
        if own:
            deadline = _Deadline(self.total)
            token = _current.set(deadline)
        elif deadline.expired:
            raise requests.Timeout(MSG_TIMEOUT, request=request)
        try:
            response = super().send(request, stream=stream, timeout=timeout, verify=verify,
                                    cert=cert, proxies=None)
        except requests.RequestException:
            if deadline.expired:
                raise requests.Timeout(MSG_TIMEOUT, request=request) from None
            if own:
                deadline.cancel()
            raise
        finally:
            if own:
                _current.reset(token)
        _watch_body(response, deadline)
        if own:
            if stream:
                _cancel_on_close(response, deadline)
            else:
                deadline.cancel()
        return response


class GuardedSession(HTTPSession):
    """A ``requests.Session`` whose every request goes through :class:`GuardAdapter`."""

    def __init__(self, *, total: float, connect: float, read: float,
                 allow: frozenset[HostPort], allow_private: bool, max_redirects: int,
                 user_agent: str | None):
        super().__init__(Config(ip_filter_enable=False, ip_filter_allow_loopback_ips=False,
                                never_redirect=False, default_timeout=(connect, read)))
        if user_agent:
            self.headers["User-Agent"] = user_agent  # a caller's own header still wins
        self.total = total
        self.trust_env = False  # no proxies or .netrc credentials from the environment
        self.max_redirects = max_redirects
        self.adapters.clear()  # only http and https: file://, ftp:// … have no adapter
        for prefix, https in (("https://", True), ("http://", False)):
            self.mount(prefix, GuardAdapter(https, total=total, allow=allow,
                                            allow_private=allow_private))

    def send(self, request, **kwargs):
        if _current.get() is not None:  # a redirect hop of a request already timed
            return super().send(request, **kwargs)
        deadline = _Deadline(self.total)
        token = _current.set(deadline)
        try:
            response = super().send(request, **kwargs)
        except requests.RequestException:
            deadline.cancel()
            if deadline.expired:
                raise requests.Timeout(MSG_TIMEOUT, request=request) from None
            raise
        finally:
            _current.reset(token)
        if kwargs.get("stream"):
            _cancel_on_close(response, deadline)
        else:
            deadline.cancel()
        return response


def guarded_session(*, total: float | None = None, connect: float = 10.0, read: float = 30.0,
                    allow: Allow = (), allow_private: bool = False,
                    max_redirects: int = MAX_REDIRECTS,
                    user_agent: str | None = USER_AGENT) -> requests.Session:
    """A session for fetching user-supplied URLs (xloader, harvesters, future features).

    ``total``: seconds for a whole request, redirects and body included (default: the setting
    ``ckanext.regionaliot.security.fetch_deadline``); ``connect``/``read``: per-socket
    timeouts; ``allow``: exact ``host:port`` exceptions added to the configured ones.
    Refusals raise :class:`Refused`, a ``requests.RequestException``.
    """
    return GuardedSession(total=total_timeout() if total is None else float(total),
                          connect=connect, read=read, allow=_allow_set(allow),
                          allow_private=allow_private, max_redirects=max_redirects,
                          user_agent=user_agent)


def read_capped(response: requests.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body, and whether that was all of it."""
    parts, size = [], 0
    for chunk in response.iter_content(CHUNK):
        if size + len(chunk) > limit:
            parts.append(chunk[: limit - size])
            return b"".join(parts), False
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts), True


def download_error(exc: requests.RequestException) -> DownloadError:
    """The DownloadError a requests exception of the guard stands for."""
    if isinstance(exc, Refused):
        return DownloadError(exc.msgid)
    if isinstance(exc, Unresolved):
        return DownloadError(MSG_UNRESOLVED)
    if isinstance(exc, requests.Timeout) or _timed_out(exc):
        return DownloadError(MSG_TIMEOUT)
    if isinstance(exc, requests.TooManyRedirects):
        return DownloadError(MSG_REDIRECTS)
    if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.MissingSchema):
        return DownloadError(MSG_SCHEME)
    return DownloadError(MSG_UNREACHABLE)


def _timed_out(exc: BaseException) -> bool:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, _DeadlineExceeded) or any(
                isinstance(arg, _DeadlineExceeded) for arg in current.args):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


# ---------------------------------------------------------------- one link to a file


def fetch(url: str, *, limit: int, timeout: float, allow_private: bool,
          directory: str | None = None, total: float | None = None,
          allow: Allow = ()) -> Fetched:
    """Download ``url`` into a temporary file, at most ``limit`` bytes (+1 to detect more).

    ``timeout``: per connect and per read; ``total``: the whole download (default: the
    setting). The caller must call ``Fetched.remove()``.
    """
    check_url(url, allow_private, allow)
    session = guarded_session(total=total, connect=timeout, read=timeout, allow=allow,
                              allow_private=allow_private,
                              user_agent="ckanext-regionaliot validation")
    try:
        with session.get(url, stream=True) as response:
            if response.status_code != 200:
                raise DownloadError(MSG_STATUS, status=response.status_code)
            return _save(response, limit, directory)
    except requests.RequestException as exc:
        raise download_error(exc) from None
    finally:
        session.close()


def _save(response: requests.Response, limit: int, directory: str | None) -> Fetched:
    digest = hashlib.sha256()
    size = 0
    complete = True
    handle = tempfile.NamedTemporaryFile(prefix="regionaliot-", suffix=".download",
                                         dir=directory, delete=False)
    try:
        with handle:
            for chunk in response.iter_content(CHUNK):
                if size + len(chunk) > limit:
                    complete = False
                    break
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except BaseException:
        os.unlink(handle.name)
        raise
    return Fetched(handle.name, digest.hexdigest(), size, complete)
