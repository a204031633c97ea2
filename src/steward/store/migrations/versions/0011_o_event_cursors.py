"""events: how far each declared webhook has received the audit log and the consent ledger

Revision ID: 0011_o_event_cursors
Revises: 0011_o_system_tasks
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_o_event_cursors"
down_revision: str | Sequence[str] | None = "0011_o_system_tasks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_cursors",
        sa.Column("webhook", sa.String(100), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("webhook", "source", name="pk_event_cursors"),
    )


def downgrade() -> None:
    op.drop_table("event_cursors")
