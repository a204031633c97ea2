"""retention: runs, batch checkpoints, sweep locks, legal holds

Revision ID: 0005_retention
Revises: 0001
Create Date: 2026-11-26
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_retention"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("retention",)
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "retention_runs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("system", sa.String(120), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cutoff", sa.Date, nullable=False),
        sa.Column("batch_size", sa.Integer, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("last_pk", sa.String(200), nullable=True),
        sa.Column("batches_done", sa.Integer, nullable=False),
        sa.Column("rows_done", sa.BigInteger, nullable=False),
        sa.Column("held", sa.Integer, nullable=False),
        sa.Column("blocked", sa.Integer, nullable=False),
        sa.Column("missing_trigger", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retention_runs"),
    )
    op.create_index("ix_retention_runs_rule", "retention_runs", ["rule"])
    op.create_index("ix_retention_runs_status", "retention_runs", ["status"])
    op.create_table(
        "retention_batches",
        sa.Column("run_id", ID, nullable=False),
        sa.Column("batch_no", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("after_pk", sa.String(200), nullable=True),
        sa.Column("last_pk", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("expected", sa.Text, nullable=False),
        sa.Column("counts", sa.Text, nullable=True),
        sa.Column("held", sa.Integer, nullable=False),
        sa.Column("blocked", sa.Integer, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("done_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["retention_runs.id"], ondelete="CASCADE",
                                name="fk_retention_batches_run_id_retention_runs"),
        sa.PrimaryKeyConstraint("run_id", "batch_no", name="pk_retention_batches"),
    )
    op.create_table(
        "retention_locks",
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("run_id", ID, nullable=True),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("rule", name="pk_retention_locks"),
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("system", sa.String(120), nullable=True),
        sa.Column("table_name", sa.String(200), nullable=True),
        sa.Column("pk", sa.String(200), nullable=True),
        sa.Column("identity_type", sa.String(60), nullable=True),
        sa.Column("identity_value", sa.String(320), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("lifted_at", TS, nullable=True),
        sa.Column("lifted_by", sa.String(200), nullable=True),
        sa.Column("lift_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_legal_holds"),
    )


def downgrade() -> None:
    op.drop_table("legal_holds")
    op.drop_table("retention_locks")
    op.drop_table("retention_batches")
    op.drop_index("ix_retention_runs_status", table_name="retention_runs")
    op.drop_index("ix_retention_runs_rule", table_name="retention_runs")
    op.drop_table("retention_runs")
