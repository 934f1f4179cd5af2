"""The snapshot as a background job (``ckan regionaliot kpi snapshot --queue`` from cron
runs it on the jobs worker instead of in the cron process)."""
from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk

from . import snapshots

log = logging.getLogger(__name__)

JOB_TITLE = "regionaliot KPI daily snapshot"


def take_snapshot() -> None:
    row = snapshots.take()
    log.info("KPI snapshot of %s: consortium %s%%", row.day, row.consortium_rate)


def enqueue() -> str:
    return tk.enqueue_job(take_snapshot, title=JOB_TITLE).id
