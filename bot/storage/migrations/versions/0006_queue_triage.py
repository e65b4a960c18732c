"""Queue triage: where a claimed ticket came from (put back), why and by whom it was cancelled.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_tickets") as batch:
        batch.add_column(sa.Column("claimed_from", sa.String(20), nullable=True))
        batch.add_column(sa.Column("end_reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("ended_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_tickets") as batch:
        for column in ("ended_by", "end_reason", "claimed_from"):
            batch.drop_column(column)
