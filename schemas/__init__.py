"""Schema files, installed as the data package ``regionaliot.schemas``.

- ``ckan/``: ckanext-scheming YAML for datasets, organizations and groups.
- ``tableschema/``: Frictionless Table Schemas of Japan's standard open datasets.
"""
