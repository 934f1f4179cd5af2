"""Login throttling (issue 15, item 9), through the real login form, counters in Redis db 1.

Probe family "login throttling": before the fix, 30 wrong passwords in 1.6 s, then the right
one worked at once.
"""
from __future__ import annotations

import re
import time

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckanext.regionaliot.security import throttle

# Integration tests (real form, Redis); the pure ones below need neither.
integration = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_throttle")

PASSWORD = "Correct-horse-42"
WRONG = "wrong-password-1"
BAD_LOGIN_JA = "ログイン失敗。ユーザ名かパスワードが違います。"  # CKAN's own, unchanged
KEY = "ckanext.regionaliot.security."


@pytest.fixture
def clean_throttle():
    redis = connect_to_redis()

    def clear():
        for key in redis.scan_iter(throttle.PREFIX + "*"):
            redis.delete(key)
    clear()
    yield
    clear()


@pytest.fixture
def user():
    return factories.User(password=PASSWORD)


@pytest.fixture
def fast_locks(monkeypatch, ckan_config):
    """Locks of 1 s doubling to 4 s, so a test can wait them out."""
    monkeypatch.setitem(ckan_config, KEY + "login_lock_seconds", 1)
    monkeypatch.setitem(ckan_config, KEY + "login_lock_max_seconds", 4)


