"""Sweeps on SQLite, PostgreSQL and MariaDB company systems: delete with dependants, redact at
case close, dependants under their own rule, empty trigger dates, evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company as co
from tests.retention.conftest import engines_for

from steward import audit
from steward.retention.plan import plan_rule
from steward.retention.sweep import run_rule
from steward.retention.tables import RetentionBatch, RetentionRun
from steward.store.db import transaction

NOW = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
CPR_TEXT = "Hej, mit CPR-nummer er 070761-4285 og jeg er sygemeldt med stress."


def fill_recruiting(url: str) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(co.applications.insert(), [
            # expired: last day of keeping 10 April 2025
            {"id": 1, "name": "Ada Test", "email": "ada@example.com",
             "process_ended_at": co.at("2025-01-10 12:00")},
            # expired: 28 Feb + 3 months = 28 May, past on 1 June
            {"id": 2, "name": "Bo Test", "email": "bo@example.com",
             "process_ended_at": co.at("2025-02-28 09:00")},
            # not due: 2 Mar + 3 months = 2 June, the day after the sweep
            {"id": 3, "name": "Cy Test", "email": "cy@example.com",
             "process_ended_at": co.at("2025-03-02 00:00")},
            # process still open: never deleted, counted
            {"id": 4, "name": "Di Test", "email": "di@example.com", "process_ended_at": None},
        ])
        c.execute(co.application_emails.insert(), [
            {"id": 10, "application_id": 1, "body": "invitation"},
            {"id": 11, "application_id": 1, "body": "refusal"},
            {"id": 12, "application_id": 2, "body": "refusal"},
            {"id": 13, "application_id": 3, "body": "offer"},
            {"id": 14, "application_id": 4, "body": "received"},
        ])
    eng.dispose()


def test_delete_with_dependants_and_evidence(
    company_url: str, store: sessionmaker[Session]
) -> None:
    fill_recruiting(company_url)
    policy = co.make_policy()
    engines = engines_for(company_url)
    plan = plan_rule(policy, "job_applications", engines=engines, today=NOW.date())
    assert plan.error is None
    assert (plan.expired, plan.missing_trigger, plan.sample) == (2, 1, [1, 2])
    assert plan.cutoff == "2025-03-02"  # 1 March → 1 June: due on its last day
    assert plan.dependants == ["application_emails"]
    assert any(":cutoff" in s and "process_ended_at <" in s for s in plan.statements)
    assert not any("ada@example.com" in s for s in plan.statements)

    result = run_rule(store, policy, "job_applications", engines=engines, now=NOW, batch_size=1)
    engines.dispose()
    assert result.status == "done"
    assert result.counts == {"applications": 2, "application_emails": 3}
    assert result.batches == 2
    eng = sa.create_engine(company_url)
    assert co.ids(eng, co.applications) == {3, 4}
    assert co.ids(eng, co.application_emails) == {13, 14}
    eng.dispose()
    with transaction(store) as s:
        run = s.get(RetentionRun, result.run_id)
        assert run is not None and run.status == "done" and run.missing_trigger == 1
        assert run.rows_done == 2
        events = audit.events_for(s, f"retention_run:{run.id}")
        assert [e.action for e in events] == ["retention.run_completed"]
        details = json.loads(events[0].details)
        assert details["counts"] == {"applications": 2, "application_emails": 3}
        assert details["cutoff"] == "2025-03-02"
        assert details["missing_trigger_date"] == 1
        assert "example.com" not in events[0].details and "Ada" not in events[0].details
        assert audit.verify(s).ok

    # Idempotent: a second sweep finds nothing and changes nothing.
    again = run_rule(store, policy, "job_applications", engines=engines, now=NOW)
    engines.dispose()
    assert again.status == "done" and again.counts == {} and again.run_id != result.run_id


def test_redact_at_case_close_is_applied_once(
    company_url: str, store: sessionmaker[Session]
) -> None:
    eng = sa.create_engine(company_url)
    with eng.begin() as c:
        c.execute(co.tickets.insert(), [
            {"id": 1, "requester_email": "ada@example.com", "closed_at": co.at("2025-05-31 16:00")},
            {"id": 2, "requester_email": "bo@example.com", "closed_at": None},
        ])
        c.execute(co.messages.insert(), [
            {"id": 1, "ticket_id": 1, "author": "Ada", "body": CPR_TEXT},
            {"id": 2, "ticket_id": 1, "author": "Support", "body": "Tak, sagen er lukket."},
            {"id": 3, "ticket_id": 2, "author": "Bo", "body": CPR_TEXT},
        ])
    policy = co.make_policy()
    engines = engines_for(company_url)
    result = run_rule(store, policy, "support_sensitive_data", engines=engines, now=NOW)
    assert result.status == "done" and result.counts == {"messages": 1}
    with eng.connect() as c:
        bodies = dict(c.execute(sa.select(co.messages.c.id, co.messages.c.body)).all())
    assert "070761-4285" not in bodies[1] and "[DK_CPR]" in bodies[1]
    assert bodies[2] == "Tak, sagen er lukket."
    assert bodies[3] == CPR_TEXT  # the case is still open
    again = run_rule(store, policy, "support_sensitive_data", engines=engines, now=NOW)
    assert again.counts == {"messages": 0}
    with eng.connect() as c:
        assert c.execute(sa.select(co.messages.c.body).where(co.messages.c.id == 1)
                         ).scalar_one() == bodies[1]
    engines.dispose()
    eng.dispose()


def test_dependants_under_their_own_rule_block_the_parent(
    company_url: str, store: sessionmaker[Session]
) -> None:
    eng = sa.create_engine(company_url)
    with eng.begin() as c:
        c.execute(co.customers.insert(), [
            {"id": 1, "email": "a@example.com", "relationship_ended_at": co.at("2013-05-01")},
            {"id": 2, "email": "b@example.com", "relationship_ended_at": co.at("2014-02-01")},
            {"id": 3, "email": "c@example.com", "relationship_ended_at": co.at("2015-01-01")},
        ])
        c.execute(co.orders.insert(), [{"id": 1, "customer_id": 1}, {"id": 2, "customer_id": 2}])
        c.execute(co.order_lines.insert(), [{"id": 1, "order_id": 1}, {"id": 2, "order_id": 1},
                                            {"id": 3, "order_id": 2}])
        c.execute(co.invoices.insert(), [
            {"id": 1, "customer_id": 1, "order_id": 1, "issued_at": co.at("2013-04-01")},
            # issued after the relationship ended: kept until 2026-12-31 by the bookkeeping rule
            {"id": 2, "customer_id": 2, "order_id": 2, "issued_at": co.at("2016-03-01")},
        ])
    policy = co.make_policy()
    engines = engines_for(company_url)
    plan = plan_rule(policy, "customer_records", engines=engines, today=NOW.date())
    assert (plan.expired, plan.blocked, plan.to_process) == (2, 1, 1)
    result = run_rule(store, policy, "customer_records", engines=engines, now=NOW)
    engines.dispose()
    assert result.counts == {"invoices": 1, "order_lines": 2, "orders": 1, "customers": 1}
    assert co.ids(eng, co.customers) == {2, 3}
    assert co.ids(eng, co.invoices) == {2}
    assert co.ids(eng, co.order_lines) == {3}
    with transaction(store) as s:
        assert s.scalar(sa.select(sa.func.sum(RetentionBatch.blocked))) == 1
    eng.dispose()
