"""Legal holds stop deletion (Art. 17(3)(e)), show in the plan, and can be lifted."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company as co
from tests.retention.conftest import engines_for
from tests.retention.test_sweep import NOW, fill_recruiting

from steward import audit
from steward.errors import Conflict, InvalidInput
from steward.retention.holds import active_holds, add_hold, lift_hold
from steward.retention.plan import plan_rule
from steward.retention.sweep import run_rule
from steward.store.db import transaction


def test_record_subject_and_dependant_holds(
    company_url: str, store: sessionmaker[Session]
) -> None:
    fill_recruiting(company_url)
    eng = sa.create_engine(company_url)
    with eng.begin() as c:  # two more expired applications
        c.execute(co.applications.insert(), [
            {"id": 5, "email": "eve@example.com", "process_ended_at": co.at("2024-01-01")},
            {"id": 6, "email": "fay@example.com", "process_ended_at": co.at("2024-01-02")},
        ])
        c.execute(co.application_emails.insert(), [{"id": 15, "application_id": 6, "body": "x"}])
    policy = co.make_policy()
    with transaction(store) as s:
        add_hold(s, actor="dpo@example.com", reason="claim 2025-17", policy=policy,
                 system="recruiting", table="applications", pk="1")
        add_hold(s, actor="dpo@example.com", reason="tribunal case",
                 identity_type="email", identity_value="eve@example.com")
        dep = add_hold(s, actor="dpo@example.com", reason="evidence mail", policy=policy,
                       system="recruiting", table="application_emails", pk="15")
    engines = engines_for(company_url)
    with transaction(store) as s:
        plan = plan_rule(policy, "job_applications", engines=engines, session=s,
                         today=NOW.date())
    assert (plan.expired, plan.held, plan.to_process) == (4, 3, 1)
    result = run_rule(store, policy, "job_applications", engines=engines, now=NOW)
    assert result.counts == {"applications": 1, "application_emails": 1}
    assert co.ids(eng, co.applications) == {1, 3, 4, 5, 6}
    with transaction(store) as s:
        lift_hold(s, dep.id, actor="dpo@example.com", reason="case settled")
        assert len(active_holds(s)) == 2
        actions = [e.action for e in audit.recent(s, limit=10)]
        assert actions.count("retention.hold_added") == 3 and "retention.hold_lifted" in actions
        assert all("eve@example.com" not in e.details for e in audit.recent(s, limit=10))
    again = run_rule(store, policy, "job_applications", engines=engines, now=NOW)
    engines.dispose()
    assert again.counts == {"applications": 1, "application_emails": 1}
    assert co.ids(eng, co.applications) == {1, 3, 4, 5}
    eng.dispose()


def test_hold_on_a_parent_protects_rows_below_it(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    eng = sa.create_engine(sqlite_company)
    with eng.begin() as c:
        c.execute(co.tickets.insert(), [{"id": 1, "closed_at": co.at("2025-01-01")}])
        c.execute(co.messages.insert(), [{"id": 1, "ticket_id": 1, "body": "CPR 070761-4285"}])
    policy = co.make_policy()
    with transaction(store) as s:
        add_hold(s, actor="dpo", reason="complaint", system="support", table="tickets", pk="1")
    result = run_rule(store, policy, "support_sensitive_data",
                      engines=engines_for(sqlite_company), now=NOW)
    assert result.counts == {}
    with eng.connect() as c:
        assert "070761-4285" in c.execute(sa.select(co.messages.c.body)).scalar_one()
    eng.dispose()


def test_bad_holds_are_refused(store: sessionmaker[Session]) -> None:
    with transaction(store) as s:
        with pytest.raises(InvalidInput, match="reason"):
            add_hold(s, actor="dpo", reason=" ", system="crm", table="customers", pk="1")
        with pytest.raises(InvalidInput, match="either a record"):
            add_hold(s, actor="dpo", reason="x")
        with pytest.raises(InvalidInput, match="system, table and primary key"):
            add_hold(s, actor="dpo", reason="x", table="customers", pk="1")
        with pytest.raises(InvalidInput, match="no table"):
            add_hold(s, actor="dpo", reason="x", policy=co.make_policy(), system="crm",
                     table="nope", pk="1")
        hold = add_hold(s, actor="dpo", reason="x", identity_type="email",
                        identity_value="a@example.com")
        lift_hold(s, hold.id, actor="dpo", reason="done")
        with pytest.raises(Conflict):
            lift_hold(s, hold.id, actor="dpo", reason="again")
