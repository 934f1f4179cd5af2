"""``regionaliot_ideas``: the アイデアボックス. Citizens post ideas and data requests, vote
and comment; staff move each idea through a visible workflow with a reply at every step.

Actions and auth (logic/), tables (model.py, migration/regionaliot_ideas), pages and the
Atom feed (views.py, templates/), the workflow's rules and figures without CKAN
(workflow.py). Its own catalogue: i18n/ja/LC_MESSAGES/ckanext-regionaliot_ideas.po.
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
# DefaultTranslation: domain ckanext-regionaliot_ideas, in ideas/i18n/<lang>/LC_MESSAGES.
class RegionalIoTIdeasPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IClick)
    p.implements(INavigation)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IClick: ``ckan regionaliot ideas-seed`` (demo ideas) joins the core plugin's group.
    def get_commands(self):
        return hooks.commands()

    # INavigation: its tab in the portal's header
    def navigation_tabs(self):
        return hooks.navigation_tabs()
