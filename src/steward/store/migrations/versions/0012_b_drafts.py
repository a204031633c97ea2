"""requests: answer drafts, reviewed by an officer before they are sent

Revision ID: 0012_b_drafts
Revises: 0012_f_desk
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_b_drafts"
down_revision: str | Sequence[str] | None = "0012_f_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dsr_drafts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("data_enc", sa.Text(), nullable=True),
        sa.Column("greeting_enc", sa.Text(), nullable=True),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column("edited_by", sa.String(200), nullable=True),
        sa.Column("edited_at", TS, nullable=True),
        sa.Column("sent_by", sa.String(200), nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_drafts"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["dsr_requests.id"], name="fk_dsr_drafts_request_id_dsr_requests"
        ),
        sa.UniqueConstraint("request_id", name="uq_dsr_drafts_request_id"),
    )


def downgrade() -> None:
    op.drop_table("dsr_drafts")
