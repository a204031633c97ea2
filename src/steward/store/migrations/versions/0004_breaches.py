"""breaches and processors: the breach register (Art. 33(5)) and processor changes (Art. 28)

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26
"""
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("breaches",)
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def _id() -> sa.Column[Any]:
    return sa.Column("id", BIGINT, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "breaches",
        _id(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("aware_at", TS, nullable=False),
        sa.Column("occurred_at", TS, nullable=True),
        sa.Column("discovery_source", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("nature", sa.JSON, nullable=False),
        sa.Column("systems", sa.JSON, nullable=False),
        sa.Column("data_categories", sa.JSON, nullable=False),
        sa.Column("special_categories", sa.JSON, nullable=False),
        sa.Column("subject_categories", sa.JSON, nullable=False),
        sa.Column("countries", sa.JSON, nullable=False),
        sa.Column("subjects_approx", sa.Integer, nullable=True),
        sa.Column("records_approx", sa.Integer, nullable=True),
        sa.Column("consequences", sa.Text, nullable=False),
        sa.Column("measures_taken", sa.Text, nullable=False),
        sa.Column("measures_proposed", sa.Text, nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=True),
        sa.Column("contact_email", sa.String(254), nullable=True),
        sa.Column("contact_phone", sa.String(50), nullable=True),
        sa.Column("processor_key", sa.String(120), nullable=True),
        sa.Column("processor_reported_at", TS, nullable=True),
        sa.Column("risk", sa.String(20), nullable=True),
        sa.Column("risk_reasoning", sa.Text, nullable=True),
        sa.Column("assessed_at", TS, nullable=True),
        sa.Column("assessed_by", sa.String(200), nullable=True),
        sa.Column("exception_34_3", sa.String(1), nullable=True),
        sa.Column("exception_reason", sa.Text, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_breaches"),
    )
    op.create_index("ix_breaches_aware_at", "breaches", ["aware_at"])
    op.create_index("ix_breaches_status", "breaches", ["status"])

    def child(name: str, *cols: sa.Column[Any], unique: tuple[str, ...] = ()) -> None:
        args: list[SchemaItem] = [
            _id(),
            sa.Column("breach_id", BIGINT, nullable=False),
            *cols,
            sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
            sa.ForeignKeyConstraint(["breach_id"], ["breaches.id"],
                                    name=f"fk_{name}_breach_id_breaches"),
        ]
        if unique:
            args.append(sa.UniqueConstraint(*unique, name=f"uq_{name}_{unique[0]}"))
        op.create_table(name, *args)
        op.create_index(f"ix_{name}_breach_id", name, ["breach_id"])

    child("breach_versions",
          sa.Column("version", sa.Integer, nullable=False),
          sa.Column("at", TS, nullable=False),
          sa.Column("actor", sa.String(200), nullable=False),
          sa.Column("change", sa.String(40), nullable=False),
          sa.Column("data", sa.JSON, nullable=False),
          unique=("breach_id", "version"))
    child("breach_notifications",
          sa.Column("kind", sa.String(20), nullable=False),
          sa.Column("authority", sa.String(2), nullable=True),
          sa.Column("phase", sa.String(20), nullable=False),
          sa.Column("sent_at", TS, nullable=False),
          sa.Column("channel", sa.String(200), nullable=False),
          sa.Column("reference", sa.String(200), nullable=True),
          sa.Column("content", sa.Text, nullable=False),
          sa.Column("late_reason", sa.Text, nullable=True),
          sa.Column("recorded_at", TS, nullable=False),
          sa.Column("recorded_by", sa.String(200), nullable=False))
    child("breach_reminders",
          sa.Column("hours", sa.Integer, nullable=False),
          sa.Column("sent_at", TS, nullable=False),
          sa.Column("message_id", sa.String(300), nullable=True),
          unique=("breach_id", "hours"))
    child("breach_letters",
          sa.Column("recipient_hash", sa.String(64), nullable=False),
          sa.Column("system", sa.String(120), nullable=False),
          sa.Column("language", sa.String(2), nullable=False),
          sa.Column("sent_at", TS, nullable=False),
          sa.Column("message_id", sa.String(300), nullable=True),
          unique=("breach_id", "recipient_hash"))
    child("breach_lookups",
          sa.Column("at", TS, nullable=False),
          sa.Column("actor", sa.String(200), nullable=False),
          sa.Column("selection", sa.JSON, nullable=False),
          sa.Column("subjects", sa.Integer, nullable=False),
          sa.Column("records", sa.Integer, nullable=False),
          sa.Column("without_address", sa.Integer, nullable=False))
    op.create_table(
        "processor_changes",
        _id(),
        sa.Column("processor_key", sa.String(120), nullable=False),
        sa.Column("sub_processor_key", sa.String(120), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_processor_changes"),
    )
    op.create_index("ix_processor_changes_processor_key", "processor_changes",
                    ["processor_key"])


def downgrade() -> None:
    op.drop_table("processor_changes")
    for name in ("breach_lookups", "breach_letters", "breach_reminders",
                 "breach_notifications", "breach_versions"):
        op.drop_table(name)
    op.drop_table("breaches")
