"""Breach register tables: GDPR Art. 33(5) — every breach is documented, notified or not.

`breaches` holds the current state of each breach; `breach_versions` keeps every earlier state
(an edit is history, not an overwrite); `breach_notifications` the notices sent (authority,
people, public), each phase with its time and content (Art. 33(4)); `breach_reminders` the
clock reminders already mailed (idempotence); `breach_letters` one row per Art. 34 letter sent
(a keyed hash of the address, never the address); `breach_lookups` the affected-people counts.
Datetimes are UTC-aware in Python; SQLite returns them naive (see
`steward.store.db.as_utc`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base, as_utc

BIGINT = BigInteger().with_variant(Integer, "sqlite")


class Breach(Base):
    __tablename__ = "breaches"

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    # Art. 33(1): the clock starts when the controller is reasonably certain of the breach.
    aware_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discovery_source: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    nature: Mapped[list[str]] = mapped_column(JSON)  # confidentiality / integrity / availability
    systems: Mapped[list[str]] = mapped_column(JSON)
    data_categories: Mapped[list[str]] = mapped_column(JSON)
    special_categories: Mapped[list[str]] = mapped_column(JSON)  # Art. 9 / national ids
    subject_categories: Mapped[list[str]] = mapped_column(JSON)
    countries: Mapped[list[str]] = mapped_column(JSON)  # where affected people live
    subjects_approx: Mapped[int | None] = mapped_column(Integer)
    records_approx: Mapped[int | None] = mapped_column(Integer)
    consequences: Mapped[str] = mapped_column(Text)
    measures_taken: Mapped[str] = mapped_column(Text)
    measures_proposed: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    # Art. 33(2): a processor tells the controller without undue delay.
    processor_key: Mapped[str | None] = mapped_column(String(120))
    processor_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    risk: Mapped[str | None] = mapped_column(String(20))
    risk_reasoning: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assessed_by: Mapped[str | None] = mapped_column(String(200))
    exception_34_3: Mapped[str | None] = mapped_column(String(1))
    exception_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def snapshot(self) -> dict[str, Any]:
        """The breach's fields as JSON-safe values (kept in `breach_versions`)."""
        out: dict[str, Any] = {}
        for col in self.__table__.columns:
            value = getattr(self, col.key)
            if isinstance(value, datetime):
                value = as_utc(value).isoformat()
            out[col.key] = value
        return out


class BreachVersion(Base):
    __tablename__ = "breach_versions"
    __table_args__ = (UniqueConstraint("breach_id", "version"),)

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(String(40))  # what replaced this version
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class BreachNotification(Base):
    __tablename__ = "breach_notifications"

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # authority / subjects / public
    authority: Mapped[str | None] = mapped_column(String(2))
    phase: Mapped[str] = mapped_column(String(20))  # initial / supplement (Art. 33(4))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    late_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))


class BreachReminder(Base):
    __tablename__ = "breach_reminders"
    __table_args__ = (UniqueConstraint("breach_id", "hours"),)

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    hours: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(300))


class BreachLetter(Base):
    __tablename__ = "breach_letters"
    __table_args__ = (UniqueConstraint("breach_id", "recipient_hash"),)

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    # A keyed hash (HMAC-SHA256) of the normalized address: idempotence without the address.
    recipient_hash: Mapped[str] = mapped_column(String(64))
    system: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(300))


class BreachLookup(Base):
    __tablename__ = "breach_lookups"

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    selection: Mapped[dict[str, Any]] = mapped_column(JSON)
    subjects: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    without_address: Mapped[int] = mapped_column(Integer)
    # Why the system could not be searched (then the counts are not "nobody": unknown).
    not_searched: Mapped[str | None] = mapped_column(String(500), nullable=True)
