"""ckanext-harvest's CKAN harvester, fetching through the guard (plugin regionaliot_ckan_harvester).

The stock ``ckan_harvester`` (1.6.3) fetches with ``requests.get(url)``: no address check, no
timeout, redirects followed, and the start of a non-JSON body copied into the job's error
report. This subclass keeps everything else and the harvester's name ``ckan``, so existing
sources keep working; it is loaded *instead of* ``ckan_harvester`` (never both: harvest
takes the first harvester of a name). Its one fetch point, ``_get_content`` (used by the
gather stage's search paging and by the import stage's group and organization lookups),
goes through ``lib.fetch.guarded_session``: public addresses only, checked at connect time
and on every redirect, a total time limit (``ckanext.regionaliot.security.fetch_deadline``)
and a size limit (``ckanext.regionaliot.security.harvest_max_bytes``). Error messages name
the problem, never the body.

It lives with the security feature, not with our own harvesters (regionaliot.harvesters),
because it is a guard over a stock component, like the xloader guard in ssrf.py.
"""
from __future__ import annotations

import json
import logging

import requests

from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError
from ckanext.regionaliot.lib import fetch
from ckanext.regionaliot.lib.i18n import N_

log = logging.getLogger(__name__)

MAX_BYTES_SETTING = "ckanext.regionaliot.security.harvest_max_bytes"
DEFAULT_MAX_BYTES = 50_000_000

MSG_TOO_LARGE = N_("The harvest source's answer is larger than {limit} bytes.")
MSG_NOT_JSON = N_("The harvest source did not answer with a JSON object.")


class GuardedCKANHarvester(CKANHarvester):
    """Harvests remote CKAN instances (harvester name ``ckan``), through the fetch guard."""

    def _get_content(self, url: str) -> str:
        config = self.config or {}
        headers = {}
        if config.get("user_agent"):
            headers["User-Agent"] = str(config["user_agent"])
        if config.get("api_key"):
            headers["Authorization"] = config["api_key"]  # requests drops it on another host
        limit = int(fetch.setting_float(MAX_BYTES_SETTING, DEFAULT_MAX_BYTES))
        session = fetch.guarded_session(user_agent="ckanext-regionaliot harvest",
                                        allow=fetch.harvest_allowed_hosts())
        try:
            with session.get(url, headers=headers, stream=True) as response:
                if response.status_code >= 400:
                    raise ContentFetchError(f"HTTP error: {response.status_code}")
                body, complete = fetch.read_capped(response, limit)
                encoding = response.encoding or "utf-8"
        except requests.RequestException as exc:
            error = fetch.download_error(exc)
            log.info("Harvest fetch of %s refused or failed: %s", url, error)
            raise ContentFetchError(str(error)) from None
        finally:
            session.close()
        if not complete:
            raise ContentFetchError(MSG_TOO_LARGE.format(limit=limit))
        text = body.decode(encoding, errors="replace")
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            # CKAN's harvester would copy the body into the job report (%r of the content).
            raise ContentFetchError(MSG_NOT_JSON)
        return text
