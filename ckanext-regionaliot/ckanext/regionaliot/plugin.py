"""The regionaliot CKAN plugin: the consortium's schemas, search, validation and pages.

CKAN's blanket decorators wire the modules by name:
cli.py (IClick), helpers.py (ITemplateHelpers), logic/validators.py (IValidators),
logic/action.py (IActions), logic/auth.py (IAuthFunctions), views.py (IBlueprint).
"""
from __future__ import annotations

import json
import logging

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import model as _tables  # noqa: F401  (registers our tables with CKAN's metadata)

log = logging.getLogger(__name__)

# Marks a context whose nested package_update belongs to resource_create/update:
# the resource hooks validate that resource, the dataset hooks stay out of the way.
_IN_RESOURCE_ACTION = "regionaliot_in_resource_action"


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
@tk.blanket.validators
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
# DefaultTranslation supplies i18n_directory/domain; ITranslation alone registers an empty domain.
class RegionalIoTPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")

    # IResourceController: validate the file of a created or edited resource
    def before_resource_create(self, context, resource):
        context[_IN_RESOURCE_ACTION] = True

    def before_resource_update(self, context, current, resource):
        context[_IN_RESOURCE_ACTION] = True

    def after_resource_create(self, context, resource):
        _validate_resource(resource)

    def after_resource_update(self, context, resource):
        _validate_resource(resource)

    # IPackageController: files added or changed through package_create/update
    def after_dataset_create(self, context, pkg_dict):
        _validate_dataset(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        _validate_dataset(context, pkg_dict)

    def before_dataset_index(self, pkg_dict):
        from .resource_validation import dataset_status

        # The index dict has lost its resources; the validated dict still has them.
        try:
            dataset = json.loads(pkg_dict.get("validated_data_dict") or "{}")
        except ValueError:
            dataset = {}
        dataset.setdefault("id", pkg_dict.get("id"))
        # A plain field name (not extras_*): Solr's "*" dynamic field indexes it as a string.
        pkg_dict["validation_status"] = dataset_status(dataset)
        return pkg_dict

    def before_dataset_search(self, search_params):
        # CKAN searches name, title, tags, groups and text (Kuromoji). Also search the CJK
        # bigram field: Kuromoji may split a word one way in running text (認可保育園 →
        # 認可/保育/園) and another in a query (保育園).
        extra = tk.config.get("ckanext.regionaliot.search.extra_query_fields")
        if extra and "qf" not in search_params:
            from ckan.lib.search.query import QUERY_FIELDS

            search_params["qf"] = f"{QUERY_FIELDS} {extra}"
        return search_params

    def after_dataset_search(self, search_results, search_params):
        facet = (search_results.get("search_facets") or {}).get("validation_status")
        if facet:
            from .helpers import validation_status_label

            for item in facet.get("items", []):
                item["display_name"] = validation_status_label(item["name"])
        return search_results

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        facets_dict["validation_status"] = tk._("Validation")
        return facets_dict


def _validate_resource(resource):
    from . import resource_validation

    try:
        package = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                                {"id": resource["package_id"]})
        current = next((r for r in package["resources"] if r["id"] == resource["id"]), resource)
        resource_validation.ensure(current, package, check_links=True)
        changed = bool(model.Session.new or model.Session.dirty or model.Session.deleted)
        model.Session.commit()
    except Exception:
        # The resource is already saved: a validation problem must not fail the upload.
        model.Session.rollback()
        log.exception("Could not validate resource %s", resource.get("id"))
        return
    if changed:
        resource_validation.reindex(package["id"])


def _validate_dataset(context, pkg_dict):
    from . import resource_validation

    if context.get(_IN_RESOURCE_ACTION):
        return
    # Inside package_create/update's transaction: the index update at commit sees the result.
    for resource in pkg_dict.get("resources") or []:
        if resource.get("id"):
            resource_validation.ensure(resource, pkg_dict, check_links=False)
