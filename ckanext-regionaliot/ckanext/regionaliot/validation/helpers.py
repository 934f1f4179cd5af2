"""Template helpers (registered by name via ITemplateHelpers)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from sqlalchemy.orm import defer

from . import records
from .model import ResourceValidation

__all__ = [
    "regionaliot_package_validations",
    "regionaliot_resource_validation",
    "regionaliot_validation_badge",
    "validation_status_label",
]


def validation_status_label(status: str) -> str:
    """Label of a dataset's validation status (the search facet's values)."""
    labels = {
        "success": tk._("Validated"),
        "warning": tk._("Validated with warnings"),
        "failure": tk._("Has errors"),
        "error": tk._("Could not be validated"),
        "pending": tk._("Validating"),
        "none": tk._("Not a standard format"),
    }
    return labels.get(status, status)


def regionaliot_resource_validation(resource_id: str) -> dict[str, Any] | None:
    """The resource's latest validation without findings, or None (none / not allowed)."""
    try:
        return tk.get_action("resource_validation_show")(
            {}, {"id": resource_id, "include_report": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def regionaliot_package_validations(pkg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The latest validation (without findings) of each file of a dataset the reader was
    shown, by resource id: one query for the whole dataset page instead of an action (auth,
    two lookups and the stored report) per file. The reader may see these resources: they
    came with ``pkg`` from package_show under the reader's rights."""
    ids = [r["id"] for r in pkg.get("resources") or [] if r.get("id")]
    if not ids:
        return {}
    rows = (ResourceValidation.query_for(ids)
            # The report (findings) is read only for an error's message parameters.
            .options(defer(ResourceValidation.report)).all())
    return {row.resource_id: records.show(row, with_report=False) for row in rows}


def regionaliot_validation_badge(validation: dict[str, Any]) -> dict[str, str]:
    """Text and CSS class of the status badge: 検証済 / エラー n件 / 警告 n件 / 検証中."""
    status = validation.get("status")
    if status in ("pending", "running"):
        return {"text": tk._("Validating"), "css": "bg-secondary"}
    if status == "failure":
        return {"text": tk._("{n} error(s)").format(n=validation.get("error_count", 0)),
                "css": "bg-danger"}
    if status == "error":
        return {"text": tk._("Could not be validated"), "css": "bg-dark"}
    if validation.get("warning_count"):
        return {"text": tk._("{n} warning(s)").format(n=validation["warning_count"]),
                "css": "bg-warning text-dark"}
    return {"text": tk._("Validated"), "css": "bg-success"}
