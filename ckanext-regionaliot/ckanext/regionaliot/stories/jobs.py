"""Figures computed again in the background when a table's rows change, so a reader
rarely waits for an aggregate query over a large table.

The DataStore's "rows changed" signal (lib.interfaces.IDatastoreRows, sent by
regionaliot_datastore) replaces the table's rows token (cache.rows_changed): the old
figures are no longer used. When a story reads the table, one job is queued per table
(a second signal while one is queued adds nothing) that computes every chart, map and key
figure block reading it, as the site user, into the same Redis entries readers use (the
key holds the block and the resource versions, not the reader; each reader's right to the
resource is checked before the cache is read). A reader who comes before the job has
finished computes the block as before.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.regionaliot.lib import config

from ..lib.charts.aggregate import AggregationError
from . import blocks as story_blocks
from . import cache, render
from .model import WITHDRAWN, Story

log = logging.getLogger(__name__)
QUEUED_PREFIX = "regionaliot:stories:refresh:"
QUEUED_SECONDS = 600  # a job lost with its worker lets the next signal queue again
JOB_TIMEOUT = 1800
KINDS = ("chart", "map", "figure")


def rows_changed(resource_id: str) -> None:
    """The subscriber of the signal: old figures out; the stories' figures queued."""
    cache.rows_changed(resource_id)
    if config_off() or not stories_reading(resource_id):
        return
    try:
        if not connect_to_redis().set(QUEUED_PREFIX + resource_id, "1", nx=True,
                                      ex=QUEUED_SECONDS):
            return  # already queued: it reads the rows when it runs
    except Exception as e:  # noqa: BLE001 (no Redis: no cache either, nothing to warm)
        log.warning("stories refresh not queued: %s", e)
        return
    tk.enqueue_job(refresh, [resource_id], title=f"regionaliot stories figures {resource_id}",
                   rq_kwargs={"timeout": JOB_TIMEOUT})


def config_off() -> bool:
    return config.get_int("ckanext.regionaliot.stories.cache_seconds") <= 0


def stories_reading(resource_id: str) -> list[Story]:
    """Stories (not withdrawn) whose blocks name the resource (the JSON holds it quoted)."""
    return (model.Session.query(Story)
            .filter(Story.state != WITHDRAWN,
                    Story.blocks.contains(json.dumps(resource_id)))
            .order_by(Story.id).all())


def blocks_reading(resource_id: str) -> list[dict[str, Any]]:
    """Each block (chart, map, figure) of those stories that reads the resource, once."""
    out: list[dict[str, Any]] = []
    for story in stories_reading(resource_id):
        try:
            parsed = json.loads(story.blocks or "[]")
        except ValueError:
            continue
        for block in parsed:
            if block.get("type") in KINDS and resource_id in story_blocks.resources([block]) \
                    and block not in out:
                out.append(block)
    return out


def refresh(resource_id: str) -> int:
    """The job: every block reading the resource computed into the cache; returns how many."""
    try:
        connect_to_redis().delete(QUEUED_PREFIX + resource_id)  # later signals queue again
    except Exception as e:  # noqa: BLE001
        log.warning("stories refresh: %s", e)
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site["name"]}
    done = 0
    for block in blocks_reading(resource_id):
        try:
            render.warm(dict(context), block)
            done += 1
        except AggregationError as e:
            log.info("stories refresh of %s: a block has no figures (%s)", resource_id,
                     e.msgid)
    model.Session.remove()
    return done
