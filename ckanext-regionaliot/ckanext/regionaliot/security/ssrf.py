"""The stock extensions' server-side fetches of user-supplied URLs go through lib/fetch's guard.

- **xloader 2.5.2** downloads a resource's link itself: ``ckanext.xloader.jobs.get_response``
  is a module-level ``requests.get`` with no address check, and ``_download_resource_data``
  looks it up as a global at call time. :func:`install_xloader_guard` (called from the
  plugin's ``configure``, so in the web processes and in ``ckan jobs worker``, whose
  work-horses are forked from it) replaces it with :func:`guarded_get_response`, same
  signature. This is not a documented xloader API: the startup check below and
  tests/security/test_ssrf.py pin it, so an xloader upgrade that changes it fails loudly
  instead of silently fetching unguarded. Only a request that carries xloader's API token
  (an *uploaded* file, whose URL CKAN always builds on the site) may reach the site itself,
  at exactly the ``host:port`` of ``ckanext.xloader.site_url``; a link never does.
  :func:`can_upload` (IXloader) refuses hostile links early, when the job is submitted.
- **Harvest sources** are checked when created or updated (:func:`check_harvest_source_url`,
  used by the chained ``package_create``/``package_update``); the CKAN harvester fetches
  through the guard (ckan_harvester.py).
"""
from __future__ import annotations

import inspect
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import requests

from ckanext.regionaliot.lib import fetch
from ckanext.regionaliot.lib.i18n import N_

log = logging.getLogger(__name__)

XLOADER_DEADLINE_SETTING = "ckanext.regionaliot.security.xloader_fetch_deadline"
XLOADER_DEFAULT_DEADLINE = 1800.0

# The xloader function we replace, as it is in the pinned 2.5.2.
XLOADER_GET_RESPONSE_PARAMETERS = ("url", "headers")

MSG_HARVEST_SCHEME = N_("A harvest source URL must start with http:// or https://.")
MSG_HARVEST_PRIVATE = N_("The harvest source URL points to a private or local network "
                         "address, which the portal does not harvest.")
MSG_HARVEST_UNRESOLVED = N_("The host name of the harvest source URL could not be resolved.")

_xloader_original: Any = None  # xloader's own get_response, once replaced


# ---------------------------------------------------------------- xloader


class XloaderIncompatible(RuntimeError):
    """The installed xloader no longer fetches the way the guard expects."""


def check_xloader_contract(jobs: Any) -> None:
    """Raise XloaderIncompatible unless ``jobs`` fetches through ``get_response(url, headers)``."""
    original = _xloader_original or jobs.get_response
    parameters = tuple(inspect.signature(original).parameters)
    if parameters != XLOADER_GET_RESPONSE_PARAMETERS:
        raise XloaderIncompatible(
            f"ckanext.xloader.jobs.get_response{parameters} is not get_response(url, headers): "
            "the SSRF guard cannot be installed; see security/ssrf.py")
    if "get_response" not in jobs._download_resource_data.__code__.co_names:
        raise XloaderIncompatible(
            "ckanext.xloader.jobs._download_resource_data no longer calls get_response: "
            "the SSRF guard cannot be installed; see security/ssrf.py")


def install_xloader_guard() -> bool:
    """Route xloader's downloads through the guard; False if xloader is not installed."""
    global _xloader_original
    try:
        from ckanext.xloader import jobs
    except ImportError:
        return False
    if jobs.get_response is guarded_get_response:
        return True
    check_xloader_contract(jobs)  # refuse to start rather than fetch unguarded
    _xloader_original = jobs.get_response
    jobs.get_response = guarded_get_response
    log.debug("xloader downloads go through the fetch guard")
    return True


def xloader_site() -> tuple[str, int] | None:
    """``(host, port)`` where xloader fetches uploads (``ckanext.xloader.site_url``)."""
    url = tk.config.get("ckanext.xloader.site_url") or tk.config.get("ckan.site_url")
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def guarded_get_response(url: str, headers: dict[str, str]) -> requests.Response:
    """``ckanext.xloader.jobs.get_response`` (2.5.2) through the guard, with a total limit.

    Like the original: streams, follows redirects (each hop checked), waits and retries
    while the server answers 202, raises ``requests.HTTPError`` for an error status. A
    refusal raises :class:`fetch.Refused`, a ``requests.RequestException`` that xloader
    reports as the job's error and does not retry. ``ckan.download_proxy`` is not used:
    the guard must see the address it connects to.
    """
    from ckanext.xloader import jobs

    allow: list[tuple[str, int]] = []
    token_header = jobs.apitoken_header_name or "Authorization"
    if token_header in headers and (site := xloader_site()):
        allow.append(site)  # an upload: the site itself, exactly, and nothing else
    verify = True if jobs.ssl_verify is None else jobs.ssl_verify
    end = time.monotonic() + fetch.setting_float(XLOADER_DEADLINE_SETTING,
                                                 XLOADER_DEFAULT_DEADLINE)

    def attempt() -> requests.Response:
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise requests.Timeout(fetch.MSG_TIMEOUT)
        session = fetch.guarded_session(total=remaining, connect=jobs.DOWNLOAD_TIMEOUT,
                                        read=jobs.DOWNLOAD_TIMEOUT, allow=allow,
                                        user_agent="ckanext-regionaliot xloader")
        return session.get(url, headers=headers, stream=True, verify=verify)

    response = attempt()
    wait = 1
    while wait < 120 and response.status_code == 202:  # still processing (as xloader does)
        response.close()
        time.sleep(min(wait, max(0.0, end - time.monotonic())))
        response = attempt()
        wait *= 3
    try:
        response.raise_for_status()
    except requests.HTTPError:
        response.close()
        raise
    return response


def can_upload(resource_id: str) -> bool:
    """IXloader: refuse, at submit time, a link the guard would refuse anyway."""
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return True  # xloader decides what to do with a missing resource
    if resource.get("url_type"):
        return True  # an upload (or a DataStore table): served by the site itself
    try:
        fetch.check_url(resource.get("url") or "", allow_private=False)
    except fetch.DownloadError as exc:
        log.info("xloader: not submitting resource %s: %s", resource_id, exc)
        return False
    return True


# ---------------------------------------------------------------- harvest sources

_HARVEST_MESSAGES = {
    fetch.MSG_SCHEME: MSG_HARVEST_SCHEME,
    fetch.MSG_PRIVATE: MSG_HARVEST_PRIVATE,
    fetch.MSG_UNRESOLVED: MSG_HARVEST_UNRESOLVED,
}


def check_harvest_source_url(url: Any) -> None:
    """Raise ValidationError({"url": [...]}) unless ``url`` is http(s) to a public host."""
    try:
        fetch.check_url(url if isinstance(url, str) else "", allow_private=False,
                        allow=fetch.harvest_allowed_hosts())
    except fetch.DownloadError as exc:
        message = _HARVEST_MESSAGES.get(exc.msgid, MSG_HARVEST_PRIVATE)
        raise tk.ValidationError({"url": [tk._(message)]}) from None
