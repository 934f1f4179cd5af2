"""Downloading one harvest source document (a DCAT catalogue page, an オープンデータ一覧) through
the portal's one fetch guard (lib/fetch.py): public addresses only, checked at connect time
and on every redirect, plus the exact ``host:port`` pairs of
``ckanext.regionaliot.harvest.allowed_hosts``; per-socket and total time limits and a size
limit from the regionaliot_harvest settings (config_declaration.yaml)."""
from __future__ import annotations

from ckanext.regionaliot.lib import fetch
from ckanext.regionaliot.lib.i18n import N_

TIMEOUT_SETTING = "ckanext.regionaliot.harvest.timeout"
DEADLINE_SETTING = "ckanext.regionaliot.harvest.deadline"
MAX_BYTES_SETTING = "ckanext.regionaliot.harvest.max_bytes"

MSG_TOO_LARGE = N_("The harvest source's answer is larger than {limit} bytes.")
MSG_FAILED = N_("The harvest source {url} could not be fetched: {reason}")


class SourceError(Exception):
    """The document was not fetched; ``msgid`` and ``params`` are recorded on the job
    (importer.gather_error: Japanese first), ``str()`` is the English text."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.msgid, self.params = msgid, params


def max_bytes() -> int:
    return int(fetch.setting_float(MAX_BYTES_SETTING, 50_000_000))


def download(url: str) -> fetch.Fetched:
    """The whole document at ``url`` in a temporary file (the caller calls ``.remove()``).

    Raises :class:`SourceError` for a refused, failed, non-200, slow or too large answer.
    """
    limit = max_bytes()
    try:
        got = fetch.fetch(url, limit=limit, timeout=fetch.setting_float(TIMEOUT_SETTING, 20.0),
                          total=fetch.setting_float(DEADLINE_SETTING, 120.0),
                          allow_private=False, allow=fetch.harvest_allowed_hosts())
    except fetch.DownloadError as exc:
        raise SourceError(MSG_FAILED, url=url[:300], reason=str(exc)) from None
    if not got.complete:
        got.remove()
        raise SourceError(MSG_TOO_LARGE, limit=limit)
    return got


def read(url: str) -> bytes:
    """The whole document at ``url`` as bytes (at most ``max_bytes()``)."""
    got = download(url)
    try:
        with open(got.path, "rb") as handle:
            return handle.read()
    finally:
        got.remove()
