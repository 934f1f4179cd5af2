"""The client's address behind trusted reverse proxies: one rule for every feature that
counts per address (the login throttle, the idea box's rate limits), so they agree.

REMOTE_ADDR is the client unless it is a trusted proxy (setting ``SETTING``: addresses or
CIDR networks, space separated). Then X-Forwarded-For is read right to left: each proxy
appends the address it saw, so the rightmost entry that is not itself a trusted proxy is
the client; what the client wrote further left is its own claim and ignored. A request
from an untrusted peer has its X-Forwarded-For ignored altogether.

Pure: no CKAN. Callers pass the setting's value (``lib.config.get_str(SETTING)``).
"""
from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

SETTING = "ckanext.regionaliot.trusted_proxies"
UNKNOWN = "unknown"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def networks(value: str) -> tuple[Network, ...]:
    """The trusted networks of a setting's value; a bad entry is logged and skipped."""
    found = []
    for item in (value or "").split():
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            log.error("%s: not an address or network: %r", SETTING, item)
    return tuple(found)


def parse(value: str) -> Address | None:
    """An address from REMOTE_ADDR or one X-Forwarded-For entry (a port is dropped;
    IPv4-mapped IPv6 is the IPv4 address); None for anything else."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def resolve(remote_addr: str | None, forwarded_for: str | None, trusted_proxies: str) -> str:
    """The client's address as text, or ``UNKNOWN`` when REMOTE_ADDR is not an address."""
    remote = parse(remote_addr or "")
    if remote is None:
        return UNKNOWN
    trusted = networks(trusted_proxies or "")
    client = remote
    if _trusted(remote, trusted):
        for hop in reversed((forwarded_for or "").split(",")):
            address = parse(hop)
            if address is None:
                break  # garbage (or no header): keep the last address we could trust
            client = address
            if not _trusted(address, trusted):
                break
    return str(client)


def from_environ(environ: Mapping[str, Any], trusted_proxies: str) -> str:
    """``resolve`` for a WSGI environ."""
    return resolve(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"),
                   trusted_proxies)


def counting_key(address: str) -> str:
    """What a limit counts per: the address, or for IPv6 its /64 (the block one subscriber
    usually gets, so a client cannot dodge a limit by changing its low bits)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
