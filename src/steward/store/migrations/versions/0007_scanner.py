"""scanner: the last scan report of each system field

Revision ID: 0007_scanner
Revises: 0001
Create Date: 2026-11-26
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_scanner"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("scanner",)
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scan_reports",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("scanned_at", TS, nullable=False),
        sa.Column("system", sa.String(120), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("category", sa.String(200), nullable=True),
        sa.Column("free_text", sa.Boolean, nullable=False),
        sa.Column("rows_scanned", sa.BigInteger, nullable=False),
        sa.Column("values_scanned", sa.BigInteger, nullable=False),
        sa.Column("findings", sa.BigInteger, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("skipped", sa.Text, nullable=False),
        sa.Column("gap", sa.Boolean, nullable=False),
        sa.Column("suggestion", sa.Text, nullable=True),
        sa.Column("sample", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scan_reports"),
    )
    op.create_index("ix_scan_reports_scanned_at", "scan_reports", ["scanned_at"])
    op.create_index("ix_scan_reports_system", "scan_reports", ["system"])
    op.create_index("ix_scan_reports_gap", "scan_reports", ["gap"])


def downgrade() -> None:
    op.drop_index("ix_scan_reports_gap", table_name="scan_reports")
    op.drop_index("ix_scan_reports_system", table_name="scan_reports")
    op.drop_index("ix_scan_reports_scanned_at", table_name="scan_reports")
    op.drop_table("scan_reports")
