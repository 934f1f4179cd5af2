"""The regionaliot CKAN plugin: the consortium's schemas, search, validation and pages.

CKAN's blanket decorators wire the modules by name:
cli.py (IClick), helpers.py (ITemplateHelpers), logic/validators.py (IValidators).
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
@tk.blanket.validators
class RegionalIoTPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
