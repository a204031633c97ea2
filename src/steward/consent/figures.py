"""Consent figures for the console: decisions per purpose per day, and current totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.consent.purposes import now
from steward.consent.tables import ConsentEvent, ConsentState

POSITIVE = ("given",)


@dataclass(frozen=True)
class Series:
    purpose: str
    days: list[date]
    given: list[int]
    declined: list[int]  # withdrawn, refused, objected, gpc_opt_out, expired


def daily(session: Session, *, days: int = 30, at: datetime | None = None) -> list[Series]:
    """Decisions per purpose and day over the last `days` days (UTC), oldest first."""
    end = (at or now()).date()
    start = end - timedelta(days=days - 1)
    since = datetime(start.year, start.month, start.day)
    day = func.date(ConsentEvent.at)
    rows = session.execute(
        select(ConsentEvent.purpose, day, ConsentEvent.action, func.count())
        .where(ConsentEvent.at >= since)
        .group_by(ConsentEvent.purpose, day, ConsentEvent.action)
    ).all()
    counts: dict[str, dict[tuple[date, bool], int]] = defaultdict(lambda: defaultdict(int))
    for purpose, d, action, n in rows:
        d = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        counts[purpose][(d, action in POSITIVE)] += int(n)
    span = [start + timedelta(days=i) for i in range(days)]
    return [Series(p, span, [c[(d, True)] for d in span], [c[(d, False)] for d in span])
            for p, c in sorted(counts.items())]


def totals(session: Session) -> dict[str, dict[str, int]]:
    """purpose → state → number of subjects, from the current-state table."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for purpose, st, n in session.execute(
        select(ConsentState.purpose, ConsentState.state, func.count())
        .group_by(ConsentState.purpose, ConsentState.state)
    ):
        out[purpose][st] = int(n)
    return dict(out)


def event_count(session: Session) -> int:
    return int(session.scalar(select(func.count(ConsentEvent.seq))) or 0)
