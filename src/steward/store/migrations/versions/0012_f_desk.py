"""requests: the officer's desk: who handles a request, and internal notes on it

Revision ID: 0012_f_desk
Revises: 0011_o_subprocessor_notices
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_f_desk"
down_revision: str | Sequence[str] | None = "0011_o_subprocessor_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dsr_assignments",
        sa.Column("request_id", ID, nullable=False),
        sa.Column("assignee", sa.String(200), nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("request_id", name="pk_dsr_assignments"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            name="fk_dsr_assignments_request_id_dsr_requests",
        ),
    )
    op.create_index("ix_dsr_assignments_assignee", "dsr_assignments", ["assignee"])
    op.create_table(
        "dsr_notes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("text_enc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_notes"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.id"],
            name="fk_dsr_notes_request_id_dsr_requests",
        ),
    )
    op.create_index("ix_dsr_notes_request_id", "dsr_notes", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_dsr_notes_request_id", table_name="dsr_notes")
    op.drop_table("dsr_notes")
    op.drop_index("ix_dsr_assignments_assignee", table_name="dsr_assignments")
    op.drop_table("dsr_assignments")
