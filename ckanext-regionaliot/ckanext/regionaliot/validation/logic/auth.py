"""Auth functions of the validation actions (registered by name via IAuthFunctions)."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk

__all__ = ["resource_validation_show", "resource_validation_run", "regionaliot_validate_upload"]


@tk.auth_allow_anonymous_access
def resource_validation_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever can see the resource can see its report."""
    return authz.is_authorized("resource_show", context, {"id": data_dict.get("id")})


def resource_validation_run(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever can edit the resource can have it validated again."""
    return authz.is_authorized("resource_update", context, {"id": data_dict.get("id")})


@tk.auth_allow_anonymous_access
def regionaliot_validate_upload(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The public "check my file" service: anyone, nothing is stored."""
    return {"success": True}
