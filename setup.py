"""Packages of the one distribution ``ckanext-regionaliot`` (metadata: pyproject.toml).

Three import roots come from the user's top-level folders:

- ``ckanext.regionaliot``    ← ckanext-regionaliot/ckanext/regionaliot (the CKAN plugins)
- ``regionaliot.validation`` ← validation/ (pure Python, no CKAN)
- ``regionaliot.harvesters`` ← harvesters/
- ``regionaliot.schemas``    ← schemas/ (data files)

``regionaliot`` is a PEP 420 namespace, so nothing generic such as a bare
``validation`` lands in site-packages. See ARCHITECTURE.md.
"""
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """Compile the gettext catalogues (.po → .mo) into the build, so that a plain
    ``pip install .`` speaks Japanese; the .mo files are not in git."""

    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        # The engine's catalogue, the core plugin's, and each feature plugin's own
        # (<feature>/i18n, CKAN's DefaultTranslation).
        roots = {Path("validation"): Path("regionaliot/validation"),
                 Path("ckanext-regionaliot"): Path(".")}
        for folder, package in roots.items():
            for po in folder.glob("**/i18n/*/LC_MESSAGES/*.po"):
                target = Path(self.build_lib, package, po.relative_to(folder)).with_suffix(".mo")
                target.parent.mkdir(parents=True, exist_ok=True)
                with po.open("rb") as source, target.open("wb") as out:
                    write_mo(out, read_po(source))

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
        "regionaliot.validation.checks",  # one module per check (issue 16)
        "regionaliot.validation.i18n",
        "regionaliot.harvesters",
        "regionaliot.schemas",
    ],
    # Data files only where they exist; each feature lists its own.
    package_data={
        "ckanext.regionaliot": [
            "config_declaration.yaml", "i18n/*.cfg", "i18n/*.pot", "i18n/*/LC_MESSAGES/*",
            "seed/*.json", "seed/demo/*.csv", "migration/*/*", "migration/*/versions/*.py",
            # The theme: templates, webassets (vendor/ is filled by the stack from npm), public/.
            "templates/**/*.html", "assets/webassets.yml", "assets/css/*.css", "assets/js/*.js",
            "assets/vendor/**/*", "assets/pages/*", "public/**/*",
        ],
        "ckanext.regionaliot.validation": ["config_declaration.yaml", "templates/**/*.html"],
        "ckanext.regionaliot.security": ["config_declaration.yaml", "templates/**/*.html",
                                         "i18n/*/LC_MESSAGES/*"],
        "ckanext.regionaliot.ideas": ["config_declaration.yaml", "templates/**/*.html",
                                      "i18n/*/LC_MESSAGES/*"],
        "ckanext.regionaliot.kpi": ["config_declaration.yaml", "README.md", "templates/**/*.html",
                                    "i18n/*/LC_MESSAGES/*"],
        "ckanext.regionaliot.stories": ["config_declaration.yaml", "templates/**/*.html",
                                        "i18n/*/LC_MESSAGES/*", "public/**/*"],
        "ckanext.regionaliot.harvest": ["config_declaration.yaml", "i18n/*/LC_MESSAGES/*"],
        "ckanext.regionaliot.datastore": ["config_declaration.yaml", "templates/**/*.html",
                                          "i18n/*/LC_MESSAGES/*", "assets/webassets.yml",
                                          "assets/css/*.css", "assets/js/*.js",
                                          "assets/vendor/**/*"],
        "ckanext.regionaliot.feeds": ["config_declaration.yaml", "README.md", "templates/**/*.html",
                                      "assets/*", "i18n/*/LC_MESSAGES/*"],
        # The engine's catalogue (the .mo are compiled by BuildWithCatalogues, or by the stack).
        "regionaliot.validation.i18n": ["babel.cfg", "*.pot", "*/LC_MESSAGES/*.po",
                                        "*/LC_MESSAGES/*.mo"],
        "regionaliot.schemas": ["ckan/*.yaml", "ckan/*.json", "feeds/*.json", "tableschema/*.json",
                                "tableschema/**/*.json"],
    },
    include_package_data=False,
    cmdclass={"build_py": BuildWithCatalogues},
)
