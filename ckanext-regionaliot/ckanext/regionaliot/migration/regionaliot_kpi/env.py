# One plugin's alembic chain; the shared body (version table, table filter) is in lib.
from ckanext.regionaliot.lib.migration_env import run_migrations

run_migrations(__file__)
