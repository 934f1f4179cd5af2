"""Where the core plugin's templates go in CKAN's template search path.

CKAN puts the first plugin of ``ckan.plugins`` first in the path, so the core plugin
(listed first) would hide every feature plugin's template of the same name, and a
feature's ``{% ckan_extends %}`` of a core template (the home page's empty blocks) would
never be read. The core's folder goes right after the feature plugins' folders instead:
features extend the core, and the core still overrides CKAN and other extensions.
Pure: works on the list of paths only.
"""
from __future__ import annotations

import os

PACKAGE_DIR = os.path.realpath(os.path.join(os.path.dirname(__file__), os.pardir))


def core_templates_dir() -> str:
    return os.path.join(PACKAGE_DIR, "templates")


def _inside_package(path: str) -> bool:
    return os.path.realpath(path).startswith(PACKAGE_DIR + os.sep)


def core_after_features(paths: list[str], core: str) -> list[str]:
    """``paths`` with ``core`` moved right after the last folder of a feature plugin of
    this package (``ckanext/regionaliot/<feature>/templates``)."""
    real_core = os.path.realpath(core)
    rest = [p for p in paths if os.path.realpath(p) != real_core]
    features = [i for i, p in enumerate(rest) if _inside_package(p)]
    at = features[-1] + 1 if features else 0
    return [*rest[:at], core, *rest[at:]]
