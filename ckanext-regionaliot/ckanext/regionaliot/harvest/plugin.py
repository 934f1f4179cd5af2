"""``regionaliot_harvest``: what the portal's harvesters share (issue 11).

The harvesters are plugins of their own (ckanext-harvest finds them by IHarvester):
``regionaliot_ckan_api_harvester`` (ckan_api_harvester.py; CKAN portals and data eye's
/ckan_api/). They write datasets through importer.py (provenance, skip-unchanged,
withdrawal, hand-made datasets untouched); the pure fetching and mapping lives in
``regionaliot.harvesters``. This plugin declares the settings and carries the catalogue.
Needs ckanext-harvest's ``harvest`` plugin.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation


@tk.blanket.config_declarations
@tk.blanket.actions  # logic/action.py: only the harvester changes provenance fields
# DefaultTranslation: its own catalogue, i18n/<lang>/LC_MESSAGES/ckanext-regionaliot_harvest.po.
class RegionalIoTHarvestPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation, inherit=True)
