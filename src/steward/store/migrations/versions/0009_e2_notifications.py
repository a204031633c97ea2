"""requests: Art. 19 notifications of recipients, one row per recipient and request

Revision ID: 0009_e2_notifications
Revises: 0002c_requests_limits
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_e2_notifications"
down_revision: str | Sequence[str] | None = "0009_d_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dsr_notifications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("payload_enc", sa.Text(), nullable=False),
        sa.Column("ref", sa.String(200), nullable=True),
        sa.Column("told_on", sa.Date(), nullable=True),
        sa.Column("told_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("waived_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_notifications"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            name="fk_dsr_notifications_request_id_dsr_requests",
        ),
        sa.UniqueConstraint("request_id", "recipient", name="uq_dsr_notifications_recipient"),
    )
    op.create_index("ix_dsr_notifications_request_id", "dsr_notifications", ["request_id"])
    op.create_index("ix_dsr_notifications_status", "dsr_notifications", ["status"])


def downgrade() -> None:
    op.drop_index("ix_dsr_notifications_status", table_name="dsr_notifications")
    op.drop_index("ix_dsr_notifications_request_id", table_name="dsr_notifications")
    op.drop_table("dsr_notifications")
