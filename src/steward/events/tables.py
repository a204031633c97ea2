"""How far each declared webhook has received each source of events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base


class EventCursor(Base):
    """The last event of `source` (audit | consent) delivered to webhook `webhook`; while a
    delivery fails, when to try again."""

    __tablename__ = "event_cursors"

    webhook: Mapped[str] = mapped_column(String(100), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
