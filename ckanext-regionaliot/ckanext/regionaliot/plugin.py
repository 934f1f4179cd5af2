"""The core plugin ``regionaliot``: theme, schemas' validators, Japanese search, i18n, seed.

Each feature is a plugin of its own in ``ckanext/regionaliot/<feature>/`` (validation:
``regionaliot_validation``), switched on or off in ``ckan.plugins``; they need this one.
CKAN's blanket decorators wire the modules by name: cli.py (IClick), logic/validators.py
(IValidators), logic/action.py (IActions), views.py (IBlueprint), config_declaration.yaml.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import pages, search, static_bundles
from .lib import templates


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.cli
@tk.blanket.validators
@tk.blanket.actions
@tk.blanket.blueprints
# DefaultTranslation supplies i18n_directory/domain: one catalogue for every feature.
class RegionalIoTPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        # Below the feature plugins' folders, so that they can extend the core's pages.
        config["plugin_template_paths"] = templates.core_after_features(
            config["plugin_template_paths"], templates.core_templates_dir())
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "regionaliot")

    # IConfigurable: after every plugin's update_config has registered its assets.
    def configure(self, config):
        static_bundles.build_once(config)

    # IPackageController
    def before_dataset_search(self, search_params):
        return search.expand_readings(search.add_query_fields(search_params))

    def after_dataset_search(self, search_results, search_params):
        search_results = search.add_did_you_mean(search_results, search_params)
        return pages.label_facets(search_results)

    def before_dataset_index(self, pkg_dict):
        return search.queue_suggestion_rebuild(pkg_dict)

    # IFacets: titles of the facets (CKAN shows a field name it does not know)
    def dataset_facets(self, facets_dict, package_type):
        return pages.facet_titles(facets_dict)

    def group_facets(self, facets_dict, group_type, package_type):
        return pages.facet_titles(facets_dict)

    def organization_facets(self, facets_dict, organization_type, package_type):
        return pages.facet_titles(facets_dict)
