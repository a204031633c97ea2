"""requests: pending answer mails and Art. 18(3) restriction lifts

Revision ID: 0002b_requests_notices
Revises: 0002_requests
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002b_requests_notices"
down_revision: str | Sequence[str] | None = "0002_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("dsr_requests") as t:
        t.add_column(sa.Column("notice_pending", sa.String(30), nullable=True))
        t.add_column(
            sa.Column("notice_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        t.add_column(sa.Column("notice_next_at", TS, nullable=True))
        t.add_column(sa.Column("notice_error", sa.String(200), nullable=True))
    op.create_index("ix_dsr_requests_notice_pending", "dsr_requests", ["notice_pending"])
    with op.batch_alter_table("restrictions") as t:
        t.add_column(sa.Column("lift_scheduled_at", TS, nullable=True))
        t.add_column(sa.Column("lift_reason", sa.Text(), nullable=True))
        t.add_column(sa.Column("lift_noticed_at", TS, nullable=True))
        t.add_column(sa.Column("lifted_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("restrictions") as t:
        for name in ("lifted_by", "lift_noticed_at", "lift_reason", "lift_scheduled_at"):
            t.drop_column(name)
    op.drop_index("ix_dsr_requests_notice_pending", table_name="dsr_requests")
    with op.batch_alter_table("dsr_requests") as t:
        for name in ("notice_error", "notice_next_at", "notice_attempts", "notice_pending"):
            t.drop_column(name)
