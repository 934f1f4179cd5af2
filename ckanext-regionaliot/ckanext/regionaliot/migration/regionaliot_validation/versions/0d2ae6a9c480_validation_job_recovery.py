"""Validation jobs that die are recovered: when the job was queued, and how often it was
queued again after dying (issue 15, item 8)

Revision ID: 0d2ae6a9c480
Revises: 414163b27c19
Create Date: 2026-12-02 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0d2ae6a9c480"
down_revision = "414163b27c19"
branch_labels = None
depends_on = None

TABLE = "regionaliot_resource_validation"


def upgrade():
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}
    if "queued" not in columns:
        # When the background job of the current file was (last) queued.
        op.add_column(TABLE, sa.Column("queued", sa.DateTime))
    if "attempts" not in columns:
        # How often that job was queued again after it died (kill -9, out of memory).
        op.add_column(TABLE, sa.Column("attempts", sa.Integer, nullable=False,
                                       server_default="0"))


def downgrade():
    op.drop_column(TABLE, "attempts")
    op.drop_column(TABLE, "queued")
