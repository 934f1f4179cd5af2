"""Create the stories table

Revision ID: 4b8c2d6e1f30
Revises:
Create Date: 2026-11-30 21:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "4b8c2d6e1f30"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "regionaliot_story",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("title_en", sa.UnicodeText),
        sa.Column("lead", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("lead_en", sa.UnicodeText),
        sa.Column("body", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("body_en", sa.UnicodeText),
        sa.Column("cover_url", sa.UnicodeText),
        sa.Column("cover_alt", sa.UnicodeText),
        sa.Column("blocks", sa.UnicodeText, nullable=False, server_default="[]"),
        sa.Column("organizations", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("categories", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("user_id", sa.UnicodeText),
        # A CHECK rather than a PostgreSQL ENUM: CKAN's test reset drops tables, not types.
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="draft"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("published", sa.DateTime),
        sa.CheckConstraint("state IN ('draft', 'published', 'withdrawn')",
                           name="regionaliot_story_state"),
    )
    op.create_index("idx_regionaliot_story_list", "regionaliot_story", ["state", "published"])
    op.create_index("idx_regionaliot_story_orgs", "regionaliot_story", ["organizations"],
                    postgresql_using="gin")


def downgrade():
    op.drop_table("regionaliot_story")
