"""``regionaliot_kpi``: progress toward 「オープンデータに取り組む自治体 100%」 (issue 11).

Per member and for the consortium: engaged or not and why, open datasets, coverage and
validation of the standard datasets, a 0–100 score (figures.py, from what the portal holds;
the arithmetic is regionaliot.harvesters.kpi); the country from デジタル庁's list
(national.py); daily snapshots (snapshots.py, jobs.py, model.py, migration/regionaliot_kpi).
Shown by actions (logic/), the page /kpi and its CSV (views.py), a home-page ribbon
snippet, and ``ckan regionaliot kpi`` (cli.py). Needs the core plugin ``regionaliot``.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.regionaliot.lib.interfaces import INavigation

from . import hooks


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
# DefaultTranslation: its own catalogue, i18n/<lang>/LC_MESSAGES/ckanext-regionaliot_kpi.po.
class RegionalIoTKPIPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(INavigation)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IClick: ``ckan regionaliot kpi ...`` joins the core plugin's command group.
    def get_commands(self):
        return hooks.commands()

    # INavigation: its tab in the portal's header
    def navigation_tabs(self):
        return hooks.navigation_tabs()
