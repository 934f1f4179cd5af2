"""Fetch a linked resource for validation, treating the URL as hostile.

Only http/https; every address the host name resolves to must be public
(no loopback, private, link-local or reserved ranges) unless
the caller allows private addresses (a setting of the calling feature); redirects are
followed by hand so each hop is checked; the body is capped and timed out.

Known gap: the name is resolved again when connecting, so DNS rebinding
between our check and the connection is not prevented.
"""
from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
import tempfile
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .i18n import N_

CHUNK = 64 * 1024
MAX_REDIRECTS = 5


class DownloadError(Exception):
    """The link could not be fetched: ``msgid`` (English, translated when shown) and ``params``."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


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


_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in _IPV4_COMPATIBLE or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    return None


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        inner = _embedded_ipv4(ip)
        if inner is not None and not _is_public(str(inner)):
            return False
    return ip.is_global and not ip.is_multicast


def _connect_host(url: str) -> str | None:
    """The host requests (urllib3) will connect to, which may differ from urlsplit's:
    for ``http://127.0.0.1\\@example.com/`` urlsplit says example.com."""
    try:
        host = parse_url(url).host
    except LocationParseError:
        return None
    return host.strip("[]").lower() if host else None


def _ascii_host(hostname: str) -> str:
    try:
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return hostname.lower()


def check_url(url: str, allow_private: bool) -> None:
    """Raise DownloadError unless ``url`` is an http(s) URL to a public host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(N_("Only http and https links can be validated."))
    if allow_private:
        return
    host = _connect_host(url)
    if host is None or host != _ascii_host(parts.hostname):
        # Two URL parsers disagree about the host: never guess which one is connected to.
        raise DownloadError(N_("The link's host name could not be resolved."))
    try:
        infos = socket.getaddrinfo(host, parts.port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise DownloadError(N_("The link's host name could not be resolved.")) from None
    if not infos or not all(_is_public(info[4][0]) for info in infos):
        raise DownloadError(
            N_("The link points to a private or local network address, which is not fetched."))


def fetch(url: str, *, limit: int, timeout: float, allow_private: bool,
          directory: str | None = None) -> Fetched:
    """Download ``url`` into a temporary file, at most ``limit`` bytes (+1 to detect more).

    The caller must call ``Fetched.remove()``.
    """
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc credentials from the server's environment
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private)
            response = session.get(current, stream=True, timeout=timeout, allow_redirects=False,
                                   headers={"User-Agent": "ckanext-regionaliot validation"})
            if response.is_redirect:
                location = response.headers.get("Location", "")
                response.close()
                current = urljoin(current, location)
                continue
            break
        else:
            raise DownloadError(N_("The link redirects too many times."))
        with response:
            if response.status_code != 200:
                raise DownloadError(N_("The link answered with HTTP status {status}."),
                                    status=response.status_code)
            return _save(response, limit, directory)
    except requests.Timeout:
        raise DownloadError(N_("The link did not answer in time.")) from None
    except requests.RequestException:
        raise DownloadError(N_("The link could not be reached.")) from None
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
