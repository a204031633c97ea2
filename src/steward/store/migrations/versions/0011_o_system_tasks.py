"""requests: tasks for manual and webhook systems (their owner's or their code's answers)

Revision ID: 0011_o_system_tasks
Revises: 0009_e2_notifications
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_o_system_tasks"
down_revision: str | Sequence[str] | None = "0009_e2_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "system_tasks",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("system", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("op", sa.String(20), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("payload_sealed", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("key_env", sa.String(100), nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("answer_sealed", sa.Text, nullable=True),
        sa.Column("file_name", sa.String(200), nullable=True),
        sa.Column("file_sealed", sa.LargeBinary, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_system_tasks"),
        sa.UniqueConstraint("token", name="uq_system_tasks_token"),
        sa.UniqueConstraint("system", "op", "digest", name="uq_system_tasks_subject"),
    )


def downgrade() -> None:
    op.drop_table("system_tasks")
