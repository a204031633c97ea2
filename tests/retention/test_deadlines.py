""""No later than N months" includes its last day, on every dialect (LEGAL.md, Deadlines:
Reg. 1182/71 Art. 3(2)(c), clamped to month end, never rolled forward)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company as co
from tests.retention.conftest import engines_for

from steward.retention.plan import plan_rule
from steward.retention.sweep import run_rule

# Process end → last day, written by hand from LEGAL.md (3 months, same date or month end).
CASES = {
    1: ("2025-01-31 10:00", date(2025, 4, 30)),   # no 31 April: 30 April
    2: ("2024-11-30 23:30", date(2025, 2, 28)),   # no 30 February: 28 February
    3: ("2023-11-29 08:00", date(2024, 2, 29)),   # leap year
    4: ("2025-05-31 12:00", date(2025, 8, 31)),   # a Sunday: not moved to Monday 1 September
}


def _plan_expired(url: str, day: date) -> list[int]:
    engines = engines_for(url)
    plan = plan_rule(co.make_policy(), "job_applications", engines=engines, today=day)
    engines.dispose()
    assert plan.error is None and plan.expired == len(plan.sample)
    return list(plan.sample)


def _sweep(url: str, store: sessionmaker[Session], day: date) -> set[int]:
    engines = engines_for(url)
    now = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    result = run_rule(store, co.make_policy(), "job_applications", engines=engines, now=now)
    engines.dispose()
    assert result.status == "done"
    eng = sa.create_engine(url)
    left = co.ids(eng, co.applications)
    eng.dispose()
    return left


def test_maximum_is_deleted_on_its_last_day(
    company_url: str, store: sessionmaker[Session]
) -> None:
    eng = sa.create_engine(company_url)
    with eng.begin() as c:
        c.execute(co.applications.insert(), [
            {"id": i, "name": f"Test Person {i}", "email": f"p{i}@example.com",
             "process_ended_at": co.at(ended)} for i, (ended, _) in CASES.items()])
    eng.dispose()
    for i, (_, last) in sorted(CASES.items(), key=lambda kv: kv[1][1]):
        before = last - timedelta(days=1)
        assert _plan_expired(company_url, before) == []
        assert i in _sweep(company_url, store, before), f"{i} deleted before {last}"
        assert _plan_expired(company_url, last) == [i]
        assert i not in _sweep(company_url, store, last), f"{i} not deleted on {last}"


def test_a_trigger_at_midnight_on_the_cutoff_day_is_not_swept_a_day_early(
    company_url: str, store: sessionmaker[Session]
) -> None:
    # Ended at 00:00 on 30 January 2025: 3 months end on 30 April. On 29 April the first date
    # not yet due is 30 January itself, so a sweep comparing `<=` instead of `<` with that day
    # would take this row one day early (where a timestamp at midnight equals the date).
    eng = sa.create_engine(company_url)
    with eng.begin() as c:
        c.execute(co.applications.insert(), [
            {"id": 7, "name": "Test Person 7", "email": "p7@example.com",
             "process_ended_at": co.at("2025-01-30 00:00")}])
    eng.dispose()
    assert _plan_expired(company_url, date(2025, 4, 29)) == []
    assert 7 in _sweep(company_url, store, date(2025, 4, 29))
    assert _plan_expired(company_url, date(2025, 4, 30)) == [7]
    assert 7 not in _sweep(company_url, store, date(2025, 4, 30))
