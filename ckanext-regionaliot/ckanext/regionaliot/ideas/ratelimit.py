"""Per-user and per-address rate limits of posting, commenting, reporting and voting,
counted in CKAN's Redis (fixed windows: SET NX with the expiry, then INCR).

Sysadmins are not limited. If Redis cannot be reached nothing is limited (an error is
logged): the idea box stays usable. The address is lib/client_address.py's: REMOTE_ADDR,
or behind a trusted proxy (``ckanext.regionaliot.trusted_proxies``) the client it forwarded.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import has_request_context

from ckanext.regionaliot.lib import client_address as client_addresses
from ckanext.regionaliot.lib import config

log = logging.getLogger(__name__)

PREFIX = "regionaliot:ideas:rate:"
# bucket → the setting holding its limit per window
LIMITS = {"post": "ckanext.regionaliot.ideas.rate_limit_posts",
          "vote": "ckanext.regionaliot.ideas.rate_limit_votes"}


class Limited(Exception):
    """Too many requests in the window."""


def client_address() -> str | None:
    """The client's address (behind trusted proxies, the one they forwarded; the same rule
    as the login throttle), counted per /64 for IPv6; None outside a request."""
    if not has_request_context():
        return None
    address = client_addresses.from_environ(tk.request.environ,
                                            config.get_str(client_addresses.SETTING))
    return None if address == client_addresses.UNKNOWN else client_addresses.counting_key(address)


def _keys(bucket: str, user: str | None, address: str | None) -> list[str]:
    keys = []
    if user:
        keys.append(f"{PREFIX}{bucket}:user:{user}")
    if address:
        # hashed: Redis holds no readable addresses
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        keys.append(f"{PREFIX}{bucket}:ip:{digest}")
    return keys


def hit(bucket: str, context: Any) -> None:
    """Count one request; raise Limited when the user or the address is over its limit."""
    user = context.get("user") or None
    if user and authz.is_sysadmin(user):
        return
    limit = config.get_int(LIMITS[bucket])
    window = config.get_int("ckanext.regionaliot.ideas.rate_window")
    if limit <= 0:
        return
    keys = _keys(bucket, user, client_address())
    if not keys:
        return
    try:
        redis = connect_to_redis()
        pipe = redis.pipeline()
        for key in keys:
            pipe.set(key, 0, ex=window, nx=True)  # starts the window
            pipe.incr(key)
        counts = pipe.execute()[1::2]
    except Exception:  # Redis down: do not block citizens
        log.exception("Idea box rate limit: Redis unavailable, not limiting")
        return
    if any(int(count) > limit for count in counts):
        raise Limited()
