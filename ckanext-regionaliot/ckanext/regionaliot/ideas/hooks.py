"""What the plugin's CKAN hooks do (plugin.py stays wiring only)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def commands() -> list[Any]:
    """``ideas-seed`` joins the core plugin's ``ckan regionaliot`` group."""
    from ckanext.regionaliot.cli import regionaliot

    from .cli import ideas_seed

    regionaliot.add_command(ideas_seed)
    return []


def navigation_tabs() -> list[tuple[Any, ...]]:
    """The header's tab for /ideas (lib/interfaces.INavigation)."""
    return [("regionaliot_ideas.index", tk._("Idea box"), ["regionaliot_ideas"])]
