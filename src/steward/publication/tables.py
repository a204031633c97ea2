"""Published policy versions and the announcements of their new purposes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base

BIGINT = BigInteger().with_variant(Integer, "sqlite")


class PolicyVersion(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("sha256", name="uq_policy_versions_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40))
    effective: Mapped[date] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    document: Mapped[str] = mapped_column(Text)  # the policy as canonical JSON


class Announcement(Base):
    """A new purpose (or one widened to new data categories or recipients) to be told to the
    people concerned before its processing starts (GDPR Art. 13(3), Art. 14(4)).

    `status`: `planned` (created when the version was published; nobody told yet, the purpose
    is blocked), `sending` (mails queued; `starts_at` fixed), `sent` (every mail went out).
    `starts_at` is set when sending begins: sending time plus the policy's notice period; it is
    never moved by a retry (a person told late gets a later date of their own)."""

    __tablename__ = "announcements"
    __table_args__ = (
        UniqueConstraint("version_id", "purpose", name="uq_announcements_version_purpose"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    purpose: Mapped[str] = mapped_column(String(130), index=True)
    change: Mapped[str] = mapped_column(String(20))  # "added" | "widened"
    details: Mapped[str] = mapped_column(Text, default="")  # what widened, one per line
    status: Mapped[str] = mapped_column(String(20))
    notice_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    all_on_time: Mapped[bool] = mapped_column(Boolean, default=False)
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    without_address: Mapped[int] = mapped_column(Integer, default=0)


class AnnouncementRecipient(Base):
    """One person to tell: a subject reference (`email:<keyed hash>`, the consent ledger's),
    never the address, which is read from the company's systems when the mail is sent.
    Each send is recorded here (when, the Message-ID), and so is each failure with its retry."""

    __tablename__ = "announcement_recipients"
    __table_args__ = (
        UniqueConstraint("announcement_id", "subject_ref", name="uq_announcement_recipients"),
    )

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    subject_ref: Mapped[str] = mapped_column(String(120), index=True)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
