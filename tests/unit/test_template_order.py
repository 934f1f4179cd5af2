"""lib/templates.py: the core plugin's templates come right after the feature plugins'
folders (so a feature's {% ckan_extends %} of home/index.html is read) and before every
other extension's (so the core still overrides CKAN, scheming and the rest)."""
from __future__ import annotations

import os

from ckanext.regionaliot.lib import templates

PKG = templates.PACKAGE_DIR
CORE = templates.core_templates_dir()


def test_core_goes_after_the_features_and_before_the_rest():
    ideas, kpi = os.path.join(PKG, "ideas", "templates"), os.path.join(PKG, "kpi", "templates")
    scheming = "/venv/site-packages/ckanext/scheming/templates"
    # CKAN's order after the core plugin (listed first) prepended its own folder:
    paths = [CORE, ideas, kpi, scheming]
    assert templates.core_after_features(paths, CORE) == [ideas, kpi, CORE, scheming]
    assert templates.core_after_features([CORE, scheming], CORE) == [CORE, scheming]
    assert templates.core_after_features([], CORE) == [CORE]
    # A folder of another package that merely starts with the same name is not a feature.
    lookalike = PKG + "_other/templates"
    assert templates.core_after_features([CORE, lookalike], CORE) == [CORE, lookalike]
