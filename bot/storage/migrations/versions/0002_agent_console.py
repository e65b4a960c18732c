"""Agent console: ticket assignment and outcome columns, users, sessions, conversation counters.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TICKET_COLUMNS = [
    sa.Column("agent_username", sa.String(64)),
    sa.Column("queued_at", sa.DateTime(timezone=True)),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.String(30)),
    sa.Column("note", sa.Text),
    sa.Column("rating", sa.Integer),
    sa.Column("callback_phone", sa.Text),
    sa.Column("callback_consent_at", sa.DateTime(timezone=True)),
]


def upgrade() -> None:
    with op.batch_alter_table("handoff_tickets") as batch:
        for column in TICKET_COLUMNS:
            batch.add_column(column)
        batch.create_index("ix_handoff_tickets_agent_username", ["agent_username"])
    op.execute("UPDATE handoff_tickets SET queued_at = created_at")
    op.create_table(
        "conversation_records",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("channel", sa.String(30), nullable=False, server_default="web"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("citizen_messages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("bot_answers", sa.Integer, nullable=False, server_default="0"),
        sa.Column("bot_clarifications", sa.Integer, nullable=False, server_default="0"),
        sa.Column("bot_fallbacks", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("department", sa.String(50)),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("users")
    op.drop_table("conversation_records")
    with op.batch_alter_table("handoff_tickets") as batch:
        batch.drop_index("ix_handoff_tickets_agent_username")
        for column in TICKET_COLUMNS:
            batch.drop_column(column.name)
