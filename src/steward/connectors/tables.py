"""Steward's own table for systems that answer later (manual and webhook systems): one task per
subject, system and operation (`steward.connectors.tasks` holds the logic)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base


class SystemTask(Base):
    __tablename__ = "system_tasks"
    __table_args__ = (UniqueConstraint("system", "op", "digest", name="uq_system_tasks_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    system: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # manual | webhook
    op: Mapped[str] = mapped_column(String(20))  # search | erase | rectify | restrict
    digest: Mapped[str] = mapped_column(String(64))  # keyed hash of the subject's identities
    payload_sealed: Mapped[str] = mapped_column(Text)  # identities (+ changes), encrypted
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | done
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Webhook tasks: the environment variable holding the key their callback is signed with.
    key_env: Mapped[str | None] = mapped_column(String(100), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answer_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    file_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
