"""Suite-wide fixtures.

CKAN's own pytest plugin (registered by the ckan package since 2.11.1) supplies
clean_db, clean_index, with_plugins, ckan_config, app and the factories. Pure
tests under tests/validation, tests/schemas and tests/unit need none of them.
"""
from __future__ import annotations

import pytest

# Plugins whose alembic migrations create tables CKAN's reset does not know about.
PLUGINS_WITH_TABLES = ("activity", "harvest", "regionaliot_validation", "regionaliot_ideas")


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of plugins with their own migrations.

    CKAN drops every table on its first reset in a process and only empties them after
    that (the plugins' tables and alembic versions stay): the plugins' migrations are
    needed after a drop only, not before each test (it saved seconds per test).
    """
    from ckan import model

    dropped = not model.repo.tables_created_and_initialised
    reset_db()
    if dropped:
        for plugin in PLUGINS_WITH_TABLES:
            migrate_db_for(plugin)
