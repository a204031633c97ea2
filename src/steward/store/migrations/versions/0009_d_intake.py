"""requests: receipt channel, fees, the subject's identities, clock pauses

Revision ID: 0009_d_intake
Revises: 0002c_requests_limits
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_d_intake"
down_revision: str | Sequence[str] | None = "0002c_requests_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("dsr_requests") as t:
        t.add_column(sa.Column("received_via", sa.String(20), nullable=True))
        t.add_column(sa.Column("fee_amount", sa.String(40), nullable=True))
        t.add_column(sa.Column("fee_paid_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "dsr_identities",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("kind", sa.String(120), nullable=False),
        sa.Column("value_mac", sa.String(64), nullable=False),
        sa.Column("value_enc", sa.Text(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["dsr_requests.id"], name="fk_dsr_identities_request_id_dsr_requests"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_identities"),
        sa.UniqueConstraint("request_id", "kind", "value_mac", name="uq_dsr_identities_value"),
    )
    op.create_index("ix_dsr_identities_request_id", "dsr_identities", ["request_id"])
    op.create_table(
        "dsr_pauses",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["dsr_requests.id"], name="fk_dsr_pauses_request_id_dsr_requests"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_pauses"),
    )
    op.create_index("ix_dsr_pauses_request_id", "dsr_pauses", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_dsr_pauses_request_id", table_name="dsr_pauses")
    op.drop_table("dsr_pauses")
    op.drop_index("ix_dsr_identities_request_id", table_name="dsr_identities")
    op.drop_table("dsr_identities")
    with op.batch_alter_table("dsr_requests") as t:
        t.drop_column("fee_paid_at")
        t.drop_column("fee_amount")
        t.drop_column("received_via")
