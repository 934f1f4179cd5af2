"""Auth functions of the KPI actions (registered by name via IAuthFunctions)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["regionaliot_kpi_show", "regionaliot_kpi_history",
           "regionaliot_kpi_import_national", "regionaliot_kpi_snapshot"]


@tk.auth_allow_anonymous_access
def regionaliot_kpi_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Public figures, made from public datasets only."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def regionaliot_kpi_history(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return {"success": True}


def regionaliot_kpi_import_national(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Sysadmins only (they pass without this function being asked)."""
    return {"success": False}


def regionaliot_kpi_snapshot(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return {"success": False}
