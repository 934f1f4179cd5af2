"""``regionaliot_validation``: validated publishing of standard datasets.

Uploads and links of standard datasets are validated (records.py decides when, jobs.py
runs the background part, service.py calls the engine), reports are stored
(model.py, migration/regionaliot_validation), shown (views.py, templates/) and faceted,
and a dataset cannot be made public while a file has errors (logic/action.py).
Needs the core plugin ``regionaliot`` (its catalogue translates this feature's text).
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import hooks


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
class RegionalIoTValidationPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IClick)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IConfigurable: a broken schema file stops start-up here, with its name and reason.
    def configure(self, config):
        hooks.load_schemas()

    # IClick: ``ckan regionaliot validate-all`` joins the core plugin's command group.
    def get_commands(self):
        return hooks.commands()

    # IResourceController: validate the file of a created or edited resource
    def before_resource_create(self, context, resource):
        hooks.mark_resource_action(context)

    def before_resource_update(self, context, current, resource):
        hooks.mark_resource_action(context)

    def after_resource_create(self, context, resource):
        hooks.validate_resource(resource)

    def after_resource_update(self, context, resource):
        hooks.validate_resource(resource)

    # IPackageController: files added or changed through package_create/update
    def after_dataset_create(self, context, pkg_dict):
        hooks.validate_dataset(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        hooks.validate_dataset(context, pkg_dict)

    def before_dataset_index(self, pkg_dict):
        return hooks.index_status(pkg_dict)

    def after_dataset_search(self, search_results, search_params):
        return hooks.label_status_facet(search_results)

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        facets_dict["validation_status"] = tk._("Validation")
        return facets_dict
