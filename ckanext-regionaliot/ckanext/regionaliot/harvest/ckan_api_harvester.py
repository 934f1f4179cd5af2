"""Harvester ``regionaliot_ckan_api`` (plugin regionaliot_ckan_api_harvester): CKAN portals
(BODIK ODCS, municipalities' CKAN) and data eye's ``/ckan_api/``.

Only orchestration: the listing and the mapping are ``regionaliot.harvesters.ckan_api``
(pure), every request goes through ``sources.get_json`` (the fetch guard, timeouts, size
limit), and datasets are written by ``importer``. The gather stage streams the remote
datasets, maps them and queues only new or changed ones; a complete listing also queues the
withdrawal of the ones gone. Fetch has nothing left to do; import writes.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from regionaliot.harvesters import ckan_api

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.interfaces import IHarvester
from ckanext.regionaliot.lib.i18n import N_

from . import importer, sources

log = logging.getLogger(__name__)

NAME = "regionaliot_ckan_api"
FLUSH_EVERY = 200

MSG_LISTING = N_("The remote datasets could not all be listed ({error}); nothing was withdrawn.")
MSG_CONFIG = N_("The harvest source's configuration is not valid: {error}")


class RegionalIoTCKANAPIHarvester(HarvesterBase):
    p.implements(IHarvester)

    def info(self) -> dict[str, str]:
        return {
            "name": NAME,
            "title": tk._("CKAN API / data eye (regionaliot)"),
            "description": tk._("Datasets of a CKAN portal (BODIK ODCS and others) or of a "
                                "data eye site's /ckan_api/, mapped onto this portal's schema; "
                                "unchanged datasets are skipped and remote deletions withdrawn."),
            "form_config_interface": "Text",
        }

    def validate_config(self, config: str | None) -> str | None:
        try:
            ckan_api.Config.parse(config)
        except ckan_api.ConfigError as exc:  # shown on the source form: Japanese first
            raise ValueError(importer.stored_message(exc.msgid, **exc.params)) from None
        return config

    def get_original_url(self, harvest_object_id: str) -> str | None:
        return importer.original_url(harvest_object_id)

    def gather_stage(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        try:
            config = ckan_api.Config.parse(source.config, page_size=sources.page_size())
            endpoint = ckan_api.Endpoint.of(source.url, config.dialect)
        except ckan_api.ConfigError as exc:
            importer.gather_error(harvest_job, MSG_CONFIG, error=exc)
            return []
        state = importer.SourceState.load(source.id)
        members = importer.Members.load()
        owner = importer.source_owner(source)
        ids: list[str] = []
        complete = True
        pending = 0
        try:
            with sources.Fetcher() as fetcher:
                for remote in ckan_api.iter_datasets(endpoint, config, fetcher.get_json):
                    mapped = ckan_api.map_dataset(remote, endpoint, config)
                    if mapped.skip or not mapped.guid:
                        continue  # left out by the filters: withdrawn if harvested before
                    mapped.package["owner_org"] = members.resolve(
                        mapped.org_keys, config.organizations, default=owner)
                    ids += importer.queue(harvest_job, state, mapped.guid, mapped.package,
                                          url=mapped.url)
                    pending += 1
                    if pending >= FLUSH_EVERY:
                        importer.flush()
                        pending = 0
        except sources.FAILURES as exc:
            complete = False
            # A parser's error (msgid, params) is translated; a fetch failure is worded
            # by sources.py.
            error = exc if hasattr(exc, "msgid") else str(exc).rstrip(".")
            importer.gather_error(harvest_job, MSG_LISTING, error=error)
        importer.flush()
        if complete:
            ids += importer.queue_withdrawals(harvest_job, state)
            importer.flush()
        return ids

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True  # the gather stage stored the mapped dataset

    def import_stage(self, harvest_object: Any) -> bool | str:
        return importer.import_object(harvest_object)
