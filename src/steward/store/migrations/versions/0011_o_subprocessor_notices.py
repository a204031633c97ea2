"""processors: sub-processor change notices to the controllers served, and objections

Revision ID: 0011_o_subprocessor_notices
Revises: 0011_o_event_cursors
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_o_subprocessor_notices"
down_revision: str | Sequence[str] | None = "0011_o_event_cursors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subprocessor_notices",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(120), nullable=False),
        sa.Column("sub_processor", sa.String(120), nullable=False),
        sa.Column("controller", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("objection_days", sa.Integer, nullable=False),
        sa.Column("objection_deadline", sa.Date, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("message_id", sa.String(300), nullable=True),
        sa.Column("objected_at", TS, nullable=True),
        sa.Column("objection_note", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_subprocessor_notices"),
        sa.UniqueConstraint("token", name="uq_subprocessor_notices_token"),
    )


def downgrade() -> None:
    op.drop_table("subprocessor_notices")
