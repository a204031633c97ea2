"""Writing hourly totals: one upsert per (site, hour, dimension, value) that adds the new
counts to what is stored, so batches from several flushes (or processes) add up; and deleting
totals older than the policy's retention (Art. 5(1)(e))."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from steward.analytics.tables import AnalyticsHour
from steward.legal.periods import add_months
from steward.store.db import rows_matched

CountKey = tuple[str, datetime, str, str]  # site, hour, dimension, value
T = cast(Table, AnalyticsHour.__table__)


def add_counts(session: Session, counts: Mapping[CountKey, list[int]]) -> int:
    """Add `counts` ({key: [views, visitors]}) to the stored totals; returns rows touched."""
    if not counts:
        return 0
    rows = [{"site": k[0], "hour": k[1], "dimension": k[2], "value": k[3],
             "views": v[0], "visitors": v[1]} for k, v in counts.items()]
    name = session.get_bind().dialect.name
    if name in ("sqlite", "postgresql"):
        ins = (sqlite.insert(T) if name == "sqlite" else postgresql.insert(T))
        stmt = ins.on_conflict_do_update(
            index_elements=["site", "hour", "dimension", "value"],
            set_={"views": T.c.views + ins.excluded.views,
                  "visitors": T.c.visitors + ins.excluded.visitors})
        session.execute(stmt, rows)
    else:  # any other database: update, then insert what was not there
        for row in rows:
            res = session.execute(
                update(T).where(T.c.site == row["site"], T.c.hour == row["hour"],
                                T.c.dimension == row["dimension"], T.c.value == row["value"])
                .values(views=T.c.views + row["views"], visitors=T.c.visitors + row["visitors"]))
            if rows_matched(res) == 0:
                session.execute(T.insert(), [row])
    return len(rows)


def purge(session: Session, *, retention_months: int, now: datetime) -> int:
    """Delete hourly totals older than `retention_months` before `now`; returns rows deleted."""
    # The first day whose totals are kept: that many months back, counted as Reg. 1182/71
    # counts months (the earlier date plus the months gives today's date).
    year, month0 = divmod(now.year * 12 + now.month - 1 - retention_months, 12)
    first = date(year, month0 + 1, 1)
    cutoff_day = max((d for d in (first + timedelta(days=i) for i in range(31))
                      if d.month == first.month and add_months(d, retention_months) <= now.date()),
                     default=first)
    cutoff = datetime.combine(cutoff_day, datetime.min.time(), tzinfo=now.tzinfo)
    return rows_matched(session.execute(delete(T).where(T.c.hour < cutoff)))
