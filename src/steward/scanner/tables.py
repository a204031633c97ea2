"""The scanner's table in Steward's store: the last scan of each system field.

One row per (system, table, field) scanned: counts by finding type, values scanned and
skipped, whether the field is a policy gap. Deliberately no example values, not even masked
ones: the store keeps where sensitive data lives and how much, never the data itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base

BIGID = BigInteger().with_variant(Integer, "sqlite")


class ScanReportRow(Base):
    """The latest scan of one field of a company system (replaced by the next scan)."""

    __tablename__ = "scan_reports"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    system: Mapped[str] = mapped_column(String(120), index=True)
    table_name: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    free_text: Mapped[bool] = mapped_column(Boolean, default=False)
    rows_scanned: Mapped[int] = mapped_column(BigInteger, default=0)
    values_scanned: Mapped[int] = mapped_column(BigInteger, default=0)
    findings: Mapped[int] = mapped_column(BigInteger, default=0)
    counts: Mapped[str] = mapped_column(Text)  # JSON: finding type -> count
    skipped: Mapped[str] = mapped_column(Text)  # JSON: reason -> count
    gap: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    suggestion: Mapped[str | None] = mapped_column(Text, nullable=True)
    sample: Mapped[int | None] = mapped_column(Integer, nullable=True)  # row limit, if any
    actor: Mapped[str] = mapped_column(String(200))
