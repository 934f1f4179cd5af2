"""The figures of chart and map blocks, kept in Redis.

The key holds the block's settings and the version of every resource it reads (data.version:
id, last modification, DataStore or file), so a changed resource is computed afresh (the old
entry expires unread) and nothing needs deleting. Only figures are kept, never rows; who may
read a resource is checked before the cache is asked (resource_show as the reader).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from ckan.lib.redis import connect_to_redis

from ckanext.regionaliot.lib import config

from .aggregate import Result

log = logging.getLogger(__name__)
PREFIX = "regionaliot:stories:figures:"


def key(block: dict[str, Any], versions: Sequence[tuple]) -> str:
    text = json.dumps({"block": block, "versions": [list(v) for v in versions]},
                      sort_keys=True, ensure_ascii=False)
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def figures(block: dict[str, Any], versions: Sequence[tuple],
            compute: Callable[[], Result]) -> Result:
    """The cached figures, or computed and kept; Redis down: computed every time."""
    seconds = config.get_int("ckanext.regionaliot.stories.cache_seconds")
    if seconds <= 0:
        return compute()
    name = key(block, versions)
    try:
        redis = connect_to_redis()
        hit = redis.get(name)
    except Exception as e:  # noqa: BLE001 (any Redis failure: compute without the cache)
        log.warning("stories cache unavailable: %s", e)
        return compute()
    if hit:
        try:
            return Result.from_dict(json.loads(hit))
        except (ValueError, KeyError, TypeError):
            pass  # an entry of another shape: computed again and replaced
    result = compute()
    try:
        redis.setex(name, seconds, json.dumps(result.to_dict(), ensure_ascii=False))
    except Exception as e:  # noqa: BLE001
        log.warning("stories cache unavailable: %s", e)
    return result
