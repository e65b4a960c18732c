"""The conversation outbox: citizen messages and handoff records owed to the tracker.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("events", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("conversation_id", "client_id", name="uq_outbox_client_message"),
    )
    op.create_index("ix_conversation_outbox_conversation_id", "conversation_outbox", ["conversation_id"])
    op.create_index("ix_conversation_outbox_delivered_at", "conversation_outbox", ["delivered_at"])


def downgrade() -> None:
    op.drop_index("ix_conversation_outbox_delivered_at", table_name="conversation_outbox")
    op.drop_index("ix_conversation_outbox_conversation_id", table_name="conversation_outbox")
    op.drop_table("conversation_outbox")
