"""Request figures per month for the dashboard: requests opened and closed by type, the share
answered on time (by the date due, extended where Art. 12(3) allowed it) and the median days
from receipt to the answer. Withdrawn requests count as closed but not as answered."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from steward.requests.states import State
from steward.requests.tables import DsrRequest

ANSWERED = (State.completed.value, State.refused.value)
CLOSED = (*ANSWERED, State.withdrawn.value)


@dataclass(frozen=True)
class Month:
    start: date  # the first day of the month
    opened: dict[str, int]  # type -> requests received
    closed: dict[str, int]  # type -> requests closed
    answered: int  # completed or refused
    on_time: int  # of those, answered by the date due
    median_days: float | None  # receipt to answer, of those answered

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


def _month(d: date) -> date:
    return d.replace(day=1)


def month_starts(today: date, months: int) -> list[date]:
    """The first days of the last `months` months, oldest first, this month last."""
    y, m = today.year, today.month
    out = []
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def monthly(session: Session, *, months: int = 12, today: date | None = None) -> list[Month]:
    """The last `months` months, oldest first (dates in UTC)."""
    today = today or datetime.now(UTC).date()
    starts = month_starts(today, months)
    first = starts[0]
    since = datetime(first.year, first.month, 1, tzinfo=UTC)
    rows = session.execute(
        select(
            DsrRequest.type,
            DsrRequest.state,
            DsrRequest.received_on,
            DsrRequest.due_on,
            DsrRequest.completed_at,
        ).where(or_(DsrRequest.received_on >= first, DsrRequest.completed_at >= since))
    ).all()
    opened: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    closed: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answered: dict[date, list[int]] = defaultdict(list)
    on_time: dict[date, int] = defaultdict(int)
    for type_, state, received, due, done_at in rows:
        if received >= first:
            opened[_month(received)][type_] += 1
        if done_at is None or state not in CLOSED:
            continue
        done = (done_at if done_at.tzinfo else done_at.replace(tzinfo=UTC)).astimezone(UTC).date()
        if done < first:
            continue
        closed[_month(done)][type_] += 1
        if state in ANSWERED:
            answered[_month(done)].append((done - received).days)
            on_time[_month(done)] += done <= due
    return [
        Month(
            m,
            dict(opened[m]),
            dict(closed[m]),
            len(answered[m]),
            on_time[m],
            float(statistics.median(answered[m])) if answered[m] else None,
        )
        for m in starts
    ]
