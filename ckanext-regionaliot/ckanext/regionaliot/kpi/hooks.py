"""What the KPI plugin's CKAN hooks do (plugin.py only wires them)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.regionaliot.cli import regionaliot

from .cli import kpi


def commands() -> list[Any]:
    """The ``kpi`` group is added to the core plugin's ``ckan regionaliot`` group."""
    regionaliot.add_command(kpi)
    return []


def navigation_tabs() -> list[tuple[Any, ...]]:
    """The header's tab for /kpi (lib/interfaces.INavigation)."""
    return [("regionaliot_kpi.index", tk._("Open data progress"), ["regionaliot_kpi"])]
