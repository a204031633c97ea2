"""The one analytics table: hourly totals per site and dimension. Nothing in it can identify
a visitor: there is no address, browser string, visitor code or event id, only counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base

# What a row counts: the site's total, or one page path, referring domain, country or device.
DIMENSIONS = ("total", "page", "referrer", "country", "device")


class AnalyticsHour(Base):
    """Views (and, on `total` rows, visitors first seen that day) in one UTC hour."""

    __tablename__ = "analytics_hours"

    site: Mapped[str] = mapped_column(String(120), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    visitors: Mapped[int] = mapped_column(BigInteger, default=0)
