"""lib/memo.py: values kept for their time to live, per key, failures not kept."""
from __future__ import annotations

from ckanext.regionaliot.lib.memo import Memo


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_kept_per_key_until_the_ttl_then_computed_again():
    clock, calls = Clock(), []
    memo = Memo(maxsize=8, ttl=10, timer=clock)

    def compute(value):
        calls.append(value)
        return value

    assert memo.get(("a", "ja"), lambda: compute(1)) == 1
    assert memo.get(("a", "ja"), lambda: compute(2)) == 1
    assert memo.get(("a", "en"), lambda: compute(3)) == 3  # another key: its own value
    clock.now = 10.5
    assert memo.get(("a", "ja"), lambda: compute(4)) == 4
    assert calls == [1, 3, 4]


def test_a_value_refused_by_keep_is_not_kept():
    memo = Memo(maxsize=1, ttl=60, timer=Clock())
    assert memo.get("k", lambda: {"ok": False}, keep=lambda v: v["ok"]) == {"ok": False}
    assert memo.get("k", lambda: {"ok": True}, keep=lambda v: v["ok"]) == {"ok": True}
    assert memo.get("k", lambda: {"ok": False}) == {"ok": True}
