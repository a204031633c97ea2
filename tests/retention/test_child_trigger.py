"""Triggers read from several child rows (`of: latest|earliest`), on every dialect: "6 months
after the *last* application closed"; one application still open means not ended yet."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import hr
from tests.retention.test_conditions import hr_url  # noqa: F401 - the dialect fixture

from steward.connectors.engines import SystemEngines
from steward.retention.plan import plan_rule
from steward.retention.sweep import run_rule

NOW = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)

# candidate -> close dates of its applications (None: still open), written by hand.
APPLICATIONS = {
    1: ["2024-11-10", "2025-01-20"],  # latest 20 Jan → due 20 Jul 2025
    2: ["2024-06-01", "2025-03-15"],  # latest 15 Mar → due 15 Sep 2025: not yet
    3: ["2024-01-05", None],          # one still open: not ended
    4: [],                            # never applied: no trigger date
    5: ["2025-03-01"],                # due 1 Sep 2025: its last day is today
}


def fill(url: str) -> None:
    eng = sa.create_engine(url)
    app_id = 100
    with eng.begin() as c:
        c.execute(hr.candidates.insert(), [
            {"id": i, "email": f"candidate{i}@example.com", "left_at": None}
            for i in APPLICATIONS])
        for cand, dates in APPLICATIONS.items():
            for d in dates:
                app_id += 1
                c.execute(hr.applications.insert().values(
                    id=app_id, candidate_id=cand,
                    closed_at=datetime.fromisoformat(f"{d} 15:30") if d else None))
    eng.dispose()


@pytest.mark.parametrize(("of", "due", "missing"), [
    ("latest", [1, 5], 2),
    ("earliest", [1, 2, 3, 5], 1),
])
def test_trigger_from_child_rows(
    hr_url: str, store: sessionmaker[Session], of: str, due: list[int],  # noqa: F811
    missing: int,
) -> None:
    fill(hr_url)
    rule = hr.rule(trigger={"field": "applications.closed_at", "of": of})
    policy = hr.make_policy(rule, url=hr_url)
    engines = SystemEngines(urls={"hr": hr_url})
    try:
        plan = plan_rule(policy, "candidates", engines=engines, today=NOW.date())
        assert plan.error is None, plan.error
        assert (plan.expired, plan.sample, plan.missing_trigger) == (len(due), due, missing)
        assert plan.dependants == ["applications"]
        # One set-based statement: the child dates are grouped, not read row by row.
        assert any("GROUP BY" in s and "trigger_rows" in s for s in plan.statements)
        result = run_rule(policy=policy, sm=store, rule_key="candidates", engines=engines,
                          now=NOW)
        assert result.status == "done"
        assert result.counts["candidates"] == len(due)
    finally:
        engines.dispose()
    assert hr.ids(hr_url) == set(APPLICATIONS) - set(due)
    left_apps = hr.ids(hr_url, hr.applications)
    eng = sa.create_engine(hr_url)
    with eng.connect() as c:
        owners = {r[0] for r in c.execute(sa.select(hr.applications.c.candidate_id))}
    eng.dispose()
    assert owners.isdisjoint(due) and len(left_apps) == sum(
        len(v) for k, v in APPLICATIONS.items() if k not in due)
