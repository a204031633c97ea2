"""breaches: a lookup that could not search its system keeps the reason

Revision ID: 0009_b_lookup_not_searched
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_b_lookup_not_searched"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("breach_lookups") as t:
        t.add_column(sa.Column("not_searched", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("breach_lookups") as t:
        t.drop_column("not_searched")
