"""The one "rows changed" signal of DataStore tables (lib.interfaces.IDatastoreRows).

Sent after the DataStore's writing actions (logic/action.py, chained) and after xloader's
load (plugin.after_upload): xloader creates the table through ``datastore_create`` and then
writes the rows by COPY, outside every action, so only its after-load hook sees them.
"""
from __future__ import annotations

import logging

import ckan.plugins as p

from ckanext.regionaliot.lib.interfaces import IDatastoreRows

log = logging.getLogger(__name__)


def changed(resource_id: str) -> None:
    """Tell every subscriber; one subscriber's failure never fails the committed write."""
    for plugin in p.PluginImplementations(IDatastoreRows):
        try:
            plugin.datastore_rows_changed(resource_id)
        except Exception:  # noqa: BLE001 (the rows are written: log, go on)
            log.exception("IDatastoreRows subscriber %s failed for %s", plugin, resource_id)
