"""requests: a secure message thread per request, its encrypted attachments, and the person's
sessions on one request (one verification per journey)

Revision ID: 0012_c_messages
Revises: 0012_b_drafts
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_c_messages"
down_revision: str | Sequence[str] | None = "0012_b_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "dsr_messages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("author", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.Column("notice_sent_at", TS, nullable=True),
        sa.Column("notice_error", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_messages"),
        _fk("dsr_messages", "request_id", "dsr_requests"),
    )
    op.create_index("ix_dsr_messages_request_id", "dsr_messages", ["request_id"])
    op.create_table(
        "dsr_attachments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored", sa.String(80), nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsr_attachments"),
        _fk("dsr_attachments", "message_id", "dsr_messages"),
        _fk("dsr_attachments", "request_id", "dsr_requests"),
    )
    op.create_index("ix_dsr_attachments_message_id", "dsr_attachments", ["message_id"])
    op.create_index("ix_dsr_attachments_request_id", "dsr_attachments", ["request_id"])
    op.create_table(
        "dsr_subject_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_dsr_subject_sessions"),
        _fk("dsr_subject_sessions", "request_id", "dsr_requests"),
    )
    op.create_index("ix_dsr_subject_sessions_request_id", "dsr_subject_sessions", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_dsr_subject_sessions_request_id", table_name="dsr_subject_sessions")
    op.drop_table("dsr_subject_sessions")
    op.drop_index("ix_dsr_attachments_request_id", table_name="dsr_attachments")
    op.drop_index("ix_dsr_attachments_message_id", table_name="dsr_attachments")
    op.drop_table("dsr_attachments")
    op.drop_index("ix_dsr_messages_request_id", table_name="dsr_messages")
    op.drop_table("dsr_messages")
