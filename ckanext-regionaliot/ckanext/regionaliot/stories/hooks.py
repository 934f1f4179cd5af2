"""What the plugin's CKAN hooks do (plugin.py stays wiring only)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib.interfaces import NavTab

from . import jobs


def navigation_tabs() -> list[NavTab]:
    """The header's tab 「データから見えるもの」 (/stories)."""
    return [("regionaliot_stories.index", tk._("What the data shows"), ["regionaliot_stories"])]


def datastore_rows_changed(resource_id: str) -> None:
    jobs.rows_changed(resource_id)
