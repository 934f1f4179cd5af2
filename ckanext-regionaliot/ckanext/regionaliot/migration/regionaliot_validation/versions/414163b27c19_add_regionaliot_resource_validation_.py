"""Add regionaliot_resource_validation table

Revision ID: 414163b27c19
Revises:
Create Date: 2026-11-25 09:05:00.538970

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "414163b27c19"
down_revision = None
branch_labels = None
depends_on = None

# A CHECK rather than a PostgreSQL ENUM type: CKAN's test reset drops tables but not types.
STATUSES = ("pending", "running", "success", "failure", "error")


def upgrade():
    # Before the feature plugins this table came from the chain of the plugin
    # "regionaliot"; a portal upgraded from then already has it.
    if sa.inspect(op.get_bind()).has_table("regionaliot_resource_validation"):
        return
    op.create_table(
        "regionaliot_resource_validation",
        sa.Column("resource_id", sa.UnicodeText,
                  sa.ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("schema_requested", sa.UnicodeText),
        sa.Column("schema_name", sa.UnicodeText),
        sa.Column("generation", sa.UnicodeText),
        sa.Column("file_sha256", sa.UnicodeText),
        sa.Column("file_size", sa.BigInteger),
        sa.Column("url", sa.UnicodeText),
        sa.Column("encoding", sa.UnicodeText),
        sa.Column("rows", sa.Integer),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("warning_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("report", sa.UnicodeText),
        sa.Column("message", sa.UnicodeText),
        sa.Column("runs", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime),
        sa.Column("started", sa.DateTime),
        sa.Column("finished", sa.DateTime),
        sa.CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES)),
            name="regionaliot_resource_validation_status_check"),
    )
    op.create_index("idx_regionaliot_resource_validation_package",
                    "regionaliot_resource_validation", ["package_id"])


def downgrade():
    op.drop_index("idx_regionaliot_resource_validation_package",
                  table_name="regionaliot_resource_validation")
    op.drop_table("regionaliot_resource_validation")
