"""A system that says no for good (a MariaDB trigger error 1442, an SQLite trigger's ABORT)
in the middle of an erasure: that system's transaction rolls back, it is not reported as done,
the request is handed back to the officer with the database's message (no values, no retry
loop), and once the system is fixed a rerun finishes exactly what is left."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from tests.requests.test_workflow import _approve_and_run, _count, _submit_verified

from steward.requests import execute, workflow
from steward.requests.queries import retry_due
from steward.requests.tables import DsrProgress, DsrRequest
from steward.store.db import transaction

GUARDS = {
    # Error 1442: a trigger may not change the table its statement is changing.
    "mariadb": [
        "CREATE TRIGGER tickets_no_delete BEFORE DELETE ON tickets FOR EACH ROW "
        "DELETE FROM tickets WHERE id = -1",
        "CREATE TRIGGER tickets_no_update BEFORE UPDATE ON tickets FOR EACH ROW "
        "DELETE FROM tickets WHERE id = -1",
    ],
    "sqlite": [
        "CREATE TRIGGER tickets_no_delete BEFORE DELETE ON tickets "
        "BEGIN SELECT RAISE(ABORT, 'tickets are archived by the support tool'); END",
        "CREATE TRIGGER tickets_no_update BEFORE UPDATE ON tickets "
        "BEGIN SELECT RAISE(ABORT, 'tickets are archived by the support tool'); END",
    ],
}


def _run_sql(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as c:
        for st in statements:
            c.exec_driver_sql(st)
    engine.dispose()


def _progress(dsm, rid):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        rows = s.scalars(select(DsrProgress).where(
            DsrProgress.request_id == rid, DsrProgress.step == "erase"
        )).all()
        return sorted(r.system for r in rows)


@pytest.mark.parametrize("company", ["sqlite", "mariadb"], indirect=True)
def test_refusal_stops_reports_and_rerun_finishes(company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = company.who, company.loc.urls
    kind = "sqlite" if urls["support"].startswith("sqlite") else "mariadb"
    tickets = "SELECT count(*) FROM tickets WHERE customer_no = :n"
    before = _count(urls["support"], tickets, n=who["customer_number"])
    assert before > 0
    _run_sql(urls["support"], *GUARDS[kind])
    out = _submit_verified(dsm, settings, policy, who["email"], "erasure")
    state = _approve_and_run(dsm, settings, policy, out.id)
    assert state == "awaiting_approval"  # back to the officer, not waiting for a retry
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        error = req.last_error or ""
        assert req.next_retry_at is None
        assert out.id not in retry_due(s)
    assert "support" in error and "refused" in error
    assert ("error 1442" in error) if kind == "mariadb" else ("tickets are archived" in error)
    assert who["email"] not in error and who["customer_number"] not in error
    # The support system rolled back and is not reported; systems before it are done.
    assert _count(urls["support"], tickets, n=who["customer_number"]) == before
    done_first = _progress(dsm, out.id)
    assert "support" not in done_first and done_first  # crm and portal come first
    # The officer fixes the system and approves again: the rest is done, nothing twice.
    _run_sql(urls["support"], "DROP TRIGGER tickets_no_delete", "DROP TRIGGER tickets_no_update")
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer@steward.example")
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    assert _count(urls["support"], tickets, n=who["customer_number"]) == 0
    done = _progress(dsm, out.id)
    assert done == sorted(set(done)) and "support" in done and set(done_first) <= set(done)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        result = json.loads(req.result_json)
        assert req.last_error is None
    assert any(k.startswith("support.") for k in result["erased"])


def test_audit_names_a_row_by_key_unless_the_key_is_personal() -> None:
    from tests.companies.fjordvarme import generate
    from tests.connectors import fides_db

    policy = generate.policy()
    policy = policy.model_copy(update={"systems": [fides_db.system("sqlite:///unused.db")]})
    visit = ("customer-1@example.com", "2021-01-06T01:00:00")
    hashed = execute._audit_key(policy, "fides_shop", "visit", visit)
    assert hashed.startswith("sha256:") and "example.com" not in hashed
    assert execute._audit_key(policy, "fides_shop", "order_item", ("ord_ccc-ccc", 2)) == (
        '["ord_ccc-ccc", 2]'
    )
    assert execute._audit_key(policy, "fides_shop", "login", 3) == "3"
