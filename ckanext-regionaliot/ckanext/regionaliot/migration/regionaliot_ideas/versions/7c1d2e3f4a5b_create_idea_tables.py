"""Create the アイデアボックス tables

Revision ID: 7c1d2e3f4a5b
Revises:
Create Date: 2026-11-30 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "7c1d2e3f4a5b"
down_revision = None
branch_labels = None
depends_on = None

# CHECKs rather than PostgreSQL ENUM types: CKAN's test reset drops tables but not types.
KINDS = ("idea", "request")
STATUSES = ("received", "reviewing", "planned", "published", "declined")
MODERATION = ("visible", "hidden", "spam", "reported")


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _idea_fk():
    return sa.ForeignKey("regionaliot_idea.id", ondelete="CASCADE")


def upgrade():
    op.create_table(
        "regionaliot_idea",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("author_name", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="received"),
        sa.Column("expected_date", sa.Date),
        sa.Column("answer_url", sa.UnicodeText),
        sa.Column("answer_package_id", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("moderation", sa.UnicodeText, nullable=False, server_default="visible"),
        sa.Column("moderation_reason", sa.UnicodeText),
        sa.Column("vote_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("comment_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("first_answered", sa.DateTime),
        sa.CheckConstraint(_in("kind", KINDS), name="regionaliot_idea_kind_check"),
        sa.CheckConstraint(_in("status", STATUSES), name="regionaliot_idea_status_check"),
        sa.CheckConstraint(_in("moderation", MODERATION),
                           name="regionaliot_idea_moderation_check"),
        sa.CheckConstraint("char_length(title) <= 100", name="regionaliot_idea_title_check"),
    )
    op.create_index("idx_regionaliot_idea_list", "regionaliot_idea", ["moderation", "created"])
    op.create_index("idx_regionaliot_idea_votes", "regionaliot_idea",
                    ["moderation", "vote_count"])
    op.create_index("idx_regionaliot_idea_org", "regionaliot_idea", ["organization_id"])
    op.create_index("idx_regionaliot_idea_answer", "regionaliot_idea", ["answer_package_id"])

    op.create_table(
        "regionaliot_idea_dataset",
        sa.Column("idea_id", sa.UnicodeText, _idea_fk(), primary_key=True),
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
    )
    op.create_table(
        "regionaliot_idea_vote",
        sa.Column("idea_id", sa.UnicodeText, _idea_fk(), primary_key=True),
        sa.Column("voter", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "regionaliot_idea_comment",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("idea_id", sa.UnicodeText, _idea_fk(), nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("author_name", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("moderation", sa.UnicodeText, nullable=False, server_default="visible"),
        sa.Column("moderation_reason", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.CheckConstraint(_in("moderation", MODERATION),
                           name="regionaliot_idea_comment_moderation_check"),
    )
    op.create_index("idx_regionaliot_idea_comment_idea", "regionaliot_idea_comment",
                    ["idea_id", "created"])
    op.create_table(
        "regionaliot_idea_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("idea_id", sa.UnicodeText, _idea_fk(), nullable=False),
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("comment_id", sa.UnicodeText),
        sa.Column("from_status", sa.UnicodeText),
        sa.Column("to_status", sa.UnicodeText),
        sa.Column("reply", sa.UnicodeText),
        sa.Column("expected_date", sa.Date),
        sa.Column("answer_url", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("idx_regionaliot_idea_event_idea", "regionaliot_idea_event",
                    ["idea_id", "created"])
    op.create_table(
        "regionaliot_idea_report",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("idea_id", sa.UnicodeText, _idea_fk(), nullable=False),
        sa.Column("target", sa.UnicodeText, nullable=False),
        sa.Column("reporter", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("target", "reporter", name="regionaliot_idea_report_once"),
    )
    op.create_table(
        "regionaliot_idea_follower",
        sa.Column("idea_id", sa.UnicodeText, _idea_fk(), primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    for table in ("regionaliot_idea_follower", "regionaliot_idea_report",
                  "regionaliot_idea_event", "regionaliot_idea_comment",
                  "regionaliot_idea_vote", "regionaliot_idea_dataset", "regionaliot_idea"):
        op.drop_table(table)
