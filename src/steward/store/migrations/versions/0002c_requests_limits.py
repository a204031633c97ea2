"""requests: per-address and per-request mail limits; officer evidence encrypted

Revision ID: 0002c_requests_limits
Revises: 0002b_requests_notices
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002c_requests_limits"
down_revision: str | Sequence[str] | None = "0002b_requests_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dsr_send_quota",
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_dsr_send_quota"),
    )
    with op.batch_alter_table("dsr_requests") as t:
        t.add_column(sa.Column("evidence_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dsr_requests") as t:
        t.drop_column("evidence_enc")
    op.drop_table("dsr_send_quota")
