"""Consent tables: the append-only event ledger with its own hash chain and head row, the
current-state projection, the notice snapshots (keyed by sha256) and hashed API keys.

The ledger never holds a plain e-mail address: subjects are references (`acct:<id>`,
`email:<keyed HMAC>`, `cid:<browser consent id>`), see `subjects.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.audit.chain import GENESIS as GENESIS
from steward.store.db import Base

BIGINT = BigInteger().with_variant(Integer, "sqlite")


class ConsentSnapshot(Base):
    """Exactly the text and choices a notice showed, as canonical JSON, keyed by its sha256."""

    __tablename__ = "consent_snapshots"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    notice_id: Mapped[str] = mapped_column(String(120), index=True)
    notice_version: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConsentEvent(Base):
    """One consent decision (Art. 7(1): who, when, what they were shown, how)."""

    __tablename__ = "consent_events"

    seq: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    subject_ref: Mapped[str] = mapped_column(String(120), index=True)
    purpose: Mapped[str] = mapped_column(String(130), index=True)
    purpose_version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    notice_id: Mapped[str | None] = mapped_column(String(120))
    notice_version: Mapped[str | None] = mapped_column(String(40))
    notice_language: Mapped[str | None] = mapped_column(String(8))
    snapshot_sha256: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("consent_snapshots.sha256")
    )
    method: Mapped[str] = mapped_column(String(40))
    ui_action: Mapped[str | None] = mapped_column(String(40))
    source_page: Mapped[str | None] = mapped_column(String(500))
    form_id: Mapped[str | None] = mapped_column(String(120))
    banner_revision: Mapped[str | None] = mapped_column(String(40))
    evidence_ref: Mapped[str | None] = mapped_column(String(600))
    recorded_by: Mapped[str] = mapped_column(String(200))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    supersedes: Mapped[str | None] = mapped_column(String(36))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ConsentHead(Base):
    """The ledger chain's tip. Every write updates this row first, so writers take turns: the
    chain never forks and the state table is always written by the same serialized writer."""

    __tablename__ = "consent_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class ConsentState(Base):
    """(subject, purpose) → the latest decision, written in the same transaction as its event."""

    __tablename__ = "consent_state"

    subject_ref: Mapped[str] = mapped_column(String(120), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(130), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    purpose_version: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(36))
    event_seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConsentApiKey(Base):
    """A key for the consent API (check, filter, record). Only its sha256 is stored."""

    __tablename__ = "consent_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
