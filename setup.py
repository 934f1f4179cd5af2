"""Packages of the one distribution ``ckanext-regionaliot`` (metadata: pyproject.toml).

Three import roots come from the user's top-level folders:

- ``ckanext.regionaliot``    ← ckanext-regionaliot/ckanext/regionaliot (the CKAN plugins)
- ``regionaliot.validation`` ← validation/ (pure Python, no CKAN)
- ``regionaliot.harvesters`` ← harvesters/
- ``regionaliot.schemas``    ← schemas/ (data files)

``regionaliot`` is a PEP 420 namespace, so nothing generic such as a bare
``validation`` lands in site-packages. See ARCHITECTURE.md.
"""
from setuptools import find_packages, setup

setup(
    package_dir={
        "ckanext": "ckanext-regionaliot/ckanext",
        "regionaliot.validation": "validation",
        "regionaliot.harvesters": "harvesters",
        "regionaliot.schemas": "schemas",
    },
    packages=[
        "ckanext",
        # The core plugin and every feature subpackage (validation, lib, seed, ...).
        *find_packages("ckanext-regionaliot", include=["ckanext.regionaliot*"]),
        "regionaliot.validation",
        "regionaliot.validation.i18n",
        "regionaliot.harvesters",
        "regionaliot.schemas",
    ],
    # Data files only where they exist; each feature lists its own.
    package_data={
        "ckanext.regionaliot": [
            "config_declaration.yaml", "i18n/*.cfg", "i18n/*.pot", "i18n/*/LC_MESSAGES/*",
            "seed/*.json", "seed/demo/*.csv", "migration/*/*", "migration/*/versions/*.py",
        ],
        "ckanext.regionaliot.validation": ["config_declaration.yaml", "templates/**/*.html"],
        "ckanext.regionaliot.security": ["config_declaration.yaml", "templates/**/*.html"],
        # The engine's catalogue: the .mo are compiled before building (they are not in git).
        "regionaliot.validation.i18n": ["babel.cfg", "*.pot", "*/LC_MESSAGES/*.po",
                                        "*/LC_MESSAGES/*.mo"],
        "regionaliot.schemas": ["ckan/*.yaml", "ckan/*.json", "tableschema/*.json",
                                "tableschema/**/*.json"],
    },
    include_package_data=False,
)
