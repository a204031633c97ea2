"""Processor register changes (GDPR Art. 28): the policy lists processors and sub-processors;
changes made since (a sub-processor added or removed, a DPA signed or renewed, a field
updated) are rows here, each with the date it takes effect. The register is the policy with
these changes applied in order — a history, never an overwrite.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base


class ProcessorChange(Base):
    __tablename__ = "processor_changes"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    processor_key: Mapped[str] = mapped_column(String(120), index=True)
    # Set for a change about one sub-processor of `processor_key`.
    sub_processor_key: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))  # added / removed / updated / dpa
    effective: Mapped[date] = mapped_column(Date)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))


class SubprocessorNotice(Base):
    """One controller told of one new sub-processor (Art. 28(2)), and their objection."""

    __tablename__ = "subprocessor_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(120))
    sub_processor: Mapped[str] = mapped_column(String(120))
    controller: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))  # the controller's business contact
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    objection_days: Mapped[int] = mapped_column(Integer)
    objection_deadline: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(300))
    objected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    objection_note: Mapped[str | None] = mapped_column(Text)


class ControllerApiKey(Base):
    """A key for one controller served (Art. 28(3)(e) assisted requests): it sees and submits
    that controller's requests only. Stored as a hash (`steward.store.apikeys`)."""

    __tablename__ = "controller_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    controller: Mapped[str] = mapped_column(String(120), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(20), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
