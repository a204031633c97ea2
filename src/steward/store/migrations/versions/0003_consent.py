"""consent: ledger with its own hash chain, current state, notice snapshots, API keys

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-26
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("consent",)
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consent_snapshots",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("notice_id", sa.String(120), nullable=False),
        sa.Column("notice_version", sa.String(40), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_consent_snapshots"),
    )
    op.create_index("ix_consent_snapshots_notice_id", "consent_snapshots", ["notice_id"])
    op.create_table(
        "consent_events",
        sa.Column("seq", BIGINT, nullable=False, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("subject_ref", sa.String(120), nullable=False),
        sa.Column("purpose", sa.String(130), nullable=False),
        sa.Column("purpose_version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("notice_id", sa.String(120), nullable=True),
        sa.Column("notice_version", sa.String(40), nullable=True),
        sa.Column("notice_language", sa.String(8), nullable=True),
        sa.Column("snapshot_sha256", sa.String(64), nullable=True),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("ui_action", sa.String(40), nullable=True),
        sa.Column("source_page", sa.String(500), nullable=True),
        sa.Column("form_id", sa.String(120), nullable=True),
        sa.Column("banner_revision", sa.String(40), nullable=True),
        sa.Column("evidence_ref", sa.String(600), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("valid_until", TS, nullable=True),
        sa.Column("gpc", sa.Boolean, nullable=False),
        sa.Column("supersedes", sa.String(36), nullable=True),
        sa.Column("ip_address", sa.String(45), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_consent_events"),
        sa.UniqueConstraint("event_id", name="uq_consent_events_event_id"),
        sa.ForeignKeyConstraint(
            ["snapshot_sha256"], ["consent_snapshots.sha256"],
            name="fk_consent_events_snapshot_sha256_consent_snapshots",
        ),
    )
    op.create_index("ix_consent_events_subject_ref", "consent_events", ["subject_ref"])
    op.create_index("ix_consent_events_purpose", "consent_events", ["purpose"])
    head = op.create_table(
        "consent_head",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consent_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    op.create_table(
        "consent_state",
        sa.Column("subject_ref", sa.String(120), nullable=False),
        sa.Column("purpose", sa.String(130), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("purpose_version", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_seq", sa.BigInteger, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("valid_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("subject_ref", "purpose", name="pk_consent_state"),
    )
    op.create_table(
        "consent_api_keys",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consent_api_keys"),
        sa.UniqueConstraint("prefix", name="uq_consent_api_keys_prefix"),
    )


def downgrade() -> None:
    op.drop_table("consent_api_keys")
    op.drop_table("consent_state")
    op.drop_table("consent_head")
    op.drop_index("ix_consent_events_purpose", table_name="consent_events")
    op.drop_index("ix_consent_events_subject_ref", table_name="consent_events")
    op.drop_table("consent_events")
    op.drop_index("ix_consent_snapshots_notice_id", table_name="consent_snapshots")
    op.drop_table("consent_snapshots")
