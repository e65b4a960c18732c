"""The content studio: drafts, versions, review queue, answer feedback, regression set.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "studio_drafts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_studio_draft_key"),
    )
    op.create_table(
        "studio_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("files", sa.Text(), nullable=True),
        sa.Column("metrics", sa.Text(), nullable=True),
        sa.Column("regressions", sa.Text(), nullable=True),
        sa.Column("model_path", sa.String(500), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_studio_versions_status", "studio_versions", ["status"])
    op.create_index("ix_studio_versions_created_at", "studio_versions", ["created_at"])
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("bot_guess", sa.String(100), nullable=True),
        sa.Column("bot_score", sa.Float(), nullable=True),
        sa.Column("agent_reply", sa.Text(), nullable=True),
        sa.Column("message_key", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_items_conversation_id", "review_items", ["conversation_id"])
    op.create_index("ix_review_items_status", "review_items", ["status"])
    op.create_index("ix_review_items_created_at", "review_items", ["created_at"])
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("faq_id", sa.String(100), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "message_key", name="uq_feedback_message"),
    )
    op.create_index("ix_answer_feedback_conversation_id", "answer_feedback", ["conversation_id"])
    op.create_index("ix_answer_feedback_faq_id", "answer_feedback", ["faq_id"])
    op.create_index("ix_answer_feedback_created_at", "answer_feedback", ["created_at"])
    op.create_table(
        "regression_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("expect", sa.String(100), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "answer_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("faq_id", sa.String(100), nullable=True),
        sa.Column("category", sa.String(50), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answer_events_conversation_id", "answer_events", ["conversation_id"])
    op.create_index("ix_answer_events_faq_id", "answer_events", ["faq_id"])
    op.create_index("ix_answer_events_created_at", "answer_events", ["created_at"])


def downgrade() -> None:
    for table in ("answer_events", "regression_items", "answer_feedback", "review_items", "studio_versions",
                  "studio_drafts"):
        op.drop_table(table)
