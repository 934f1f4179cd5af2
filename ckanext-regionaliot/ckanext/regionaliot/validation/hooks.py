"""What the validation plugin's CKAN hooks do (plugin.py only wires them)."""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import jobs, records, service

log = logging.getLogger(__name__)

# Marks a context whose nested package_update belongs to resource_create/update:
# the resource hooks validate that resource, the dataset hooks stay out of the way.
IN_RESOURCE_ACTION = "regionaliot_in_resource_action"


def commands() -> list[Any]:
    """``validate-all`` is added to the core plugin's ``ckan regionaliot`` group."""
    from ckanext.regionaliot.cli import regionaliot

    from .cli import validate_all

    regionaliot.add_command(validate_all)
    return []


def load_schemas() -> None:
    """At start-up: load the engine's schemas, so a broken file fails here, not in a request."""
    count = service.load_schemas()
    log.info("regionaliot_validation: %d standard schemas loaded", count)


def mark_resource_action(context: dict[str, Any]) -> None:
    context[IN_RESOURCE_ACTION] = True


def validate_resource(resource: dict[str, Any]) -> None:
    """After resource_create/update (committed): validate, or queue, the resource's file."""
    try:
        package = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                                {"id": resource["package_id"]})
        current = next((r for r in package["resources"] if r["id"] == resource["id"]), resource)
        outcome = records.ensure(current, package)
        if outcome.needs_job:
            jobs.enqueue_after_commit(outcome.record)
        changed = bool(model.Session.new or model.Session.dirty or model.Session.deleted)
        model.Session.commit()
    except Exception:
        # The resource is already saved: a validation problem must not fail the upload.
        model.Session.rollback()
        log.exception("Could not validate resource %s", resource.get("id"))
        return
    if changed:
        records.reindex(package["id"])


def validate_dataset(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """After package_create/update, inside its transaction (the index update at commit
    sees the result); links and large files are queued for when it commits."""
    if context.get(IN_RESOURCE_ACTION):
        return
    for resource in pkg_dict.get("resources") or []:
        if resource.get("id"):
            outcome = records.ensure(resource, pkg_dict)
            if outcome.needs_job:
                jobs.enqueue_after_commit(outcome.record)


def index_status(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset's worst validation status, as the plain Solr field validation_status."""
    # The index dict has lost its resources; the validated dict still has them.
    try:
        dataset = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        dataset = {}
    dataset.setdefault("id", pkg_dict.get("id"))
    pkg_dict["validation_status"] = records.dataset_status(dataset)
    return pkg_dict


def label_status_facet(search_results: dict[str, Any]) -> dict[str, Any]:
    facet = (search_results.get("search_facets") or {}).get("validation_status")
    if facet:
        from .helpers import validation_status_label

        for item in facet.get("items", []):
            item["display_name"] = validation_status_label(item["name"])
    return search_results
