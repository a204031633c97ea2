"""A failed answer mail (SMTP down) is recorded on the request as `notice_pending`, shown in the
console and sent by `notices.retry_pending_mail` once the server is back; and Art. 15(4): other
people's identifiers in free-text fields are tagged in the access package, the subject's stay."""

from __future__ import annotations

import io
import json
import random
import zipfile
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.conftest import free_port
from tests.helpers import login
from tests.requests.conftest import sql_policy
from tests.requests.test_workflow import _submit_verified

from steward import audit
from steward.requests import delivery, execute, packages, queries, workflow
from steward.requests.notices import retry_pending_mail
from steward.requests.redaction import OwnIdentities, redact_text
from steward.requests.tables import DsrRequest
from steward.scanner.fakes import fake_cpr
from steward.store.db import transaction
from steward.web.app import create_app


def _officer_access(dsm, settings, policy, email: str) -> int:  # type: ignore[no-untyped-def]
    out = workflow.submit_request(
        dsm, settings, policy, type="access", name="Pat", email=email, country="DK",
        channel="officer", actor="officer", evidence="ID checked in person",
    )
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer")
    return out.id


def test_failed_answer_mail_is_pending_shown_and_retried(
    sqlite_company, sqlite_engine, dsm, settings, policy, smtp_server
):  # type: ignore[no-untyped-def]
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False,
                "base_url": "https://testserver"}
    )
    rid = _officer_access(dsm, down, policy, sqlite_company.who["email"])
    assert execute.execute_request(dsm, down, policy, rid) == "completed"
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        view = queries.as_dict(req, policy)
        assert view["notice_pending"] == "ready" and view["notice_attempts"] == 1
        assert "mail server" in view["notice_error"]
        actions = [e.action for e in audit.events_for(s, f"dsr:{req.public_id}")]
        assert "dsr.notice_failed" in actions
    # the console shows it
    app = create_app(down, policy=sql_policy(), engine=sqlite_engine)
    officer = TestClient(app, base_url="https://testserver")
    token = login(officer, sqlite_engine, "officer")
    assert "answer mail not sent yet" in officer.get("/console/requests").text
    page = officer.get(f"/console/requests/{rid}").text
    assert "notice_pending" in page and "Send the answer mail again" in page
    r = officer.post(f"/console/requests/{rid}/notice", data={"csrf_token": token})
    assert "still unavailable" in r.text
    # not yet due for a retry: nothing is tried; due and still down: recorded again
    now = datetime.now(UTC)
    assert retry_pending_mail(dsm, down, policy, now=now) == {"sent": 0, "failed": 0}
    later = now + timedelta(hours=1)
    assert retry_pending_mail(dsm, down, policy, now=later) == {"sent": 0, "failed": 1}
    host, port, inbox = smtp_server
    up = down.model_copy(update={"smtp_port": port, "smtp_host": host})
    assert retry_pending_mail(dsm, up, policy, now=later + timedelta(days=1)) == {
        "sent": 1, "failed": 0
    }
    assert len(inbox) == 1 and "ready" in inbox[0]["Subject"]
    assert inbox[0]["To"] == sqlite_company.who["email"]
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert req.notice_pending is None and req.notice_error is None
        actions = [e.action for e in audit.events_for(s, f"dsr:{req.public_id}")]
        assert actions.count("dsr.notice_failed") == 3 and actions[-1] == "dsr.notice_sent"
    assert retry_pending_mail(dsm, up, policy, now=later + timedelta(days=2))["sent"] == 0


def test_refusal_mail_is_queued_in_the_same_transaction(dsm, settings, policy):  # type: ignore[no-untyped-def]
    down = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    out = workflow.submit_request(
        dsm, settings, policy, type="access", name="Pat", email="refused@example.com",
        channel="officer", actor="officer", evidence="ID checked in person",
    )
    with transaction(dsm) as s:
        workflow.refuse(s, down, policy, s.get_one(DsrRequest, out.id), "excessive", "officer")
        assert s.get_one(DsrRequest, out.id).notice_pending == "ready"
    with transaction(dsm) as s:  # committed with the refusal: an outage cannot lose it
        assert s.get_one(DsrRequest, out.id).notice_pending == "ready"


def _add_message(company, body: str) -> None:  # type: ignore[no-untyped-def]
    eng = sa.create_engine(company.loc.urls["support"])
    with eng.begin() as c:
        tid = c.execute(sa.text("SELECT id FROM tickets WHERE requester_email = :e LIMIT 1"),
                        {"e": company.who["email"]}).scalar_one()
        mid = c.execute(sa.text("SELECT max(id) + 1 FROM messages")).scalar_one()
        c.execute(sa.text("INSERT INTO messages (id, ticket_id, author, body, sent_at) "
                          "VALUES (:i, :t, 'Agent', :b, '2026-01-05 10:00:00')"),
                  {"i": mid, "t": tid, "b": body})
    eng.dispose()


def test_access_package_redacts_other_peoples_identifiers(
    sqlite_company, dsm, settings, policy
):  # type: ignore[no-untyped-def]
    who = sqlite_company.who
    other_cpr = fake_cpr(random.Random(4), mod11=True)
    body = (f"Customer asked us to also update Ann Other, CPR-nr. {other_cpr}, "
            f"ann.other@example.com, tlf. +45 20 30 40 50. Reply to the customer at "
            f"{who['email']}.")
    _add_message(sqlite_company, body)
    out = _submit_verified(dsm, settings, policy, who["email"], "access")
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer")
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        result = json.loads(req.result_json)
        pkg = delivery.current_package(s, req)
        letter = workflow.sealer_for(settings).open_text(req.letter)
    assert result["redacted"]["support.messages"] >= 3 and "Art. 15(4)" in letter
    blob = packages.load(workflow.sealer_for(settings), settings.data_dir, pkg.filename)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        messages = json.loads(zf.read("data/support/messages.json"))
        raw = zf.read("data/support/messages.csv").decode() + zf.read("report.html").decode()
    mine = [m["body"] for m in messages if "Ann Other" in (m["body"] or "")]
    assert len(mine) == 1
    text = mine[0]
    assert "[DK_CPR]" in text and "[EMAIL]" in text and "[PHONE]" in text
    assert who["email"] in text  # the subject's own address stays
    for leaked in (other_cpr, "ann.other@example.com", "20 30 40 50"):
        assert leaked not in text and leaked not in raw


def test_own_phone_in_another_layout_is_not_redacted() -> None:
    own = OwnIdentities(["+45 20 30 40 50", "pat@example.com", "C-10042"])
    text, n = redact_text("Call me on 20304050 or mail PAT@example.com; my wife: 21 31 41 51", own)
    assert n == 1 and "20304050" in text and "PAT@example.com" in text and "[PHONE]" in text
