"""One distribution, ``ckanext-regionaliot``, installs three import roots:

- ``ckanext.regionaliot``  ← ckanext-regionaliot/ckanext/regionaliot (the CKAN plugin)
- ``regionaliot.validation`` ← validation/ (pure Python, no CKAN)
- ``regionaliot.harvesters`` ← harvesters/
- ``regionaliot.schemas``  ← schemas/ (data files)

``regionaliot`` is a PEP 420 namespace, so nothing generic such as a bare
``validation`` lands in site-packages. See ARCHITECTURE.md.
"""
from setuptools import find_packages, setup

PACKAGE_DIR = {
    "ckanext": "ckanext-regionaliot/ckanext",
    "regionaliot.validation": "validation",
    "regionaliot.harvesters": "harvesters",
    "regionaliot.schemas": "schemas",
}

setup(
    name="ckanext-regionaliot",
    version="0.1.0",
    description="Open-data portal of the 高梁川流域 consortium on CKAN 2.11",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    package_dir=PACKAGE_DIR,
    packages=[
        "ckanext",
        # Subpackages (logic, model, seed, ...); templates, i18n and migrations are data.
        *find_packages("ckanext-regionaliot", include=["ckanext.regionaliot*"]),
        "regionaliot.validation",
        "regionaliot.harvesters",
        "regionaliot.schemas",
    ],
    include_package_data=True,
    package_data={
        "ckanext.regionaliot": [
            "config_declaration.yaml",
            "templates/**/*",
            "public/**/*",
            "assets/**/*",
            "i18n/**/*",
            "seed/**/*",
            "migration/**/*",
        ],
        "regionaliot.schemas": ["ckan/*.yaml", "ckan/*.json", "tableschema/**/*.json"],
    },
    entry_points={
        "ckan.plugins": [
            "regionaliot = ckanext.regionaliot.plugin:RegionalIoTPlugin",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
        "console_scripts": [
            "regionaliot = regionaliot.validation.cli:main",
        ],
    },
    message_extractors={
        "ckanext-regionaliot/ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
        "validation": [("**.py", "python", None)],
    },
)
