"""retention: unscannable values per batch, and the cached plan of each rule

Revision ID: 0008_retention_cache
Revises: 0005_retention
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_retention_cache"
down_revision: str | Sequence[str] | None = "0005_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("retention_batches") as t:
        t.add_column(sa.Column("skipped", sa.Text, nullable=True))
    op.create_table(
        "retention_plan_cache",
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("rule_digest", sa.String(64), nullable=False),
        sa.Column("refreshed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("rule", name="pk_retention_plan_cache"),
    )


def downgrade() -> None:
    op.drop_table("retention_plan_cache")
    with op.batch_alter_table("retention_batches") as t:
        t.drop_column("skipped")
