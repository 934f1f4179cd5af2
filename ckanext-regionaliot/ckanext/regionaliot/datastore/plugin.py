"""``regionaliot_datastore``: DataStore tables that hackathons can use (issue 8).

Typed columns for validated standard files and substring search for Japanese (hooks.py,
columns.py, jpsearch.py), the table preview's search for Japanese (views.py), and our
own 「データAPI」 box with this resource's examples (helpers.py, templates/), the data of
the map and chart views (viewdata.py; the views themselves are the plugins
``regionaliot_map_view`` and ``regionaliot_chart_view`` in viewplugins.py) and the
hackathon page (hackathon.py, /hackathon).
Load it after ``datastore`` (that plugin must be the first IDatastore one) and before
``datatables_view`` (its preview search URL is answered here first).
"""
from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.datastore.interfaces import IDatastore
from ckanext.xloader.interfaces import IXloader

from . import cli, hooks, rows, total


@tk.blanket.actions
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.config_declarations
# DefaultTranslation: its own catalogue, i18n/<lang>/LC_MESSAGES/ckanext-regionaliot_datastore.po.
class RegionalIoTDatastorePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IConfigurer)
    p.implements(IXloader, inherit=True)
    p.implements(IDatastore, inherit=True)
    p.implements(p.IClick)

    # IClick: ``ckan regionaliot datastore-triggers`` joins the core plugin's group.
    def get_commands(self):
        return cli.commands()

    # IConfigurer
    def update_config(self, config):
        # First in the template path, before the datastore plugin's own api_info.html
        # (add_template_directory appends, and this plugin loads after datastore).
        here = os.path.join(os.path.dirname(__file__), "templates")
        paths = [p for p in (config.get("extra_template_paths") or "").split(",") if p]
        config["extra_template_paths"] = ",".join([here] + [p for p in paths if p != here])
        # The map view's Leaflet and marker clustering (from npm, see deploy/stack.sh).
        tk.add_resource("assets", "regionaliot_datastore")

    # IXloader: the file is in the DataStore (as text): types and the search index
    def after_upload(self, context, resource_dict, dataset_dict):
        hooks.after_upload(resource_dict)  # never raises
        # xloader wrote the rows by COPY, outside the actions: the one signal (rows.py).
        rows.changed(resource_dict["id"])

    def datastore_before_update(self, resource_id, existing_fields, new_headers):
        hooks.forget_grams(resource_id)

    # IDatastore: q with Japanese matches inside cells; the query as built is handed to
    # the chained datastore_search for its total (total.py).
    def datastore_search(self, context, data_dict, fields_types, query_dict):
        query_dict = hooks.japanese_search(context, data_dict, fields_types, query_dict)
        total.remember(context, data_dict, query_dict)
        return query_dict
