"""What the plugin's CKAN hooks do (plugin.py stays wiring only)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib.interfaces import NavTab


def navigation_tabs() -> list[NavTab]:
    """The header's tab 「データから見えるもの」 (/stories)."""
    return [("regionaliot_stories.index", tk._("What the data shows"), ["regionaliot_stories"])]
