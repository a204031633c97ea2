"""Reading the hourly totals back: visits and visitors per day over a range, the top pages,
referring domains, countries and devices, and the same as CSV rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.analytics.tables import AnalyticsHour
from steward.errors import InvalidInput
from steward.store.db import as_utc

MAX_DAYS = 800


@dataclass
class Report:
    site: str | None
    first: date
    last: date
    days: list[date]
    views: list[int]
    visitors: list[int]
    top: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def total_views(self) -> int:
        return sum(self.views)

    @property
    def total_visitors(self) -> int:
        """Sum of the daily unique visitors (one person on two days counts twice: the daily
        salt makes it impossible to know it was the same person)."""
        return sum(self.visitors)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    if last < first:
        raise InvalidInput("the range ends before it starts")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days")
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    return start, start + timedelta(days=(last - first).days + 1)


def build(session: Session, *, first: date, last: date, site: str | None = None,
          top: int = 10) -> Report:
    """Totals per UTC day from `first` to `last` (inclusive) for `site` (all sites: None)."""
    start, end = _bounds(first, last)
    h = AnalyticsHour
    where = [h.hour >= start, h.hour < end]
    if site:
        where.append(h.site == site)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    views, visitors = [0] * len(days), [0] * len(days)
    for hour, v, u in session.execute(
            select(h.hour, h.views, h.visitors).where(*where, h.dimension == "total")):
        i = index[as_utc(hour).date()]
        views[i] += v
        visitors[i] += u
    rep = Report(site, first, last, days, views, visitors)
    for dim in ("page", "referrer", "country", "device"):
        total = func.sum(h.views)
        rows = session.execute(
            select(h.value, total).where(*where, h.dimension == dim)
            .group_by(h.value).order_by(total.desc(), h.value).limit(top))
        rep.top[dim] = [(str(value), int(n)) for value, n in rows]
    return rep


def csv_text(session: Session, *, first: date, last: date, site: str | None = None) -> str:
    """Every hourly total in the range as CSV: site, hour, dimension, value, views, visitors."""
    start, end = _bounds(first, last)
    h = AnalyticsHour
    q = select(h.site, h.hour, h.dimension, h.value, h.views, h.visitors).where(
        h.hour >= start, h.hour < end).order_by(h.site, h.hour, h.dimension, h.value)
    if site:
        q = q.where(h.site == site)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["site", "hour_utc", "dimension", "value", "views", "visitors"])
    for s, hour, dim, value, v, u in session.execute(q):
        # A leading =, +, - or @ would run as a formula in a spreadsheet (CSV injection).
        safe = "'" + value if value[:1] in ("=", "+", "-", "@") else value
        w.writerow([s, as_utc(hour).strftime("%Y-%m-%dT%H:00Z"), dim, safe, v, u])
    return out.getvalue()
