"""The figures of chart and map blocks, kept in Redis.

The key holds the block's settings and the version of every resource it reads (data.version:
id, last modification, DataStore or file, and the DataStore rows' token), so a changed
resource is computed afresh (the old entry expires unread) and nothing needs deleting.

Rows written through the DataStore's actions or by xloader's COPY leave the resource's
metadata as it was; the DataStore's one "rows changed" signal (lib.interfaces.IDatastoreRows,
sent by regionaliot_datastore after the rows are committed; jobs.rows_changed) replaces
the resource's rows token instead. A token that is missing
(new, or lost with Redis) is created afresh, never read as "unchanged". Only figures are kept, never rows; who may
read a resource is checked before the cache is asked (resource_show as the reader).
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from ckan.lib.redis import connect_to_redis

from ckanext.regionaliot.lib import config

from ..lib.charts.aggregate import Result

log = logging.getLogger(__name__)
PREFIX = "regionaliot:stories:figures:"
ROWS_PREFIX = "regionaliot:stories:rows:"


def rows_token(resource_id: str) -> str:
    """The current token of a DataStore table's rows (Redis down: a new one each time, so
    nothing computed before is taken for current)."""
    name = ROWS_PREFIX + resource_id
    try:
        redis = connect_to_redis()
        token = redis.get(name)
        if token is None:
            redis.set(name, uuid.uuid4().hex, nx=True)
            token = redis.get(name)
    except Exception as e:  # noqa: BLE001
        log.warning("stories cache unavailable: %s", e)
        token = None
    if token is None:
        return uuid.uuid4().hex
    return token.decode() if isinstance(token, bytes) else str(token)


def rows_changed(resource_id: str) -> None:
    """A DataStore table's rows changed: figures computed from the old rows are not used."""
    try:
        connect_to_redis().set(ROWS_PREFIX + resource_id, uuid.uuid4().hex)
    except Exception as e:  # noqa: BLE001
        log.warning("stories cache unavailable: %s", e)


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
