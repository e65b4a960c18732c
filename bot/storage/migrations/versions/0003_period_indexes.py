"""Indexes for counters over a period: conversation start and ticket creation times.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversation_records_started_at", "conversation_records", ["started_at"])
    op.create_index("ix_handoff_tickets_created_at", "handoff_tickets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_handoff_tickets_created_at", table_name="handoff_tickets")
    op.drop_index("ix_conversation_records_started_at", table_name="conversation_records")