def attempt(app, login: str, password: str, address: str = "127.0.0.1",
            forwarded: str | None = None):
    """One login through the form, as a fresh browser (token from the login page)."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    page = client.get("/user/login", environ_overrides=environ).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/user/login", data={"login": login, "password": password,
                                                "_csrf_token": token},
                           environ_overrides=environ, follow_redirects=False)
    response.logged_in = response.status_code == 302 and client.get(
        "/dashboard/datasets", environ_overrides=environ,
        follow_redirects=False).status_code == 200
    return response


def flash(response) -> str:
    match = re.search(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', response.body, re.S)
    assert match, "no message on the page"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).replace("×", "").strip()


def fail(app, login: str, times: int, **kwargs) -> None:
    for _ in range(times):
        response = attempt(app, login, WRONG, **kwargs)
        assert response.status_code == 200 and BAD_LOGIN_JA in flash(response)


# --- pure: no database, no app -------------------------------------------------------------

def test_lock_arithmetic():
    steps = [throttle.lock_seconds(n, 5, 30, 900) for n in range(1, 12)]
    assert steps == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert throttle.lock_seconds(10**6, 5, 30, 900) == 900


@pytest.mark.parametrize(("environ", "expected"), [
    ({"REMOTE_ADDR": "203.0.113.1"}, "203.0.113.1"),
    ({"REMOTE_ADDR": "203.0.113.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "203.0.113.1"),
    ({"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.5"},
     "198.51.100.5"),
    # A second trusted hop (127.0.0.1 behind 127.0.0.1) is skipped.
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.5, 127.0.0.1"},
     "198.51.100.5"),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "garbage"}, "127.0.0.1"),
    ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.5:4711"}, "198.51.100.5"),
    ({"REMOTE_ADDR": "::ffff:203.0.113.3"}, "203.0.113.3"),
    ({"REMOTE_ADDR": ""}, "unknown"),
])
def test_client_address(environ, expected):
    assert throttle.client_address(environ) == expected


def test_client_address_behind_a_proxy_network(monkeypatch, ckan_config):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.trusted_proxies", "127.0.0.1 172.16.0.0/12 bogus")
    environ = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.9"}
    assert throttle.client_address(environ) == "198.51.100.9"


# --- through the real login form --------------------------------------------------------

@integration
def test_failures_lock_the_name_even_for_the_right_password(app, user):
    fail(app, user["name"], 5)

    locked = attempt(app, user["name"], PASSWORD)
    assert locked.status_code == 429 and not locked.logged_in
    assert flash(locked) == (
        "ログインの失敗が続いたため、しばらくログインできません。30 秒後にもう一度お試しください。")
    assert 25 <= int(locked.headers["Retry-After"]) <= 30
    assert 'name="password"' in locked.body  # the login form, to try again later

    # The same lock in English.
    client = app.test_client()
    page = client.get("/en/user/login").body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    english = client.post("/en/user/login", data={"login": user["name"], "password": PASSWORD,
                                                  "_csrf_token": token},
                          follow_redirects=False)
    assert english.status_code == 429
    assert re.fullmatch(r"Too many failed logins\. Please try again in \d+ seconds\.",
                        flash(english))


@integration
def test_each_further_failure_doubles_a_short_lock_then_the_right_password_works(
        app, user, fast_locks, monkeypatch, ckan_config):
    monkeypatch.setitem(ckan_config, KEY + "login_lock_max_seconds", 2)
    fail(app, user["name"], 5)
    waits = []
    for _ in range(3):
        locked = attempt(app, user["name"], WRONG)
        assert locked.status_code == 429  # refused before any password check: not counted
        waits.append(int(locked.headers["Retry-After"]))
        time.sleep(waits[-1] + 0.2)
        fail(app, user["name"], 1)  # the next failure after the lock
    assert waits == [1, 2, 2]  # 1 s, doubled, capped at login_lock_max_seconds
    # The lock is short: once it is over, the real user gets in.
    assert attempt(app, user["name"], PASSWORD).status_code == 429
    time.sleep(2.2)
    assert attempt(app, user["name"], PASSWORD).logged_in


@integration
def test_unknown_names_are_counted_and_answered_alike_whatever_the_case(app, user):
    # No enumeration: the same messages, codes and lock for a name that does not exist as
    # for one that does.
    answers = {}
    for name in (user["name"], "nobody-by-this-name"):
        failures = [attempt(app, name, WRONG) for _ in range(4)]
        failures.append(attempt(app, f"  {name.upper()} ", WRONG))  # the same name
        locked = attempt(app, name, WRONG)
        answers[name] = ([(r.status_code, flash(r)) for r in failures],
                         (locked.status_code, flash(locked), locked.headers.get("Retry-After")))
    assert answers[user["name"]] == answers["nobody-by-this-name"]
    assert answers[user["name"]][1][0] == 429


@integration
def test_success_forgets_the_names_failures(app, user):
    fail(app, user["name"], 4)
    assert attempt(app, user["name"], PASSWORD).logged_in
    fail(app, user["name"], 4)  # would be the 8th failure without the reset: no lock
    assert attempt(app, user["name"], PASSWORD).logged_in


@integration
def test_addresses_are_locked_by_their_client_address(app, user, monkeypatch, ckan_config):
    monkeypatch.setitem(ckan_config, KEY + "login_ip_max_failures", 3)
    # Many names from one address (one failure each: no name reaches its own limit).
    for n in range(3):
        fail(app, f"guess-{n}", 1, address="203.0.113.7")
    assert attempt(app, user["name"], PASSWORD, address="203.0.113.7").status_code == 429
    # Direct requests rotating a forged X-Forwarded-For are still one address.
    for n in range(3):
        fail(app, f"forged-{n}", 1, address="203.0.113.9", forwarded=f"10.0.0.{n}")
    assert attempt(app, user["name"], PASSWORD, address="203.0.113.9",
                   forwarded="10.0.0.99").status_code == 429
    # Through the proxy (127.0.0.1): the client is the rightmost entry nginx appended, not
    # what the client wrote in front of it.
    for n in range(3):
        fail(app, f"proxied-{n}", 1, forwarded=f"192.0.2.{n}, 198.51.100.77")
    assert attempt(app, user["name"], PASSWORD, forwarded="192.0.2.200, 198.51.100.77") \
        .status_code == 429
    # IPv6 clients are counted per /64.
    for n in range(3):
        fail(app, f"v6-{n}", 1, address=f"2001:db8:1:2::{n + 1}")
    assert attempt(app, user["name"], PASSWORD, address="2001:db8:1:2::ffff").status_code == 429
    # Other addresses are not affected, and the user's name is not locked.
    assert attempt(app, user["name"], PASSWORD, forwarded="198.51.100.78").logged_in
    assert attempt(app, user["name"], PASSWORD, address="2001:db8:1:3::1").logged_in


@integration
def test_without_redis_logins_are_not_throttled(app, user, monkeypatch):
    def down():
        raise ConnectionError("redis is down")
    monkeypatch.setattr(throttle, "redis_connection", down)
    fail(app, user["name"], 6)
    assert attempt(app, user["name"], PASSWORD).logged_in
