"""``regionaliot_feeds``: real-time sensor feeds as open data (issue 12). A feed is a
dataset of type ``feed`` (schemas/ckan/feed.yaml) with its sensors; observations arrive
by MQTT (ingest.py, ``ckan regionaliot feeds ingest``) or HTTP (views.py), are validated
without CKAN (observations.py) and stored in a month-partitioned table (model.py,
migration/regionaliot_feeds); README.md says why. Its own catalogue:
i18n/ja/LC_MESSAGES/ckanext-regionaliot_feeds.po.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import hooks


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.blueprints
# DefaultTranslation: domain ckanext-regionaliot_feeds, in feeds/i18n/<lang>/LC_MESSAGES.
class RegionalIoTFeedsPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IClick)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "regionaliot_feeds")

    # IClick: ``ckan regionaliot feeds ...`` joins the core plugin's group.
    def get_commands(self):
        return hooks.commands()
