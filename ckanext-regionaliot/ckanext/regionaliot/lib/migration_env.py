"""The body of every feature plugin's alembic ``env.py``.

Each plugin keeps its own chain under ``migration/<plugin>/`` with its own version table
(``<plugin>_alembic_version``), as CKAN's ``ckan db upgrade -p <plugin>`` expects; only the
folder name differs between them, so the logic lives here once and each ``env.py`` calls
:func:`run_migrations` with its own path.
"""
from __future__ import annotations

import os
from logging.config import fileConfig


def run_migrations(env_file: str) -> None:
    """Run the chain whose ``env.py`` is ``env_file``, online or offline as alembic asks."""
    # Imported here: alembic's ``context`` only exists while alembic runs an env.py.
    from alembic import context
    from ckan.model.meta import metadata
    from sqlalchemy import engine_from_config, pool

    config = context.config
    fileConfig(config.config_file_name)
    plugin = os.path.basename(os.path.dirname(os.path.abspath(env_file)))

    def include_object(obj, object_name, type_, reflected, compare_to):
        # Autogenerate must only see this plugin's tables, never CKAN's or another plugin's.
        if type_ == "table":
            return object_name.startswith(plugin)
        return True

    options = {
        "target_metadata": metadata,
        "version_table": f"{plugin}_alembic_version",
        "include_object": include_object,
    }
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
