"""Add the KPI tables: imported national lists, their entries, daily snapshots

Revision ID: 5b1e0c7a9d21
Revises:
Create Date: 2026-11-30 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1e0c7a9d21"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # One row per import of デジタル庁's list (an import of the same as_of date replaces it).
    op.create_table(
        "regionaliot_kpi_national_list",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("imported", sa.DateTime, nullable=False),
        sa.Column("source", sa.UnicodeText),
        sa.Column("encoding", sa.UnicodeText),
        sa.Column("rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("engaged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("problems", sa.UnicodeText),
    )
    op.create_index("idx_regionaliot_kpi_national_list_as_of",
                    "regionaliot_kpi_national_list", ["as_of"], unique=True)
    op.create_table(
        "regionaliot_kpi_national_entry",
        sa.Column("list_id", sa.UnicodeText,
                  sa.ForeignKey("regionaliot_kpi_national_list.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("code", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText),
        sa.Column("page_url", sa.UnicodeText),
        sa.Column("site_urls", sa.UnicodeText),
    )
    # One row per day: the figures as they were (history, chart).
    op.create_table(
        "regionaliot_kpi_snapshot",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("taken", sa.DateTime, nullable=False),
        sa.Column("consortium_rate", sa.Float),
        sa.Column("prefecture_rate", sa.Float),
        sa.Column("national_rate", sa.Float),
        sa.Column("mean_score", sa.Float),
        sa.Column("figures", sa.UnicodeText),
    )


def downgrade():
    op.drop_table("regionaliot_kpi_snapshot")
    op.drop_table("regionaliot_kpi_national_entry")
    op.drop_table("regionaliot_kpi_national_list")
