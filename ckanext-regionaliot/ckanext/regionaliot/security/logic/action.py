"""Chained actions closing holes in stock actions (registered by name via IActions)."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk


class _Exports(list):
    """``__all__``: CKAN's blanket reads it each time it collects the actions (after every
    plugin is loaded), and refuses a chained action whose parent is missing. So a chain of
    another plugin's action is exported only while that plugin is loaded."""

    needs = {"harvest_job_create": "harvest"}

    def __iter__(self):
        for name in list(super().__iter__()):
            plugin = self.needs.get(name)
            if plugin is None or p.plugin_loaded(plugin):
                yield name


__all__: list[str] = _Exports()

log = logging.getLogger(__name__)
_ = tk._


# --- harvest_job_create: "a job is already queued" is the user's answer, not a 500 -------
# ckanext-harvest 1.6.3 raises HarvestJobExists / HarvestSourceInactiveError, plain
# Exceptions, which the Action API turns into 500 (not reported upstream as of 1.6.3).
# Re-raised as a ValidationError (API: 409) that is still the harvest exception, so
# harvest's own callers (the Refresh view, the CLI) keep catching it.


def _harvest_refusal(exception_class: type, field: str, message: str) -> Exception:
    class Refused(tk.ValidationError, exception_class):  # type: ignore[misc,valid-type]
        pass

    return Refused({field: [message]})


@tk.chained_action
def harvest_job_create(up_func, context: Any, data_dict: dict[str, Any]):
    from ckanext.harvest.logic import HarvestJobExists, HarvestSourceInactiveError

    if not isinstance(data_dict, dict) or not data_dict.get("source_id"):
        raise tk.ValidationError({"source_id": [_("Missing value")]})
    try:
        return up_func(context, data_dict)
    except tk.ValidationError:
        raise
    except HarvestJobExists:
        raise _harvest_refusal(HarvestJobExists, "source_id", _(
            "A harvest job is already waiting or running for this source; "
            "wait for it to finish.")) from None
    except HarvestSourceInactiveError:
        raise _harvest_refusal(HarvestSourceInactiveError, "source_id", _(
            "This harvest source is inactive: make it active before harvesting.")) from None


__all__.append("harvest_job_create")  # only while harvest is loaded (_Exports)


# --- dataset_purge: a purge removes what the dataset's resources stored -----------------
# CKAN's dataset_purge deletes the database rows only: uploaded files stay in the
# filestore and DataStore tables of its resources stay in the DataStore database. Here a
# purge also removes, for every resource the dataset ever had (active and deleted): the
# uploaded file, and the DataStore table. A resource_delete or package_delete keeps both
# (CKAN's soft delete: restorable; deleted resources are never served). SECURITY.md,
# "Data removal".


def _stored_file(resource_id: str) -> str | None:
    """Where CKAN's filestore keeps a resource's upload (the path depends on the id only)."""
    from ckan.lib import uploader

    upload = uploader.get_resource_uploader({"id": resource_id, "url_type": "upload", "url": ""})
    if not getattr(upload, "storage_path", None):
        return None
    return upload.get_path(resource_id)


def _drop_datastore_tables(resource_ids: list[str]) -> None:
    if not p.plugin_loaded("datastore"):
        return
    from ckanext.datastore.backend import DatastoreBackend

    backend = DatastoreBackend.get_active_backend()
    for resource_id in resource_ids:
        if backend.resource_exists(resource_id):
            backend.delete({"ignore_auth": True}, {"resource_id": resource_id})
            log.info("Purge: dropped the DataStore table of resource %s", resource_id)


def _remove_files(paths: list[str]) -> None:
    import os

    for path in paths:
        try:
            os.remove(path)
            log.info("Purge: removed %s", path)
        except FileNotFoundError:
            continue
        except OSError:
            log.exception("Purge: could not remove %s", path)
            continue
        # CKAN's <id[0:3]>/<id[3:6]> directories, if this was their last file.
        for directory in (os.path.dirname(path), os.path.dirname(os.path.dirname(path))):
            try:
                os.rmdir(directory)
            except OSError:
                break


@tk.chained_action
def dataset_purge(up_func, context: Any, data_dict: dict[str, Any]):
    import ckan.model as model

    package = model.Package.get(data_dict.get("id") or "") if isinstance(data_dict, dict) else None
    if package is None:
        return up_func(context, data_dict)  # CKAN answers the missing id / unknown dataset
    tk.check_access("dataset_purge", context, data_dict)  # nothing is removed for others
    resource_ids = [row[0] for row in model.Session.query(model.Resource.id)
                    .filter(model.Resource.package_id == package.id)]
    paths = [path for path in map(_stored_file, resource_ids) if path]
    _drop_datastore_tables(resource_ids)
    result = up_func(context, data_dict)
    _remove_files(paths)  # after the rows are gone: a failed purge keeps its files
    return result


__all__.append("dataset_purge")


# --- package_create / package_update: harvest sources point at public http(s) hosts -----
# (issue 15, item 7.) The harvest source form and harvest_source_create/_update/_patch all
# end in package_create/package_update with type "harvest"; the harvest plugin's own URL
# validators cannot be extended. An early refusal on the form's URL field: the CKAN
# harvester's fetches are guarded at connect time as well (ckan_harvester.py).


def _is_harvest_source(data_dict: dict[str, Any]) -> bool:
    if data_dict.get("type") == "harvest":
        return True
    import ckan.model as model

    ref = data_dict.get("id") or data_dict.get("name")
    package = model.Package.get(ref) if isinstance(ref, str) and ref else None
    return package is not None and package.type == "harvest"


@tk.chained_action
def package_create(up_func, context: Any, data_dict: dict[str, Any]):
    from .. import ssrf

    if isinstance(data_dict, dict) and data_dict.get("type") == "harvest":
        ssrf.check_harvest_source_url(data_dict.get("url"))
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func, context: Any, data_dict: dict[str, Any]):
    from .. import ssrf

    if isinstance(data_dict, dict) and "url" in data_dict and _is_harvest_source(data_dict):
        ssrf.check_harvest_source_url(data_dict.get("url"))
    return up_func(context, data_dict)


__all__ += ["package_create", "package_update"]
