"""The officer's actions in the JSON API: officer role, CSRF header with the console session,
RFC 9457 problems for bad input, and each action doing what the workflow says."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.helpers import login, settings_for
from tests.requests.conftest import sql_policy

from steward.web.app import create_app

PROBLEM = "application/problem+json"


@pytest.fixture
def api(sqlite_company, sqlite_engine, tmp_path, smtp_server):  # type: ignore[no-untyped-def]
    host, port, inbox = smtp_server
    settings = settings_for(
        sqlite_engine, tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False
    )
    app = create_app(settings, policy=sql_policy(), engine=sqlite_engine)
    officer = TestClient(app, base_url="https://testserver")
    token = login(officer, sqlite_engine, "officer")
    return app, officer, {"x-csrf-token": token}, inbox


def _problem(r, status: int, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["title"] and body["type"]
    for w in words:
        assert w in body["detail"], body["detail"]


def _officer_entered(officer, h, email: str, type_: str, **extra):  # type: ignore[no-untyped-def]
    body = {"type": type_, "name": "Pat Example", "email": email, "country": "DK",
            "evidence": "ID checked in person", **extra}
    r = officer.post("/api/requests/officer", json=body, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


def test_actions_need_the_csrf_header_and_the_officer_role(api, sqlite_engine):  # type: ignore[no-untyped-def]
    app, officer, h, _ = api
    body = {"type": "access", "name": "Pat", "email": "pat@example.com", "evidence": "ID seen"}
    _problem(officer.post("/api/requests/officer", json=body), 403, "CSRF")
    _problem(officer.post("/api/requests/officer", json=body,
                          headers={"x-csrf-token": "forged"}), 403, "CSRF")
    anon = TestClient(app, base_url="https://testserver")
    _problem(anon.post("/api/requests/1/approve", headers=h), 401)
    viewer = TestClient(app, base_url="https://testserver")
    vh = {"x-csrf-token": login(viewer, sqlite_engine, "viewer")}
    _problem(viewer.post("/api/requests/officer", json=body, headers=vh), 403, "officer")
    assert officer.get("/api/requests").json() == []  # nothing was created


def test_officer_entered_request_and_bad_input(api):  # type: ignore[no-untyped-def]
    app, officer, h, inbox = api
    _problem(officer.post("/api/requests/officer", headers=h,
                          json={"type": "access", "name": "P", "email": "nope",
                                "evidence": "ID seen"}), 422, "email")
    _problem(officer.post("/api/requests/officer", headers=h,
                          json={"type": "access", "name": "P", "email": "p@example.com",
                                "evidence": "  "}), 422, "evidence")
    _problem(officer.post("/api/requests/officer", headers=h,
                          json={"type": "access", "name": "P", "evidence": "ID seen"}),
             422, "email")
    out = _officer_entered(officer, h, "pat@example.com", "access")
    assert out["state"] == "awaiting_approval" and out["channel"] == "officer"
    assert out["verification_evidence"] == "ID checked in person"
    assert inbox == []  # verified by the officer: no code mailed
    _problem(officer.post("/api/requests/999999/approve", headers=h), 404)


def test_verify_with_evidence_then_approve_runs_the_request(api, sqlite_company):  # type: ignore[no-untyped-def]
    app, officer, h, inbox = api
    anon = TestClient(app, base_url="https://testserver")
    anon.post("/api/requests", json={"type": "access", "name": "Pat",
                                     "email": sqlite_company.who["email"], "country": "DK"})
    rid = officer.get("/api/requests").json()[0]["id"]
    _problem(officer.post(f"/api/requests/{rid}/evidence", json={"evidence": ""}, headers=h),
             422, "evidence")
    _problem(officer.post(f"/api/requests/{rid}/approve", headers=h), 409, "not awaiting")
    r = officer.post(f"/api/requests/{rid}/evidence", json={"evidence": "passport seen"},
                     headers=h)
    assert r.status_code == 200 and r.json()["state"] == "awaiting_approval"
    r = officer.post(f"/api/requests/{rid}/approve", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "completed" and body["notice_pending"] is None
    assert set(body["result"]["systems_found"]) == {"crm", "portal", "support", "recruiting"}
    assert "ready" in inbox[-1]["Subject"]
    _problem(officer.post(f"/api/requests/{rid}/approve", headers=h), 409)


def test_extend_refuse_and_complete(api):  # type: ignore[no-untyped-def]
    app, officer, h, inbox = api
    a = _officer_entered(officer, h, "ext@example.com", "access")
    _problem(officer.post(f"/api/requests/{a['id']}/extend", json={"reason": " "}, headers=h),
             422, "Art. 12(3)")
    r = officer.post(f"/api/requests/{a['id']}/extend", json={"reason": "many systems"},
                     headers=h)
    assert r.status_code == 200 and r.json()["extended"] is True
    assert r.json()["due_on"] > a["due_on"] and "more time" in inbox[-1]["Subject"]
    _problem(officer.post(f"/api/requests/{a['id']}/extend", json={"reason": "again"},
                          headers=h), 409, "already extended")

    _problem(officer.post(f"/api/requests/{a['id']}/refuse",
                          json={"reason": "x", "kind": "maybe"}, headers=h), 422, "kind")
    _problem(officer.post(f"/api/requests/{a['id']}/refuse", json={"reason": ""}, headers=h),
             422, "reason")
    # Art. 12(5)(a): a fee is not a refusal; without its amount it is refused as bad input.
    _problem(officer.post(f"/api/requests/{a['id']}/refuse",
                          json={"reason": "the fifth identical request", "kind": "fee"},
                          headers=h), 422, "fee")
    r = officer.post(f"/api/requests/{a['id']}/refuse",
                     json={"reason": "the fifth identical request this week", "kind": "fee",
                           "fee": "25 EUR"},
                     headers=h)
    assert r.status_code == 200 and r.json()["state"] == "awaiting_payment"
    assert r.json()["fee_amount"] == "25 EUR" and "fee" in inbox[-1]["Subject"]
    body = inbox[-1].get_payload(decode=True).decode() if not inbox[-1].is_multipart() else \
        inbox[-1].get_body(preferencelist=("plain",)).get_content()
    assert "25 EUR" in body and "Art. 12(5)(a)" in body and "judicial remedy" in body
    r = officer.post(f"/api/requests/{a['id']}/payment", json={}, headers=h)
    assert r.status_code == 200 and r.json()["state"] in ("awaiting_approval", "completed")
    assert r.json()["fee_paid_at"] is not None
    _problem(officer.post(f"/api/requests/{a['id']}/withdraw", headers=h), 409, "not awaiting")

    q = _officer_entered(officer, h, "q@example.com", "automated_decisions")
    _problem(officer.post(f"/api/requests/{q['id']}/approve", headers=h), 409, "person")
    r = officer.post(f"/api/requests/{q['id']}/complete", json={}, headers=h)
    assert r.status_code == 200 and r.json()["state"] == "completed"
    _problem(officer.post(f"/api/requests/{q['id']}/complete", json={}, headers=h), 409)
