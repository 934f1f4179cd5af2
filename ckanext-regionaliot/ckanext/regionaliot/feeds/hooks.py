"""What the plugin's CKAN hooks do (plugin.py stays wiring only)."""
from __future__ import annotations

from typing import Any


def commands() -> list[Any]:
    """``feeds`` (ingest, simulate, seed) joins the core plugin's ``ckan regionaliot`` group."""
    from ckanext.regionaliot.cli import regionaliot

    from .cli import feeds

    regionaliot.add_command(feeds)
    return []
