"""publication: announcements of new purposes (Art. 13(3)) and their recipients

Revision ID: 0010_i_announcements
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_i_announcements"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("purpose", sa.String(130), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("notice_days", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sending_at", TS, nullable=True),
        sa.Column("starts_at", TS, nullable=True),
        sa.Column("all_on_time", sa.Boolean, nullable=False),
        sa.Column("subjects", sa.Integer, nullable=False),
        sa.Column("without_address", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
        sa.ForeignKeyConstraint(["version_id"], ["policy_versions.id"],
                                name="fk_announcements_version_id_policy_versions"),
        sa.UniqueConstraint("version_id", "purpose", name="uq_announcements_version_purpose"),
    )
    op.create_index("ix_announcements_purpose", "announcements", ["purpose"])
    op.create_table(
        "announcement_recipients",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("announcement_id", sa.Integer, nullable=False),
        sa.Column("subject_ref", sa.String(120), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", TS, nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("message_id", sa.String(300), nullable=True),
        sa.Column("starts_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_announcement_recipients"),
        sa.ForeignKeyConstraint(
            ["announcement_id"], ["announcements.id"],
            name="fk_announcement_recipients_announcement_id_announcements"),
        sa.UniqueConstraint("announcement_id", "subject_ref", name="uq_announcement_recipients"),
    )
    op.create_index("ix_announcement_recipients_announcement_id", "announcement_recipients",
                    ["announcement_id"])
    op.create_index("ix_announcement_recipients_subject_ref", "announcement_recipients",
                    ["subject_ref"])


def downgrade() -> None:
    op.drop_table("announcement_recipients")
    op.drop_table("announcements")
