"""retention: a cached plan marked stale when a consent it depends on changes

Revision ID: 0009_C_retention_consent
Revises: 0008_retention_cache
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_C_retention_consent"
down_revision: str | Sequence[str] | None = "0008_retention_cache"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("retention_plan_cache") as t:
        t.add_column(sa.Column("stale_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("retention_plan_cache") as t:
        t.drop_column("stale_reason")
