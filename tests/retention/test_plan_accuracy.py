"""What the plan promises is what the run does, before and after the run (acceptance of issue 5):

- a field-rewriting rule (redact) counts the rows a run would change, not every row of a closed
  case, and says 0 once they are done (the rows stay, and stay expired);
- a blocked deletion names the rule that blocks it, and the run reports what it kept;
- `steward retention run` recounts the console's cached plans, so the console never shows as
  due what the run has just removed;
- the console and the run's evidence page say what "to process" and "blocked" mean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.helpers import login, make_client
from tests.retention import company as co
from tests.retention.conftest import engines_for
from tests.retention.test_sweep import CPR_TEXT, NOW, fill_recruiting

from steward.connectors.engines import SystemEngines
from steward.policy.loader import load_policy
from steward.retention import plancache
from steward.retention.cutoff import cutoff as cutoff_for
from steward.retention.holds import add_hold
from steward.retention.plan import pending_changes, plan_rule
from steward.retention.rules import resolve
from steward.retention.statements import reflect
from steward.retention.sweep import run_rule
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine

RULE = "support_sensitive_data"


def _cases(url: str) -> sa.Engine:
    """A closed case with one sensitive message among plain ones, and an open case."""
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(co.tickets.insert(), [
            {"id": 1, "requester_email": "ada@example.com", "closed_at": co.at("2025-05-20")},
            {"id": 2, "requester_email": "bo@example.com", "closed_at": None},
        ])
        c.execute(co.messages.insert(), [
            {"id": 1, "ticket_id": 1, "author": "Ada", "body": CPR_TEXT},
            {"id": 2, "ticket_id": 1, "author": "Support", "body": "Tak, sagen er lukket."},
            {"id": 3, "ticket_id": 1, "author": "Ada", "body": "Tak for hjælpen."},
            {"id": 4, "ticket_id": 2, "author": "Bo", "body": CPR_TEXT},
        ])
    return eng


def test_redact_plan_counts_the_rows_a_run_changes(
    company_url: str, store: sessionmaker[Session]
) -> None:
    eng = _cases(company_url)
    policy = co.make_policy()
    engines = engines_for(company_url)
    with transaction(store) as s:
        plan = plan_rule(policy, RULE, engines=engines, session=s, today=NOW.date())
    # Three messages belong to a closed case; one holds sensitive text.
    assert (plan.expired, plan.changes, plan.to_process, plan.changes_partial) == (3, 1, 1, False)
    assert plan.to_dict()["to_process"] == 1
    result = run_rule(store, policy, RULE, engines=engines, now=NOW)
    assert result.counts == {"messages": plan.to_process}
    with transaction(store) as s:
        after = plan_rule(policy, RULE, engines=engines, session=s, today=NOW.date())
    # The messages stay (redacted), so they stay expired, but nothing is left to do.
    assert (after.expired, after.changes, after.to_process) == (3, 0, 0)
    engines.dispose()
    eng.dispose()


def test_redact_plan_leaves_held_rows_out_and_bounds_its_scan(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    eng = _cases(sqlite_company)
    with eng.begin() as c:
        c.execute(co.messages.insert(), [
            {"id": 5, "ticket_id": 1, "author": "Ada", "body": CPR_TEXT}])
    policy = co.make_policy()
    engines = engines_for(sqlite_company)
    with transaction(store) as s:
        add_hold(s, actor="dpo@example.com", reason="claim 17", policy=policy, system="support",
                 table="messages", pk="1")
    with transaction(store) as s:
        plan = plan_rule(policy, RULE, engines=engines, session=s, today=NOW.date())
    assert (plan.expired, plan.held, plan.changes) == (4, 1, 1)  # message 5 only
    rr = resolve(policy, RULE)
    with engines.begin(rr.system) as conn:
        sql = reflect(conn, rr)
        cutoff = cutoff_for(rr.rule.period, NOW.date())
        # Two rows examined (1 and 2): none to change among them, and more rows remain.
        assert pending_changes(conn, sql, cutoff, [], [], limit=2) == (1, True)
        assert pending_changes(conn, sql, cutoff, [], [], limit=10) == (2, False)
    engines.dispose()
    eng.dispose()


def test_blocked_deletions_name_their_rule_and_the_run_reports_what_it_kept(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    eng = sa.create_engine(sqlite_company)
    with eng.begin() as c:
        c.execute(co.customers.insert(), [
            {"id": 1, "email": "a@example.com", "relationship_ended_at": co.at("2013-05-01")},
            {"id": 2, "email": "b@example.com", "relationship_ended_at": co.at("2014-02-01")},
            {"id": 3, "email": "c@example.com", "relationship_ended_at": co.at("2012-02-01")},
        ])
        c.execute(co.invoices.insert(), [
            # issued after the relationship ended: kept by the bookkeeping rule until 2026
            {"id": 2, "customer_id": 2, "issued_at": co.at("2016-03-01")}])
    policy = co.make_policy()
    engines = engines_for(sqlite_company)
    with transaction(store) as s:
        add_hold(s, actor="dpo@example.com", reason="claim 18", policy=policy,
                 identity_type="email", identity_value="c@example.com")
    with transaction(store) as s:
        plan = plan_rule(policy, "customer_records", engines=engines, session=s,
                         today=NOW.date())
    assert (plan.expired, plan.held, plan.blocked, plan.to_process) == (3, 1, 1, 1)
    assert plan.blocking == ["invoices (invoices_bookkeeping)"]
    assert plan.changes is None  # a delete rule: to process = expired - held - blocked
    result = run_rule(store, policy, "customer_records", engines=engines, now=NOW)
    assert result.counts.get("customers") == 1 and result.status == "done"
    assert (result.held, result.blocked) == (1, 1)
    assert co.ids(eng, co.customers) == {2, 3}
    engines.dispose()
    eng.dispose()


def test_cli_run_recounts_the_console_cache(tmp_path: Path) -> None:
    company = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(company).dispose()
    fill_recruiting(company)  # all ended processes are long past their three months today
    _cases(company).dispose()
    store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    store = make_engine(store_url)
    upgrade_engine(store)
    policy_path = co.write_policy(tmp_path / "policy", company)
    policy = load_policy(policy_path)
    sm = make_sessionmaker(store)
    engines = SystemEngines(urls={"recruiting": company, "support": company, "crm": company})
    with transaction(sm) as s:  # counted before the run, as the console's refresh does
        plancache.refresh(s, policy, engines=engines)
    engines.dispose()
    env = {**os.environ, "STEWARD_DATABASE_URL": store_url, "STEWARD_POLICY": str(policy_path),
           "STEWARD_DATA_DIR": str(tmp_path / "var"), "STEWARD_SECRET_KEY": "k" * 40}
    cli = [sys.executable, "-c", "from steward.cli import main; main()", "retention", "run"]
    out = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert "job_applications: done" in out.stdout and "applications 3" in out.stdout
    assert "support_sensitive_data: done" in out.stdout and "messages 1" in out.stdout
    with transaction(sm) as s:
        entries = {e.rule.key: e.plan for e in plancache.cached(s, policy)}
    jobs, support = entries["job_applications"], entries["support_sensitive_data"]
    assert jobs is not None and (jobs.expired, jobs.to_process) == (0, 0)
    assert support is not None and (support.expired, support.to_process) == (3, 0)
    as_json = subprocess.run([*cli, "--json", "--rule", "customer_records"], env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    [result] = json.loads(as_json.stdout)
    assert {"held", "blocked"} <= set(result)
    store.dispose()


def test_console_says_what_is_to_process_and_why_rows_are_kept(
    tmp_path: Path, sqlite_engine: sa.Engine
) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    eng = _cases(url)
    with eng.begin() as c:
        c.execute(co.customers.insert(), [
            {"id": 2, "email": "b@example.com", "relationship_ended_at": co.at("2014-02-01")}])
        c.execute(co.invoices.insert(), [
            {"id": 2, "customer_id": 2, "issued_at": co.at("2026-03-01")}])
    eng.dispose()
    policy_path = co.write_policy(tmp_path / "policy", url)
    policy = load_policy(policy_path)
    client = make_client(sqlite_engine, tmp_path, policy=policy_path)
    token = login(client, sqlite_engine, role="officer")
    page = client.get("/console/retention")
    # The period is known before anything is counted.
    assert "To process next run" in page.text and "3 months" in page.text
    page = client.post("/console/retention/refresh", data={"csrf_token": token})
    assert "to redact; the other expired rows need no change" in page.text
    assert "blocked: kept while invoices (invoices_bookkeeping) are inside" in page.text
    sm = make_sessionmaker(sqlite_engine)
    engines = SystemEngines(urls={"recruiting": url, "support": url, "crm": url})
    done = run_rule(sm, policy, "customer_records", engines=engines)
    engines.dispose()
    evidence = client.get(f"/console/retention/runs/{done.run_id}")
    assert "0 under a legal hold" in evidence.text and "1 blocked" in evidence.text
    assert "dependant rows in invoices (invoices_bookkeeping)" in evidence.text
    assert "the start" in evidence.text and "null" not in evidence.text
