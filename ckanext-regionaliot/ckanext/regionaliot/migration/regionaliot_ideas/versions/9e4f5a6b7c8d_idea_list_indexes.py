"""Idea list indexes that cover the whole sort order (a deep page reads the index
backwards instead of sorting every idea)

Revision ID: 9e4f5a6b7c8d
Revises: 7c1d2e3f4a5b
Create Date: 2026-11-30 18:45:00

"""
from alembic import op

revision = "9e4f5a6b7c8d"
down_revision = "7c1d2e3f4a5b"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("idx_regionaliot_idea_list", table_name="regionaliot_idea")
    op.drop_index("idx_regionaliot_idea_votes", table_name="regionaliot_idea")
    op.create_index("idx_regionaliot_idea_list", "regionaliot_idea",
                    ["moderation", "created", "id"])
    op.create_index("idx_regionaliot_idea_votes", "regionaliot_idea",
                    ["moderation", "vote_count", "created", "id"])


def downgrade():
    op.drop_index("idx_regionaliot_idea_list", table_name="regionaliot_idea")
    op.drop_index("idx_regionaliot_idea_votes", table_name="regionaliot_idea")
    op.create_index("idx_regionaliot_idea_list", "regionaliot_idea", ["moderation", "created"])
    op.create_index("idx_regionaliot_idea_votes", "regionaliot_idea",
                    ["moderation", "vote_count"])
