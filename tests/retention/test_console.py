"""The retention console: rules, runs, evidence, legal holds with CSRF and roles."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from tests.helpers import csrf_from, login, make_client
from tests.retention import company as co
from tests.retention.test_sweep import NOW, fill_recruiting

from steward.connectors.engines import SystemEngines
from steward.policy.loader import load_policy
from steward.retention.sweep import run_rule
from steward.retention.tables import LegalHold
from steward.store.db import make_sessionmaker, transaction


def test_console_pages_and_holds(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    policy_path = co.write_policy(tmp_path / "policy", url)
    sm = make_sessionmaker(sqlite_engine)
    done = run_rule(sm, load_policy(policy_path), "job_applications",
                    engines=SystemEngines(urls={"recruiting": url}), now=NOW)
    client = make_client(sqlite_engine, tmp_path, policy=policy_path)
    token = login(client, sqlite_engine, role="officer")
    page = client.get("/console/retention")
    assert page.status_code == 200
    assert "job_applications" in page.text and "invoices_bookkeeping" in page.text
    assert f"/console/retention/runs/{done.run_id}" in page.text
    evidence = client.get(f"/console/retention/runs/{done.run_id}")
    assert evidence.status_code == 200 and "applications: 2" in evidence.text
    assert client.get("/console/retention/runs/999").status_code == 404

    refused = client.post("/console/retention/holds", data={
        "system": "recruiting", "table": "applications", "pk": "3", "reason": "claim"},
        follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    placed = client.post("/console/retention/holds", data={
        "system": "recruiting", "table": "applications", "pk": "3", "reason": "claim 17",
        "csrf_token": token}, follow_redirects=False)
    assert placed.status_code == 303
    bad = client.post("/console/retention/holds", data={"reason": "", "csrf_token": token},
                      follow_redirects=True)
    assert "needs a reason" in bad.text
    with transaction(sm) as s:
        [hold] = s.scalars(sa.select(LegalHold)).all()
        assert hold.pk == "3" and hold.created_by == "officer@steward.example"
    assert "claim 17" in client.get("/console/retention").text
    lifted = client.post(f"/console/retention/holds/{hold.id}/lift",
                         data={"reason": "settled", "csrf_token": token}, follow_redirects=False)
    assert lifted.status_code == 303
    with transaction(sm) as s:
        assert s.get(LegalHold, hold.id).lifted_by == "officer@steward.example"  # type: ignore[union-attr]
    # The lifted hold stays visible with its reason (not only in the audit log).
    page = client.get("/console/retention")
    assert "No active legal holds." in page.text and "Recently lifted" in page.text
    assert "settled" in page.text and "claim 17" in page.text


def test_viewer_cannot_place_holds(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    client = make_client(sqlite_engine, tmp_path,
                         policy=co.write_policy(tmp_path / "policy", url))
    login(client, sqlite_engine, role="viewer")
    page = client.get("/console/retention")
    assert page.status_code == 200 and "Place hold" not in page.text
    token = csrf_from(page.text)
    r = client.post("/console/retention/holds", data={
        "system": "recruiting", "table": "applications", "pk": "1", "reason": "x",
        "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403
