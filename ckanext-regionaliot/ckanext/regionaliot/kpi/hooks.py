"""What the KPI plugin's CKAN hooks do (plugin.py only wires them)."""
from __future__ import annotations

from typing import Any

from ckanext.regionaliot.cli import regionaliot

from .cli import kpi


def commands() -> list[Any]:
    """The ``kpi`` group is added to the core plugin's ``ckan regionaliot`` group."""
    regionaliot.add_command(kpi)
    return []
