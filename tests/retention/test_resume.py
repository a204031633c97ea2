"""Resuming runs, the pending-batch protocol, the sweep lock, unreachable systems, and rules
that must fail before they touch anything."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company as co
from tests.retention.conftest import engines_for
from tests.retention.test_sweep import NOW

from steward.connectors.engines import SystemEngines
from steward.errors import InvalidInput
from steward.policy.crossrefs import check_policy
from steward.retention import locks
from steward.retention.plan import plan_rule
from steward.retention.rules import resolve
from steward.retention.sweep import run_rule, start_or_resume
from steward.retention.tables import RetentionBatch, RetentionRun
from steward.store.db import transaction

RULE = "job_applications"


def fill(url: str, n: int, expired: int) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(co.applications.insert(), [
            {"id": i, "email": f"p{i}@example.com",
             "process_ended_at": co.at("2024-01-01" if i % (n // expired) == 0 else "2025-05-01")}
            for i in range(1, n + 1)])
    eng.dispose()


def test_interrupted_run_resumes_with_its_cutoff(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    fill(sqlite_company, 40, 20)
    policy, engines = co.make_policy(), engines_for(sqlite_company)
    first = run_rule(store, policy, RULE, engines=engines, now=NOW, batch_size=3, max_batches=2)
    assert first.status == "paused"
    assert first.counts == {"applications": 6, "application_emails": 0}
    # Resumed a year later: the run keeps its cutoff, so no newly expired row joins it.
    later = datetime(2026, 6, 1, tzinfo=UTC)
    second = run_rule(store, policy, RULE, engines=engines, now=later, batch_size=3)
    assert second.run_id == first.run_id and second.status == "done"
    assert second.counts == {"applications": 20, "application_emails": 0}
    with transaction(store) as s:
        run = s.get(RetentionRun, first.run_id)
        assert run is not None and run.attempts == 2 and run.cutoff.isoformat() == "2025-03-02"
        nos = list(s.scalars(sa.select(RetentionBatch.batch_no).where(
            RetentionBatch.run_id == run.id).order_by(RetentionBatch.batch_no)))
        assert nos == list(range(1, 8))
    assert len(co.ids(sa.create_engine(sqlite_company), co.applications)) == 20


def _pending_batch(store: sessionmaker[Session], policy: object, expected: int) -> int:
    rr = resolve(policy, RULE)  # type: ignore[arg-type]
    with transaction(store) as s:
        run = start_or_resume(s, rr, batch_size=100, actor="test", now=NOW)
        s.add(RetentionBatch(run_id=run.id, batch_no=1, after_pk=json.dumps(None),
                             last_pk=json.dumps(20), status="pending",
                             expected=json.dumps({"applications": expected,
                                                  "application_emails": 0}),
                             held=0, blocked=0, started_at=NOW))
        return run.id


def test_crash_after_the_company_commit_counts_the_batch_once(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    fill(sqlite_company, 40, 20)
    policy = co.make_policy()
    run_id = _pending_batch(store, policy, expected=10)
    # The company transaction of that batch had committed before the crash:
    eng = sa.create_engine(sqlite_company)
    with eng.begin() as c:
        c.execute(sa.delete(co.applications).where(
            co.applications.c.id <= 20, co.applications.c.process_ended_at < co.at("2025-01-01")))
    result = run_rule(store, policy, RULE, engines=engines_for(sqlite_company), now=NOW)
    assert result.run_id == run_id and result.counts["applications"] == 20
    assert len(co.ids(eng, co.applications)) == 20


def test_crash_before_the_company_commit_runs_the_batch(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    fill(sqlite_company, 40, 20)
    policy = co.make_policy()
    run_id = _pending_batch(store, policy, expected=10)
    result = run_rule(store, policy, RULE, engines=engines_for(sqlite_company), now=NOW)
    assert result.run_id == run_id and result.counts["applications"] == 20
    with transaction(store) as s:
        first = s.get(RetentionBatch, (run_id, 1))
        assert first is not None and json.loads(first.counts or "{}")["applications"] == 10


def test_two_workers_on_one_rule_one_runs(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    fill(sqlite_company, 40, 20)
    policy = co.make_policy()
    inside, release = threading.Event(), threading.Event()
    results: list[object] = []

    def slow(batch_no: int, counts: dict[str, int]) -> None:
        inside.set()
        release.wait(10)

    worker = threading.Thread(target=lambda: results.append(run_rule(
        store, policy, RULE, engines=engines_for(sqlite_company), now=NOW, batch_size=5,
        progress=slow)))
    worker.start()
    assert inside.wait(10)
    other = run_rule(store, policy, RULE, engines=engines_for(sqlite_company), now=NOW)
    release.set()
    worker.join(10)
    assert other.status == "locked"
    assert results[0].status == "done" and results[0].counts == {  # type: ignore[attr-defined]
        "applications": 20, "application_emails": 0}
    with transaction(store) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(RetentionRun)) == 1


def test_lock_of_a_dead_process_is_taken_over(store: sessionmaker[Session]) -> None:
    assert locks.acquire(store, RULE, "elsewhere.invalid:1:abc")
    assert not locks.acquire(store, RULE, locks.new_owner())  # another host: wait for expiry
    locks.release(store, RULE, "elsewhere.invalid:1:abc")
    import socket
    dead = f"{socket.gethostname()}:999999:dead"
    assert locks.acquire(store, RULE, dead)
    assert locks.acquire(store, RULE, locks.new_owner())


def test_unreachable_system_is_recorded_then_retried(
    tmp_path: Path, store: sessionmaker[Session]
) -> None:
    url = f"sqlite:///{tmp_path / 'later.db'}"
    policy = co.make_policy()
    first = run_rule(store, policy, RULE, engines=engines_for(url), now=NOW)
    assert first.status == "waiting" and "does not exist" in (first.reason or "")
    with transaction(store) as s:
        run = s.get(RetentionRun, first.run_id)
        assert run is not None and run.status == "waiting"
    co.create(url).dispose()
    fill(url, 10, 5)
    second = run_rule(store, policy, RULE, engines=engines_for(url), now=NOW)
    assert second.run_id == first.run_id and second.status == "done"
    assert second.counts["applications"] == 5


def test_unreachable_postgres_is_waiting(store: sessionmaker[Session]) -> None:
    engines = SystemEngines(urls={"recruiting": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    result = run_rule(store, co.make_policy(), RULE, engines=engines, now=NOW)
    assert result.status == "waiting" and "unavailable" in (result.reason or "")


def test_rule_shorter_than_bookkeeping_law_fails_before_running(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    rules = [dict(r) for r in co.RULES]
    rules[3] = {**rules[3], "period": {"years": 3}}
    policy = co.make_policy(rules)
    with pytest.raises(InvalidInput, match="too short in DK"):
        run_rule(store, policy, "invoices_bookkeeping", engines=engines_for(sqlite_company))
    plan = plan_rule(policy, "invoices_bookkeeping", engines=engines_for(sqlite_company))
    assert plan.error and "Bogføringsloven" in plan.error
    with transaction(store) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(RetentionRun)) == 0


def test_ten_years_plus_current_year_keeps_longer_than_the_law_warns(
    sqlite_company: str,
) -> None:
    plan = plan_rule(co.make_policy(), "invoices_bookkeeping",
                     engines=engines_for(sqlite_company), today=NOW.date())
    assert plan.error is None
    assert any("Art. 5(1)(e)" in w for w in plan.warnings)


def test_missing_column_fails_policy_validation_and_the_run(
    tmp_path: Path, store: sessionmaker[Session]
) -> None:
    rules = [dict(r) for r in co.RULES]
    rules[0] = {**rules[0], "trigger": {"field": "applications.closed_on"}}
    policy = co.make_policy(rules)
    findings = check_policy(policy)
    assert any("closed_on" in str(f) for f in findings.errors)
    # A database lacking a declared column is named clearly at run time too.
    url = f"sqlite:///{tmp_path / 'c.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE applications (id INTEGER PRIMARY KEY, email TEXT)"))
        c.execute(sa.text("CREATE TABLE application_emails (id INTEGER PRIMARY KEY)"))
    with pytest.raises(InvalidInput, match="no column"):
        run_rule(store, co.make_policy(), RULE, engines=engines_for(url), now=NOW)
    with transaction(store) as s:
        run = s.scalars(sa.select(RetentionRun)).one()
        assert run.status == "failed" and "no column" in (run.reason or "")


@pytest.mark.parametrize("action", ["null", "anonymize"])
def test_null_and_anonymize(
    action: str, sqlite_company: str, store: sessionmaker[Session]
) -> None:
    fill(sqlite_company, 4, 2)
    rules = [{**co.RULES[0], "action": action, "fields": ["email", "process_ended_at"]}]
    policy = co.make_policy(rules)
    engines = engines_for(sqlite_company)
    result = run_rule(store, policy, RULE, engines=engines, now=NOW, anonymize_key=b"k" * 32)
    assert result.counts == {"applications": 2}
    eng = sa.create_engine(sqlite_company)
    with eng.connect() as c:
        rows = {r.id: r for r in c.execute(sa.select(co.applications))}
    assert rows[1].email == "p1@example.com"  # not expired
    if action == "null":
        assert rows[2].email is None and rows[2].process_ended_at is None
    else:
        assert rows[2].email.startswith("anon:") and rows[2].email != rows[4].email
        assert rows[2].process_ended_at == datetime(2024, 1, 1)
    again = run_rule(store, policy, RULE, engines=engines, now=NOW, anonymize_key=b"k" * 32)
    assert again.counts.get("applications", 0) == 0  # nothing is changed twice
    eng.dispose()
