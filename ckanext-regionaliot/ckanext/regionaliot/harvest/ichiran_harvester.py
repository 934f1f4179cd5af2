"""オープンデータ一覧 harvester (plugin ``regionaliot_ichiran_harvester``, harvester ``regionaliot_ichiran``).

The source URL is a member's 一覧 (standard dataset 14_オープンデータ一覧: CSV, TSV or xlsx
in any encoding the validator reads). The gather stage fetches it through the fetch guard
(download.py), reads it with ``regionaliot.harvesters.ichiran`` (the validation engine's
reader) and queues one dataset per row, with the row's URL as its one link resource,
through the shared importer (importer.py): unchanged rows are skipped, rows gone from a list
that was read whole are withdrawn (kept private, never purged), hand-made datasets are never
touched. Each bad row is named by line in the job's errors and skipped. Linked standard
datasets are validated by the validation plugin's background job, never here.

Source configuration (JSON, all optional)::

    {"lg_code": "332020", "organizations": {"<団体コード>": "<local org>"},
     "default_license": "cc-by-4.0"}

``lg_code``: the code of rows that leave it empty (default: the source organization's);
``default_license``: for rows without ライセンス (without it such rows are skipped: the
portal never guesses a licence).
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
from regionaliot.harvesters import common, ichiran
from regionaliot.validation import lgcode

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.regionaliot.harvest import download, importer
from ckanext.regionaliot.lib.i18n import N_

log = logging.getLogger(__name__)

MAX_REPORTED = 50  # row problems recorded per job; a summary line says how many more

MSG_NO_LICENCE = N_("Row {line}: no ライセンス and no default_license in the source "
                    "configuration; the row was skipped.")
MSG_NO_OWNER = N_("Row {line}: no organization for 団体コード {code}; the row was skipped.")
MSG_MORE = N_("{count} more rows had problems.")
MSG_LIST = N_("The open data list {url} was not read: {reason}")
MSG_CONFIG = N_("Harvest source configuration: {error}")


def _check_config(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("The configuration must be a JSON object")
    code = value.get("lg_code")
    if code is not None and not (isinstance(code, str) and lgcode.is_valid(code)):
        raise ValueError("lg_code must be a 6-digit 全国地方公共団体コード with its check digit")
    orgs = value.get("organizations")
    if orgs is not None and not (isinstance(orgs, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in orgs.items())):
        raise ValueError("organizations must be an object of strings")
    licence = value.get("default_license")
    if licence is not None and licence not in set(common.LICENCES.values()):
        raise ValueError("default_license must be one of " +
                         ", ".join(sorted(set(common.LICENCES.values()))))
    return value


def _config(source: Any) -> dict[str, Any]:
    try:
        return _check_config(json.loads(source.config) if source.config else {})
    except ValueError:
        raise
    except Exception as exc:  # not JSON at all
        raise ValueError(str(exc)) from None


def package_for(entry: ichiran.Entry, licence: str, owner: str) -> dict[str, Any]:
    """One row as a dataset of our schema with one link resource."""
    notes = "\n\n".join(part for part in (entry.notes, entry.remarks) if part)
    resource: dict[str, Any] = {"url": entry.url, "name": entry.title[:300],
                                "format": entry.formats[0] if entry.formats else ""}
    if entry.updated:
        resource["last_modified"] = entry.updated
    package: dict[str, Any] = {
        "name": entry.name, "title": entry.title[:300], "notes": notes, "owner_org": owner,
        "license_id": licence, "url": entry.url,
        "standard_dataset": common.standard_dataset(title=entry.title),
        "resources": [resource],
    }
    if entry.category:
        package["category"] = entry.category
    if entry.frequency:
        package["frequency"] = entry.frequency
    return package


class RegionalIoTIchiranHarvester(HarvesterBase):
    """A member's オープンデータ一覧 → one dataset per row."""

    def info(self) -> dict[str, str]:
        return {
            "name": "regionaliot_ichiran",
            "title": "オープンデータ一覧 (14_オープンデータ一覧 CSV)",
            "description": "A member's open data list (standard dataset 14): one dataset per "
                           "row with a link resource",
        }

    def validate_config(self, config: str | None) -> str | None:
        if config:
            try:
                _check_config(json.loads(config))
            except json.JSONDecodeError as exc:
                raise ValueError(f"Not JSON: {exc}") from None
        return config

    def gather_stage(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        try:
            config = _config(source)
        except ValueError as exc:
            importer.gather_error(harvest_job, MSG_CONFIG, error=exc)
            return []
        default_org = importer.source_owner(source)
        members = importer.Members.load()
        default_code = config.get("lg_code") or self._org_code(default_org)
        try:
            got = download.download(source.url)
        except download.SourceError as exc:
            importer.gather_error(harvest_job, exc.msgid, **exc.params)
            return []
        try:
            result = ichiran.parse_list(got.path, lg_code=default_code)
        except ichiran.ListError as exc:
            importer.gather_error(harvest_job, MSG_LIST, url=source.url[:300], reason=exc)
            return []
        finally:
            got.remove()
        problems: list[tuple[str, dict[str, Any]]] = [(p.msgid, p.fields) for p in result.problems]
        state = importer.SourceState.load(source.id)
        ids: list[str] = []
        licence_default = config.get("default_license")
        for number, entry in enumerate(result.entries, 1):
            state.seen.add(entry.guid)
            licence = entry.license_id or (None if entry.license_text else licence_default)
            if not licence:
                if not entry.license_text:  # an unknown licence is already a problem
                    problems.append((MSG_NO_LICENCE, {"line": entry.line}))
                continue
            owner = members.resolve([entry.lg_code], config.get("organizations"),
                                    default=default_org)
            if not owner:
                problems.append((MSG_NO_OWNER, {"line": entry.line, "code": entry.lg_code}))
                continue
            ids += importer.queue(harvest_job, state, entry.guid,
                                  package_for(entry, licence, owner), url=source.url)
            if number % 200 == 0:
                importer.flush()  # bounded memory: queued objects leave the session
        for msgid, params in problems[:MAX_REPORTED]:
            importer.gather_error(harvest_job, msgid, **params)
        if len(problems) > MAX_REPORTED:
            importer.gather_error(harvest_job, MSG_MORE, count=len(problems) - MAX_REPORTED)
        # The list was read whole: rows no longer in it are withdrawn.
        ids += importer.queue_withdrawals(harvest_job, state)
        importer.flush()
        return ids

    @staticmethod
    def _org_code(org_id: str | None) -> str | None:
        if not org_id:
            return None
        group = model.Group.get(org_id)
        return (group.extras or {}).get("lg_code") if group else None

    def get_original_url(self, harvest_object_id: str) -> str | None:
        return importer.original_url(harvest_object_id)

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True  # the gather stage stored each row

    def import_stage(self, harvest_object: Any) -> bool | str:
        return importer.import_object(harvest_object)
