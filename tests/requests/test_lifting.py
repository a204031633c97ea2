"""Lifting a restriction (GDPR Art. 18(3)): the subject is told before the lift; with the mail
server down nothing is lifted; the retry sends the notice, then clears the flags in the systems.
Through the domain, the console button and `steward dsr lift-restriction`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.conftest import free_port
from tests.helpers import login, settings_for
from tests.requests.conftest import sql_policy
from tests.requests.test_workflow import _count, _submit_verified

from steward import audit
from steward.consent.subjects import email_ref
from steward.errors import Conflict, InvalidInput
from steward.mail import list_outbox
from steward.requests import execute, lifting, notices, suppression
from steward.requests.tables import DsrRequest
from steward.store.db import transaction
from steward.web.app import create_app

FLAGGED = {
    "crm": "SELECT count(*) FROM customers WHERE email = :e AND processing_restricted = 1",
    "portal": "SELECT count(*) FROM logins WHERE email = :e AND processing_restricted = 1",
    "support": "SELECT count(*) FROM tickets WHERE requester_email = :e "
    "AND processing_restricted = 1",
}


def _flags(company) -> dict[str, int]:  # type: ignore[no-untyped-def]
    e = company.who["email"]
    return {k: _count(company.loc.urls[k], q, e=e) for k, q in FLAGGED.items()}


def _restricted(dsm, settings, policy, company) -> int:  # type: ignore[no-untyped-def]
    out = _submit_verified(dsm, settings, policy, company.who["email"], "restriction")
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    assert all(_flags(company).values())
    return out.id


def test_no_lift_before_the_notice_is_sent(sqlite_company, dsm, settings, policy, smtp_server):  # type: ignore[no-untyped-def]
    rid = _restricted(dsm, settings, policy, sqlite_company)
    ref = email_ref(settings.resolved_secret_key(), sqlite_company.who["email"])
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False}
    )
    with transaction(dsm) as s, pytest.raises(InvalidInput, match="reason"):
        lifting.schedule(s, s.get_one(DsrRequest, rid), "  ", "officer")
    state = lifting.lift_restriction(dsm, down, policy, rid, "accuracy confirmed", "officer")
    assert state == "notice_pending"
    # mail down: the restriction is still in force everywhere
    assert all(_flags(sqlite_company).values())
    with transaction(dsm) as s:
        assert suppression.is_restricted(s, ref)
        st = lifting.status(s, s.get_one(DsrRequest, rid))
        assert st["scheduled"] and not st["noticed"] and st["active"]
    with transaction(dsm) as s, pytest.raises(Conflict, match="already scheduled"):
        lifting.schedule(s, s.get_one(DsrRequest, rid), "again", "officer")
    assert notices.retry_pending_mail(dsm, down, policy) == {
        "sent": 0, "failed": 0, "lift_notice_pending": 1
    }
    assert all(_flags(sqlite_company).values())

    host, port, inbox = smtp_server
    up = settings.model_copy(update={"smtp_host": host, "smtp_port": port, "smtp_starttls": False})
    assert notices.retry_pending_mail(dsm, up, policy)["lift_lifted"] == 1
    assert len(inbox) == 1 and inbox[0]["To"] == sqlite_company.who["email"]
    body = inbox[0].get_body(preferencelist=("plain",)).get_content()
    assert "Art. 18(3)" in body and "accuracy confirmed" in body
    assert not any(_flags(sqlite_company).values())
    with transaction(dsm) as s:
        assert not suppression.is_restricted(s, ref)
        req = s.get_one(DsrRequest, rid)
        events = audit.events_for(s, f"dsr:{req.public_id}")
        seq = {e.action: e.seq for e in events}
        assert (
            seq["dsr.restriction_lift_scheduled"]
            < seq["dsr.restriction_lift_notice_failed"]
            < seq["dsr.restriction_lift_noticed"]
            < seq["dsr.restriction_lifted"]
        )
        lifted = json.loads([e for e in events if e.action == "dsr.restriction_lifted"][0].details)
        assert lifted["cleared"]["crm"] == {"customers": 1}
        assert sqlite_company.who["email"] not in json.dumps([e.details for e in events])
        assert audit.verify(s).ok
    with transaction(dsm) as s, pytest.raises(Conflict, match="no restriction"):
        lifting.schedule(s, s.get_one(DsrRequest, rid), "again", "officer")
    assert notices.retry_pending_mail(dsm, up, policy) == {"sent": 0, "failed": 0}


def test_console_button_lifts_after_telling(sqlite_company, sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    settings = settings_for(sqlite_engine, tmp_path)  # mail to the outbox folder
    app = create_app(settings, policy=sql_policy(), engine=sqlite_engine)
    officer = TestClient(app, base_url="https://testserver")
    token = login(officer, sqlite_engine, "officer")
    r = officer.post("/api/requests/officer", headers={"x-csrf-token": token}, json={
        "type": "restriction", "name": "Pat", "email": sqlite_company.who["email"],
        "country": "DK", "evidence": "ID checked in person"})
    assert r.json()["state"] == "completed" and r.json()["restriction"]["active"] > 0
    rid = r.json()["id"]
    page = officer.get(f"/console/requests/{rid}").text
    assert "Lift the restriction" in page and "in force" in page
    r = officer.post(f"/console/requests/{rid}/lift-restriction",
                     data={"reason": "the accuracy check is finished"}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    r = officer.post(f"/console/requests/{rid}/lift-restriction",
                     data={"csrf_token": token, "reason": "the accuracy check is finished"},
                     follow_redirects=False)
    assert r.status_code == 303
    page = officer.get(f"/console/requests/{rid}").text
    assert "after the subject was told" in page and "restriction_lifted" in page
    assert not any(_flags(sqlite_company).values())
    assert "Art. 18(3)" in list_outbox(settings)[0].body


def test_cli_lift_restriction(full_company, full_policy, dsm, settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`steward dsr lift-restriction` with all five systems (the newsletter API included)."""
    rid = _restricted(dsm, settings, full_policy, full_company)
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": settings.database_url,
        "STEWARD_DATA_DIR": str(settings.data_dir),
        "STEWARD_SECRET_KEY": settings.resolved_secret_key(),
        "STEWARD_POLICY": str(settings.policy),
    }
    exe = str(Path(sys.executable).parent / "steward")
    run = subprocess.run(
        [exe, "dsr", "lift-restriction", str(rid), "--reason", "you asked us to", "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"id": rid, "lift": "lifted"}
    assert not any(_flags(full_company).values())
    again = subprocess.run(
        [exe, "dsr", "lift-restriction", str(rid), "--reason", "x"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 1 and again.stderr.strip().count("\n") == 0
    assert "no restriction in force" in again.stderr and "Traceback" not in again.stderr
    eng = sa.create_engine(settings.database_url)
    with eng.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM restrictions WHERE lifted_at IS NULL"
                                 )).scalar_one() == 0
    eng.dispose()
