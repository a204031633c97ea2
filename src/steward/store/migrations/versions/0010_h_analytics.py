"""analytics: hourly visit totals (no raw events, no identifiers)

Revision ID: 0010_h_analytics
Revises: 0001
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_h_analytics"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("analytics",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_hours",
        sa.Column("site", sa.String(120), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dimension", sa.String(10), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("views", sa.BigInteger, nullable=False),
        sa.Column("visitors", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("site", "hour", "dimension", "value", name="pk_analytics_hours"),
    )


def downgrade() -> None:
    op.drop_table("analytics_hours")
