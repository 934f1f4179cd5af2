"""lib/client_address.py: the client's address behind trusted proxies (X-Forwarded-For
read right to left, believed only from a trusted peer), as the login throttle and the idea
box's rate limits both count it."""
from __future__ import annotations

import pytest
from ckanext.regionaliot.lib import client_address as ca

LOCAL = "127.0.0.1 ::1"


@pytest.mark.parametrize(("remote", "forwarded", "trusted", "expected"), [
    ("203.0.113.1", None, LOCAL, "203.0.113.1"),
    # An untrusted peer's header is its own claim: ignored.
    ("203.0.113.1", "1.2.3.4", LOCAL, "203.0.113.1"),
    ("203.0.113.1", "1.2.3.4", "", "203.0.113.1"),
    ("127.0.0.1", None, LOCAL, "127.0.0.1"),
    ("127.0.0.1", "", LOCAL, "127.0.0.1"),
    # Right to left: nginx appended the real client last; what the client wrote is left.
    ("127.0.0.1", "6.6.6.6, 198.51.100.5", LOCAL, "198.51.100.5"),
    # A second trusted hop is skipped; the first untrusted one is the client.
    ("127.0.0.1", "6.6.6.6, 198.51.100.5, 127.0.0.1", LOCAL, "198.51.100.5"),
    ("10.0.0.2", "198.51.100.5, 10.0.0.9", "10.0.0.0/8", "198.51.100.5"),
    # Only proxies all the way: the leftmost (the proxies' own client) is it.
    ("127.0.0.1", "127.0.0.1", LOCAL, "127.0.0.1"),
    # Garbage stops the walk at the last address that could be trusted.
    ("127.0.0.1", "garbage", LOCAL, "127.0.0.1"),
    ("127.0.0.1", "198.51.100.5, garbage", LOCAL, "127.0.0.1"),
    ("127.0.0.1", "198.51.100.5:4711", LOCAL, "198.51.100.5"),
    ("::1", "[2001:db8::7]:443", LOCAL, "2001:db8::7"),
    ("::ffff:203.0.113.3", None, LOCAL, "203.0.113.3"),
    ("::ffff:127.0.0.1", "198.51.100.8", LOCAL, "198.51.100.8"),
    # A bad entry in the setting is skipped, the good ones still count.
    ("172.18.0.5", "1.2.3.4, 198.51.100.9", "bogus 172.16.0.0/12", "198.51.100.9"),
    ("", "198.51.100.9", LOCAL, ca.UNKNOWN),
    (None, None, LOCAL, ca.UNKNOWN),
])
def test_resolve(remote, forwarded, trusted, expected):
    assert ca.resolve(remote, forwarded, trusted) == expected


def test_from_environ_reads_the_wsgi_keys():
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.5"}
    assert ca.from_environ(environ, LOCAL) == "198.51.100.5"
    assert ca.from_environ(environ, "") == "127.0.0.1"


@pytest.mark.parametrize(("address", "key"), [
    ("198.51.100.5", "198.51.100.5"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("unknown", "unknown"),
])
def test_counting_key_groups_ipv6_per_64(address, key):
    assert ca.counting_key(address) == key
