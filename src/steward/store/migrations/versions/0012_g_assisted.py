"""requests: assisted requests of the controllers served (Art. 28(3)(e)) and their API keys

Revision ID: 0012_g_assisted
Revises: 0012_c_messages
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_g_assisted"
down_revision: str | Sequence[str] | None = "0012_c_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "controller_api_keys",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("controller", sa.String(120), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_controller_api_keys"),
        sa.UniqueConstraint("prefix", name="uq_controller_api_keys_prefix"),
    )
    op.create_index("ix_controller_api_keys_controller", "controller_api_keys", ["controller"])
    with op.batch_alter_table("dsr_requests") as batch:
        batch.add_column(sa.Column("controller", sa.String(120), nullable=True))
        batch.add_column(sa.Column("controller_due_on", sa.Date, nullable=True))
        batch.create_index("ix_dsr_requests_controller", ["controller"])


def downgrade() -> None:
    with op.batch_alter_table("dsr_requests") as batch:
        batch.drop_index("ix_dsr_requests_controller")
        batch.drop_column("controller_due_on")
        batch.drop_column("controller")
    op.drop_index("ix_controller_api_keys_controller", table_name="controller_api_keys")
    op.drop_table("controller_api_keys")
