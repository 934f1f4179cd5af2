"""Login throttling, by login name and by client address, in CKAN's Redis.

CKAN 2.11 has none: 30 wrong passwords in 1.6 s, then the right one worked at once. Here:

* Every failed login (CKAN sends ``signals.failed_login`` with the submitted name, for
  unknown names as for real ones, and for the old-password check of the profile form)
  counts against the submitted name (stripped, lower-cased) and against the client
  address. Unknown names count exactly like real ones and get the same messages, so the
  throttle does not reveal which names exist.
* From ``login_max_failures`` failures of a name (``login_ip_max_failures`` of an address)
  on, each further failure locks it for ``login_lock_seconds``, doubling each time up to
  ``login_lock_max_seconds``: 30 s, 60 s, 120 s … 15 min. Short locks keep the real user
  from being locked out for long; the doubling makes guessing hopeless (at the cap, one
  guess per 15 minutes per name).
* While a name or the address is locked, the login form answers 429 with a Japanese
  message and ``Retry-After``, before any password is checked (``IAuthenticator.login``).
* A successful login forgets the name's failures. The address's count is not reset by a
  success, or an attacker could clear it by logging into an account of their own; it is
  forgotten ``login_failure_window`` seconds after its last failure.
* The client address is REMOTE_ADDR, or, for a request from a trusted proxy
  (``ckanext.regionaliot.trusted_proxies``), the rightmost X-Forwarded-For entry that is
  not itself a trusted proxy (lib/client_address.py). IPv6 clients are counted per /64, the block one subscriber usually gets.

If Redis cannot be reached, logins are not throttled (and an error is logged): the portal
stays usable. Concurrent requests that pass the lock check before a failure is recorded are
not stopped; with gunicorn's sync workers that is at most one per worker.
"""
from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import has_request_context, make_response

from ckanext.regionaliot.lib import client_address as client_addresses
from ckanext.regionaliot.lib import config

log = logging.getLogger(__name__)

_ = tk._

PREFIX = "regionaliot:login:"
_MAX_DOUBLINGS = 30  # 2**30 × any lock is far past any cap


def _settings() -> dict[str, int]:
    key = "ckanext.regionaliot.security."
    return {
        "name": config.get_int(key + "login_max_failures"),
        "ip": config.get_int(key + "login_ip_max_failures"),
        "lock": config.get_int(key + "login_lock_seconds"),
        "max_lock": config.get_int(key + "login_lock_max_seconds"),
        "window": config.get_int(key + "login_failure_window"),
    }


def redis_connection():
    return connect_to_redis()


# --- who is trying --------------------------------------------------------------------

def client_address(environ: dict[str, Any]) -> str:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the address it
    forwarded (lib/client_address.py, the same rule as the idea box's rate limits)."""
    return client_addresses.from_environ(environ, config.get_str(client_addresses.SETTING))


def _name_key(login: str) -> str:
    # Hashed: the keys list no names (or e-mail addresses) to whoever reads Redis.
    digest = hashlib.sha256(login.strip().lower().encode("utf-8")).hexdigest()
    return PREFIX + "name:" + digest


def _ip_key(environ: dict[str, Any]) -> str:
    return PREFIX + "ip:" + client_addresses.counting_key(client_address(environ))


# --- failures, locks, success ---------------------------------------------------------

def lock_seconds(count: int, threshold: int, first: int, cap: int) -> int:
    """How long the ``count``-th failure locks for (0 below the threshold)."""
    if count < threshold:
        return 0
    return min(cap, first * 2 ** min(count - threshold, _MAX_DOUBLINGS))


def record_failure(login: str, environ: dict[str, Any]) -> None:
    s = _settings()
    keys = [(_name_key(login), s["name"]), (_ip_key(environ), s["ip"])]
    redis = redis_connection()
    with redis.pipeline() as pipe:
        for key, _threshold in keys:
            pipe.incr(key)
            pipe.expire(key, s["window"])
        counts = pipe.execute()[::2]
    for (key, threshold), count in zip(keys, counts, strict=True):
        seconds = lock_seconds(int(count), threshold, s["lock"], s["max_lock"])
        if seconds:
            redis.set(key + ":lock", 1, ex=seconds)
            log.warning("login locked for %s s after %s failures (%s)", seconds, count,
                        "name" if key.startswith(PREFIX + "name:") else key[len(PREFIX):])


def locked_for(login: str, environ: dict[str, Any]) -> int:
    """Seconds until this name and address may try again (0: now)."""
    with redis_connection().pipeline() as pipe:
        pipe.pttl(_name_key(login) + ":lock")
        pipe.pttl(_ip_key(environ) + ":lock")
        milliseconds = pipe.execute()  # -2: no lock
    return max([0, *(math.ceil(int(ms) / 1000) for ms in milliseconds)])


def forget_name(login: str) -> None:
    redis_connection().delete(_name_key(login), _name_key(login) + ":lock")


def lock_message(seconds: int) -> str:
    if seconds < 60:
        return _("Too many failed logins. Please try again in {seconds} seconds.").format(
            seconds=seconds)
    return _("Too many failed logins. Please try again in {minutes} minutes.").format(
        minutes=math.ceil(seconds / 60))


# --- CKAN hooks (plugin.py) -----------------------------------------------------------

def check_login():
    """``IAuthenticator.login``: refuse a login POST while its name or address is locked."""
    request = tk.request
    if request.method != "POST":
        return None
    login = request.form.get("login") or ""
    try:
        seconds = locked_for(login, request.environ)
    except Exception:  # Redis down: do not lock everybody out
        log.exception("login throttle: Redis unavailable, login not throttled")
        return None
    if not seconds:
        return None
    tk.h.flash_error(lock_message(seconds))
    response = make_response(tk.render("user/login.html", {}), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def on_failed_login(sender: Any, **kwargs: Any) -> None:
    """``signals.failed_login``: the sender is the submitted login name (or e-mail)."""
    if not has_request_context():
        return
    try:
        record_failure(str(sender or ""), tk.request.environ)
    except Exception:
        log.exception("login throttle: Redis unavailable, failure not counted")


def on_logged_in(sender: Any, **kwargs: Any) -> None:
    """``signals.user_logged_in`` (flask-login's): forget the name's failures."""
    names = set()
    if has_request_context() and tk.request.endpoint == "user.login":
        names.add(tk.request.form.get("login") or "")
    user = kwargs.get("user")
    for attribute in ("name", "email"):
        value = getattr(user, attribute, None)
        if value:
            names.add(value)
    try:
        for name in names:
            forget_name(name)
    except Exception:
        log.exception("login throttle: Redis unavailable, failures not reset")


def signal_subscriptions() -> dict[Any, list[Any]]:
    return {
        tk.signals.failed_login: [on_failed_login],
        tk.signals.user_logged_in: [on_logged_in],
    }
