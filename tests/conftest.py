"""Suite-wide fixtures.

CKAN's own pytest plugin (registered by the ckan package since 2.11.1) supplies
clean_db, clean_index, with_plugins, ckan_config, app and the factories. Pure
tests under tests/validation, tests/schemas and tests/unit need none of them.
"""
from __future__ import annotations

import pytest

# Plugins whose alembic migrations create tables CKAN's reset does not know about.
PLUGINS_WITH_TABLES = ("activity", "harvest", "regionaliot_validation", "regionaliot_ideas",
                       "regionaliot_kpi", "regionaliot_feeds", "regionaliot_stories")


@pytest.fixture(scope="session")
def reset_db_with_plugins(reset_db, migrate_db_for):
    """Callable: CKAN's reset_db, plus the tables of plugins with their own migrations.

    CKAN drops every table on its first reset in a process and only empties them after
    that (the plugins' tables and alembic versions stay): the plugins' migrations are
    needed after a drop only, not before each test (it saved seconds per test).
    Session-scoped so that package fixtures (tests/browser) can reset once.
    """
    from ckan import model

    def reset():
        dropped = not model.repo.tables_created_and_initialised
        reset_db()
        if dropped:
            for plugin in PLUGINS_WITH_TABLES:
                migrate_db_for(plugin)

    return reset


@pytest.fixture
def clean_db(reset_db_with_plugins):
    """CKAN's clean_db, plus the tables of plugins with their own migrations."""
    reset_db_with_plugins()


# Screenshots of the browser tests and the Japanese coverage report (tests/browser,
# tests/i18n) go here; the run ends by naming the folder when it wrote to it.
def pytest_configure(config):
    import os
    import time
    from pathlib import Path

    data = os.environ.get("REGIONALIOT_DATA") or str(Path(__file__).resolve().parents[1] / "var")
    # One folder per test profile (test.ini, test-N.ini), so parallel runs keep their own.
    profile = Path(config.getoption("ckan_ini", default=None) or "test.ini").stem.replace("test", "", 1)
    os.environ.setdefault("REGIONALIOT_TEST_ARTIFACTS", str(Path(data) / f"test-artifacts{profile}"))
    config.stash[ARTIFACTS_SINCE] = time.time()


ARTIFACTS_SINCE = pytest.StashKey[float]()


def pytest_terminal_summary(terminalreporter, config):
    import os
    from pathlib import Path

    folder = Path(os.environ["REGIONALIOT_TEST_ARTIFACTS"])
    since = config.stash.get(ARTIFACTS_SINCE, 0.0)
    if folder.is_dir() and any(p.stat().st_mtime >= since for p in folder.rglob("*")):
        terminalreporter.write_line(f"Test artifacts (screenshots, i18n coverage): {folder}")
