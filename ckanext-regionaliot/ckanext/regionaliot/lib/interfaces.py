"""Plugin interfaces of the portal, for feature plugins to implement.

CKAN-style (``ckan.plugins.interfaces.Interface``): a feature declares
``p.implements(INavigation)`` and the core plugin collects what every loaded feature
offers, so a feature appears in the site frame when it is in ``ckan.plugins`` and
disappears when it is not, without the core plugin knowing of it.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins.interfaces import Interface

# One tab: the arguments of CKAN's ``h.build_nav_main``, that is
# (endpoint, label[, blueprints that mark it active[, auth function that must allow it]]).
NavTab = tuple[Any, ...]


class INavigation(Interface):
    """Tabs of the portal's main navigation (the core plugin's header).

    The core header replaces CKAN's ``header_site_navigation_tabs`` block; it shows the
    core tabs (datasets, municipalities, categories), then every implementing plugin's tabs
    in ``ckan.plugins`` order, then the about page.
    """

    def navigation_tabs(self) -> list[NavTab]:
        """The plugin's tabs, e.g. ``[("regionaliot_ideas.index", tk._("Idea box"),
        ["regionaliot_ideas"])]``. Called for each page, inside the request, so labels are
        translated with ``tk._`` here (their ja in the plugin's own catalogue)."""
        return []


class IDatastoreRows(Interface):
    """The rows of a DataStore table changed (issue 9: one signal for every writer).

    ``regionaliot_datastore`` calls it after a successful ``datastore_create``, ``_upsert``,
    ``_delete``, ``_records_delete`` and ``_run_triggers``, and after xloader finished a
    load (``IXloader.after_upload``: its COPY writes rows outside the actions). Features that
    keep figures computed from rows subscribe here instead of chaining the DataStore's
    actions themselves, so neither side imports the other.
    """

    def datastore_rows_changed(self, resource_id: str) -> None:
        """Called after the rows were committed; an exception is logged, never raised to
        the writer (the rows are already written)."""
