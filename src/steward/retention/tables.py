"""Retention tables in Steward's store: runs, their per-batch checkpoints, sweep locks and
legal holds; and the last plan of each rule (its counts), so the console reads them without
querying the company's systems.

A run keeps the cutoff it started with, so a resumed run selects exactly the rows the first
attempt would have. Each batch is written as an *intent* (its key window and the counts it
expects) before the company system's transaction commits, and marked done with the counts the
database reported afterwards; `(run_id, batch_no)` is the primary key, so a batch is recorded
once however often it is retried.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base

BIGID = BigInteger().with_variant(Integer, "sqlite")


class RetentionRun(Base):
    """One execution of one rule (status: running, done, failed, waiting)."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(120), index=True)
    system: Mapped[str] = mapped_column(String(120))
    table_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    cutoff: Mapped[date] = mapped_column(Date)
    batch_size: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The keyset checkpoint: JSON of the last primary key of the last completed batch.
    last_pk: Mapped[str | None] = mapped_column(String(200), nullable=True)
    batches_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(BigInteger, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    missing_trigger: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(200))


class RetentionBatch(Base):
    """One batch of a run: the key window (after_pk, last_pk], expected and actual counts."""

    __tablename__ = "retention_batches"

    run_id: Mapped[int] = mapped_column(
        BIGID, ForeignKey("retention_runs.id", ondelete="CASCADE"), primary_key=True
    )
    batch_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    after_pk: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_pk: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # pending | done
    expected: Mapped[str] = mapped_column(Text)  # JSON table -> rows
    counts: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON table -> rows
    held: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    # JSON reason -> values the scanner could not read (binary, too_large, not_text): left
    # unredacted by a `redact` rule, and said so in the evidence.
    skipped: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RetentionLock(Base):
    """At most one sweep of a rule at a time: a row per rule, renewed by each batch."""

    __tablename__ = "retention_locks"

    rule: Mapped[str] = mapped_column(String(120), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(BIGID, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LegalHold(Base):
    """A legal hold: stops deletion of a record (system/table/pk) or of everything matching
    an identity value (identity_type/identity_value) until lifted."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    system: Mapped[str | None] = mapped_column(String(120), nullable=True)
    table_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pk: Mapped[str | None] = mapped_column(String(200), nullable=True)
    identity_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # Needed to find the held rows; shown masked in the console, never in the audit log.
    identity_value: Mapped[str | None] = mapped_column(String(320), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class RetentionPlanCache(Base):
    """The last dry run of a rule (`RulePlan.to_dict()` as JSON) and when it was counted:
    refreshed by the daily sweep job and the console's refresh button."""

    __tablename__ = "retention_plan_cache"

    rule: Mapped[str] = mapped_column(String(120), primary_key=True)
    plan: Mapped[str] = mapped_column(Text)
    rule_digest: Mapped[str] = mapped_column(String(64))
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when something the counts depend on changed since (e.g. a consent decision for a
    # purpose the rule's condition reads); cleared by the next count.
    stale_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
