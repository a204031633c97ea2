"""requests: data-subject request workflow (GDPR Arts. 12-22)

Revision ID: 0002_requests
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_requests"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("requests",)
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def _fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["request_id"], ["dsr_requests.id"], name=f"fk_{table}_request_id_dsr_requests"
    )


def upgrade() -> None:
    op.create_table(
        "dsr_requests",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("public_id", sa.String(40), nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("details_enc", sa.Text, nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("verified_at", TS, nullable=True),
        sa.Column("verification_evidence", sa.String(500), nullable=True),
        sa.Column("extended", sa.Boolean, nullable=False),
        sa.Column("extension_reason", sa.Text, nullable=True),
        sa.Column("extension_noticed_on", sa.Date, nullable=True),
        sa.Column("approved_by", sa.String(200), nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("refusal_kind", sa.String(20), nullable=True),
        sa.Column("refusal_reason", sa.Text, nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("changes_enc", sa.Text, nullable=True),
        sa.Column("objection_scope", sa.String(30), nullable=True),
        sa.Column("compelling_grounds", sa.Text, nullable=True),
        sa.Column("plan_json", sa.Text, nullable=True),
        sa.Column("result_json", sa.Text, nullable=True),
        sa.Column("letter", sa.Text, nullable=True),
        sa.Column("retries", sa.Integer, nullable=False),
        sa.Column("next_retry_at", TS, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_requests"),
        sa.UniqueConstraint("public_id", name="uq_dsr_requests_public_id"),
    )
    op.create_index("ix_dsr_requests_state", "dsr_requests", ["state"])
    op.create_index("ix_dsr_requests_email", "dsr_requests", ["email"])
    op.create_index("ix_dsr_requests_due_on", "dsr_requests", ["due_on"])
    op.create_index("ix_dsr_requests_email_type", "dsr_requests", ["email", "type"])
    op.create_table(
        "dsr_codes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_codes"),
        _fk("dsr_codes"),
    )
    op.create_index("ix_dsr_codes_request_id", "dsr_codes", ["request_id"])
    op.create_table(
        "dsr_events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_events"),
        _fk("dsr_events"),
    )
    op.create_index("ix_dsr_events_request_id", "dsr_events", ["request_id"])
    op.create_table(
        "dsr_progress",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("system", sa.String(120), nullable=False),
        sa.Column("step", sa.String(30), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("counts_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_progress"),
        _fk("dsr_progress"),
        sa.UniqueConstraint("request_id", "system", "step", name="uq_dsr_progress_step"),
    )
    op.create_index("ix_dsr_progress_request_id", "dsr_progress", ["request_id"])
    op.create_table(
        "dsr_packages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("token_expires_at", TS, nullable=True),
        sa.Column("downloaded_at", TS, nullable=True),
        sa.Column("deleted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_packages"),
        _fk("dsr_packages"),
    )
    op.create_index("ix_dsr_packages_request_id", "dsr_packages", ["request_id"])
    op.create_index("ix_dsr_packages_token_hash", "dsr_packages", ["token_hash"])
    op.create_table(
        "restrictions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("subject_ref", sa.String(120), nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("lifted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_restrictions"),
        _fk("restrictions"),
    )
    op.create_index("ix_restrictions_subject_ref", "restrictions", ["subject_ref"])
    op.create_table(
        "dsr_objections",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("subject_ref", sa.String(120), nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("scope", sa.String(30), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("overridden", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_objections"),
        _fk("dsr_objections"),
    )
    op.create_index("ix_dsr_objections_subject_ref", "dsr_objections", ["subject_ref"])


def downgrade() -> None:
    for t in (
        "dsr_objections",
        "restrictions",
        "dsr_packages",
        "dsr_progress",
        "dsr_events",
        "dsr_codes",
        "dsr_requests",
    ):
        op.drop_table(t)
