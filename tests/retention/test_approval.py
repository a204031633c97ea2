"""Rules that wait for approval (`sweep: approval`): the nightly sweep leaves them alone, the
console shows them awaiting approval with their plan, and an officer's approve-and-run sweeps
them (store on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.helpers import csrf_from, login, make_client
from tests.retention import company as co
from tests.retention.conftest import engines_for
from tests.retention.test_sweep import NOW, fill_recruiting

from steward.audit.tables import AuditEvent
from steward.config import Settings
from steward.jobs.huey_app import make_huey
from steward.jobs.tasks import Runtime, register
from steward.retention import plancache
from steward.retention.sweep import run_all, run_rule
from steward.retention.tables import RetentionRun
from steward.store.db import transaction

# job_applications waits for an officer; the other test rules stay unattended (the default).
RULES = [{**co.RULES[0], "sweep": "approval"}, *co.RULES[1:]]


def _runs(sm: sessionmaker[Session], rule: str) -> list[RetentionRun]:
    with transaction(sm) as s:
        return list(s.scalars(sa.select(RetentionRun).where(RetentionRun.rule == rule)))


def test_nightly_sweep_leaves_the_rule_until_approved(
    sm: sessionmaker[Session], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    policy = co.make_policy(RULES)
    company = sa.create_engine(url)
    engines = engines_for(url)
    try:
        results = {r.rule: r for r in run_all(sm, policy, engines=engines, unattended_only=True)}
        assert results["job_applications"].status == "awaiting_approval"
        assert results["job_applications"].run_id is None
        assert results["customer_records"].status == "done"  # unattended rules ran
        assert co.ids(company, co.applications) == {1, 2, 3, 4}  # nothing deleted
        assert _runs(sm, "job_applications") == []

        with transaction(sm) as s:
            plancache.refresh(s, policy, engines=engines, today=NOW.date())
            waiting = plancache.awaiting_approval(plancache.cached(s, policy))
        assert [e.rule.key for e in waiting] == ["job_applications"]
        assert waiting[0].plan is not None and waiting[0].plan.to_process == 2  # ids 1 and 2

        # The officer approves: the run deletes what the plan showed and says who started it.
        done = run_rule(
            sm, policy, "job_applications", engines=engines, now=NOW, actor="officer@example.com"
        )
        assert done.status == "done" and done.counts["applications"] == 2
        assert co.ids(company, co.applications) == {3, 4}
        [run] = _runs(sm, "job_applications")
        assert run.actor == "officer@example.com"
        with transaction(sm) as s:
            plancache.refresh(s, policy, engines=engines, today=NOW.date())
            assert plancache.awaiting_approval(plancache.cached(s, policy)) == []
    finally:
        engines.dispose()
        company.dispose()


def test_the_daily_job_skips_it_and_a_queued_approval_runs_it(
    sm: sessionmaker[Session], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    settings = Settings(data_dir=tmp_path / "var", secret_key="test-secret-key-0123456789")
    tasks = register(
        make_huey(settings),
        Runtime(
            settings,
            policy_=co.make_policy(RULES),
            sm_=sm,
            extra={"system_urls": {"recruiting": url, "support": url, "crm": url}},
        ),
    )
    company = sa.create_engine(url)
    try:
        tasks.retention_daily()  # what the schedule calls at RETENTION_HOUR
        tasks.huey.execute(tasks.huey.dequeue())  # the daily task queues the sweep
        summary = {r["rule"]: r for r in tasks.huey.execute(tasks.huey.dequeue())}
        assert summary["job_applications"]["status"] == "awaiting_approval"
        assert co.ids(company, co.applications) == {1, 2, 3, 4}

        tasks.retention_sweep(rule="job_applications", actor="officer@example.com")
        [approved] = tasks.huey.execute(tasks.huey.dequeue())
        # Run today (after mid-2025): the three ended processes have all expired.
        assert approved["status"] == "done" and approved["counts"]["applications"] == 3
        assert co.ids(company, co.applications) == {4}
        assert [r.actor for r in _runs(sm, "job_applications")] == ["officer@example.com"]
    finally:
        company.dispose()


def test_console_approve_and_run(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    client = make_client(
        sqlite_engine, tmp_path, policy=co.write_policy(tmp_path / "policy", url, RULES)
    )
    token = login(client, sqlite_engine, role="officer")
    assert (
        client.post(
            "/console/retention/refresh", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    page = client.get("/console/retention")
    assert 'data-awaiting="job_applications"' in page.text
    assert page.text.count("data-awaiting=") == 1
    assert "runs when an officer approves it" in page.text
    path = "/console/retention/rules/job_applications/run"
    assert client.post(path, follow_redirects=False).status_code == 403  # no CSRF token
    assert (
        client.post(
            "/console/retention/rules/no_such_rule/run", data={"csrf_token": token}
        ).status_code
        == 404
    )
    company = sa.create_engine(url)
    assert co.ids(company, co.applications) == {1, 2, 3, 4}

    r = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303  # the run went in the background task after the response
    assert co.ids(company, co.applications) == {4}
    company.dispose()
    page = client.get("/console/retention")
    assert "Approved: rule job_applications is queued" in page.text
    assert 'data-awaiting="job_applications"' not in page.text  # recounted: nothing left
    [run] = _runs(sessionmaker_for(sqlite_engine), "job_applications")
    assert run.status == "done" and run.actor == "officer@steward.example"
    assert f"/console/retention/runs/{run.id}" in page.text
    assert "officer@steward.example" in page.text  # the runs table says who started it
    with transaction(sessionmaker_for(sqlite_engine)) as s:
        [approval] = s.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "retention.approved")
        ).all()
    details = json.loads(approval.details)
    assert approval.actor == "officer@steward.example"
    assert (details["rule"], details["to_process"]) == ("job_applications", 3)

    # A second approval while nothing is left is harmless: a run that changes nothing.
    again = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303
    runs = _runs(sessionmaker_for(sqlite_engine), "job_applications")
    assert len(runs) == 2 and runs[1].rows_done == 0


def test_viewer_cannot_approve(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    client = make_client(
        sqlite_engine, tmp_path, policy=co.write_policy(tmp_path / "policy", url, RULES)
    )
    login(client, sqlite_engine, role="viewer")
    page = client.get("/console/retention")
    assert "/console/retention/rules/" not in page.text  # no approve button
    r = client.post(
        "/console/retention/rules/job_applications/run",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert _runs(sessionmaker_for(sqlite_engine), "job_applications") == []


def sessionmaker_for(engine: sa.Engine) -> sessionmaker[Session]:
    from steward.store.db import make_sessionmaker

    return make_sessionmaker(engine)
