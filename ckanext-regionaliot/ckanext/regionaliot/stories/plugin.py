"""``regionaliot_stories``: 「データから見えるもの」, stories that show what the basin's
data says, with charts and maps the server computes from the data.

Actions and auth (logic/), the table (model.py, migration/regionaliot_stories), pages
(views.py, templates/), the aggregation and the SVG drawing without CKAN (aggregate.py,
svg.py, blocks.py). Its own catalogue: i18n/ja/LC_MESSAGES/ckanext-regionaliot_stories.po.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.regionaliot.lib.interfaces import IDatastoreRows, INavigation

from . import answers, hooks


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
# DefaultTranslation: domain ckanext-regionaliot_stories, in stories/i18n/<lang>/LC_MESSAGES.
class RegionalIoTStoriesPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation, inherit=True)
    p.implements(INavigation)
    p.implements(IDatastoreRows)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")

    # INavigation: the header's tab (/stories).
    def navigation_tabs(self):
        return hooks.navigation_tabs()

    # IMiddleware: cached chart figures for anonymous readers before CKAN's request work
    # (answers.py); Flask's own wsgi_app is wrapped, the app object stays what it was.
    def make_middleware(self, app, config):
        app.wsgi_app = answers.CachedAnswers(app.wsgi_app, config)
        return app

    # IDatastoreRows (sent by regionaliot_datastore): figures of the old rows out, the
    # stories' figures computed again in the background (jobs.py).
    def datastore_rows_changed(self, resource_id):
        hooks.datastore_rows_changed(resource_id)
