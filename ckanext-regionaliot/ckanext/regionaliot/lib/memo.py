"""A small in-process cache with a time to live, for parts of public pages that cost a
query or a serialisation on every request (the dataset page's JSON-LD, the home page's
water levels).

Callers choose the key; whatever differs per reader (the user's rights, the language)
must be in it, or the caller must not cache for that reader at all. Each web worker
keeps its own copy, so an entry is at most ``ttl`` seconds old wherever it is served.
Pure: no CKAN.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

import cachetools


class Memo:
    def __init__(self, maxsize: int, ttl: float, timer: Callable[[], float] | None = None):
        kwargs = {"timer": timer} if timer else {}
        self._cache: cachetools.TTLCache = cachetools.TTLCache(maxsize, ttl, **kwargs)
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any],
            keep: Callable[[Any], bool] | None = None) -> Any:
        """The value kept for ``key``, else ``compute()``, kept unless it raises or
        ``keep(value)`` is false (an error notice is not worth keeping)."""
        with self._lock:
            try:
                return self._cache[key]
            except KeyError:
                pass
        value = compute()
        if keep is None or keep(value):
            with self._lock:
                self._cache[key] = value
        return value

    def values(self) -> list[Any]:
        """What is kept now (for tests and diagnostics)."""
        with self._lock:
            return list(self._cache.values())

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
