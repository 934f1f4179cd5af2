"""Fetching from harvest sources: JSON over the fetch guard (lib/fetch.py), with this
feature's timeouts, size limit and allow-list. Every failure is one :class:`FetchFailed`
whose message names the problem, never the body."""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import requests
from regionaliot.harvesters.ckan_api import SourceError

from ckanext.regionaliot.lib import config, fetch
from ckanext.regionaliot.lib.i18n import N_

log = logging.getLogger(__name__)

TIMEOUT = "ckanext.regionaliot.harvest.timeout"
DEADLINE = "ckanext.regionaliot.harvest.deadline"
MAX_BYTES = "ckanext.regionaliot.harvest.max_bytes"
PAGE_SIZE = "ckanext.regionaliot.harvest.page_size"

MSG_STATUS = N_("{url} answered with HTTP status {status}.")
MSG_TOO_LARGE = N_("{url} answered with more than {limit} bytes.")
MSG_NOT_JSON = N_("{url} did not answer with JSON.")
MSG_FETCH = N_("{url}: {reason}")


class FetchFailed(Exception):
    """A source could not be read; ``str()`` is a message for the harvest report."""


def _int(key: str, default: int) -> int:
    try:
        return config.get_int(key)
    except (TypeError, ValueError, RuntimeError):
        return default


def page_size() -> int:
    return _int(PAGE_SIZE, 500)


class Fetcher:
    """One guarded session for a gather stage: ``with Fetcher() as f: f.get_json(url, params)``."""

    def __init__(self) -> None:
        timeout = _int(TIMEOUT, 20)
        self.limit = _int(MAX_BYTES, 50_000_000)
        self.session = fetch.guarded_session(
            total=_int(DEADLINE, 120), connect=timeout, read=timeout, allow=fetch.harvest_allowed_hosts(),
            user_agent="ckanext-regionaliot harvest")

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.session.close()

    def get_json(self, url: str, params: Mapping[str, Any]) -> Any:
        shown = url.split("?")[0]
        try:
            with self.session.get(url, params=dict(params), stream=True,
                                  headers={"Accept": "application/json"}) as response:
                if response.status_code >= 400:
                    raise FetchFailed(MSG_STATUS.format(url=shown, status=response.status_code))
                body, complete = fetch.read_capped(response, self.limit)
        except requests.RequestException as exc:
            error = fetch.download_error(exc)
            log.info("Harvest fetch of %s failed: %s", url, error)
            raise FetchFailed(MSG_FETCH.format(url=shown, reason=error)) from None
        if not complete:
            raise FetchFailed(MSG_TOO_LARGE.format(url=shown, limit=self.limit))
        try:
            return json.loads(body)
        except ValueError:
            raise FetchFailed(MSG_NOT_JSON.format(url=shown)) from None


# What a gather stage catches: the source could not be fetched, or its answers are not an API's.
FAILURES = (FetchFailed, SourceError)
