"""Background jobs (run by ``ckan jobs worker`` on the default queue)."""
from __future__ import annotations

import logging
import time

import ckan.model as model
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

# The job may be queued inside the transaction that creates the resource.
WAIT_FOR_RESOURCE_SECONDS = 10


def _load(resource_id: str):
    deadline = time.monotonic() + WAIT_FOR_RESOURCE_SECONDS
    while True:
        resource = model.Resource.get(resource_id)
        if resource is not None or time.monotonic() >= deadline:
            return resource
        model.Session.remove()
        time.sleep(0.5)


def validate_resource(resource_id: str) -> None:
    """Validate a (large) resource's file and store the report; never raises for bad files."""
    from . import resource_validation
    from .model import ResourceValidation

    resource = _load(resource_id)
    if resource is None or resource.state != "active":
        log.info("Resource %s is gone; nothing to validate", resource_id)
        return
    context = {"ignore_auth": True, "use_cache": False}
    try:
        package = tk.get_action("package_show")(context, {"id": resource.package_id})
    except tk.ObjectNotFound:
        return
    resource_dict = next((r for r in package["resources"] if r["id"] == resource_id), None)
    if resource_dict is None:
        return
    record = ResourceValidation.get(resource_id)
    if record is not None and record.status == "pending":
        record.status = "running"  # visible to the resource page while the job works
        record.started = resource_validation._now()
        model.Session.commit()
    try:
        resource_validation.ensure(resource_dict, package, background=True)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        log.exception("Validation job for resource %s failed", resource_id)
        record = ResourceValidation.get(resource_id)
        if record is not None:
            resource_validation._set_error(
                record, resource_validation.N_(
                    "Validation stopped because of an internal problem. "
                    "Try again later or contact the portal administrators."))
            model.Session.commit()
    resource_validation.reindex(package["id"])
