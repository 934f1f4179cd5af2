"""Create the sensor feeds' tables: observations partitioned by month, dead letters, tokens

Revision ID: 4f2a6c8e1b3d
Revises:
Create Date: 2026-11-30 21:00:00

"""
from alembic import op

revision = "4f2a6c8e1b3d"
down_revision = None
branch_labels = None
depends_on = None

# Partitions live in their own schema: CKAN's test reset reflects the public schema only
# and drops the parent, which drops every partition with it.
PARTITIONS = "regionaliot_feed_partitions"


def upgrade():
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTITIONS}")
    op.execute("""
        CREATE TABLE regionaliot_feed_observation (
            feed_id text NOT NULL,
            sensor_id text NOT NULL,
            observed_at timestamptz NOT NULL,
            value double precision NOT NULL,
            quality text NOT NULL CHECK (quality IN ('provisional', 'confirmed')),
            received_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (feed_id, sensor_id, observed_at)
        ) PARTITION BY RANGE (observed_at)""")
    # Time-range reads over all sensors of a feed (the PK serves one sensor's reads).
    op.execute("CREATE INDEX idx_regionaliot_feed_observation_time "
               "ON regionaliot_feed_observation (feed_id, observed_at)")
    op.execute("""
        CREATE TABLE regionaliot_feed_deadletter (
            id bigserial PRIMARY KEY,
            feed_id text,
            source text NOT NULL,
            topic text,
            reason text NOT NULL,
            detail text NOT NULL DEFAULT '',
            payload text NOT NULL DEFAULT '',
            received_at timestamptz NOT NULL DEFAULT now()
        )""")
    op.execute("CREATE INDEX idx_regionaliot_feed_deadletter_feed "
               "ON regionaliot_feed_deadletter (feed_id, received_at)")
    op.execute("""
        CREATE TABLE regionaliot_feed_token (
            id text PRIMARY KEY,
            feed_id text NOT NULL,
            token_hash text NOT NULL UNIQUE,
            label text NOT NULL DEFAULT '',
            created timestamptz NOT NULL DEFAULT now()
        )""")


def downgrade():
    op.execute("DROP TABLE regionaliot_feed_token")
    op.execute("DROP TABLE regionaliot_feed_deadletter")
    op.execute("DROP TABLE regionaliot_feed_observation")
    op.execute(f"DROP SCHEMA IF EXISTS {PARTITIONS} CASCADE")
