"""Regressions found in the issue-3 acceptance run: a person who comes back to the privacy
center (from the "your answer is ready" mail, on another device, or after the session ended)
can get a code and read the answer; submitting again sends a code that leads back to the
request; an empty form field comes back as the form with its error; the console shows the
erasure plan and result as readable tables without escaped unicode."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from tests.helpers import csrf_from, login, settings_for
from tests.requests.conftest import code_from, sql_policy

from steward.mail import list_outbox
from steward.requests import execute, workflow
from steward.requests.tables import DsrRequest
from steward.requests.verification import Check
from steward.store.db import transaction
from steward.web.app import create_app


@pytest.fixture
def client(engine, tmp_path):  # type: ignore[no-untyped-def]
    settings = settings_for(engine, tmp_path)
    app = create_app(settings, policy=sql_policy(), engine=engine)
    return TestClient(app, base_url="https://testserver")


def _newest_code(client: TestClient) -> str:
    return code_from(list_outbox(client.app.state.settings)[0].body)


def _outbox_size(client: TestClient) -> int:
    return len(list_outbox(client.app.state.settings, limit=1000))


def _submit(client: TestClient, type_: str, email: str) -> str:
    token = csrf_from(client.get("/privacy/requests").text)
    r = client.post(
        "/privacy/requests",
        data={"csrf_token": token, "type": type_, "name": "Test Person", "email": email,
              "country": "DK"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].split("r=")[1]


def _verify(client: TestClient, public_id: str, code: str) -> None:
    token = csrf_from(client.get(f"/privacy/requests/verify?r={public_id}").text)
    r = client.post(
        "/privacy/requests/verify",
        data={"csrf_token": token, "public_id": public_id, "code": code},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _answer(client: TestClient, public_id: str) -> None:
    st = client.app.state
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        workflow.approve(s, req, "officer@steward.example")
        rid = req.id
    assert execute.execute_request(st.sessionmaker, st.settings, st.policy, rid) == "completed"


def test_returning_person_gets_a_code_and_reads_the_answer(sqlite_company, client):  # type: ignore[no-untyped-def]
    public_id = _submit(client, "access", sqlite_company.who["email"])
    _verify(client, public_id, _newest_code(client))
    _answer(client, public_id)

    # A new browser (no session) opens the link from the "ready" mail.
    other = TestClient(client.app, base_url="https://testserver")
    page = other.get(f"/privacy/requests/{public_id}")
    assert page.status_code == 200 and "Our answer" not in page.text
    assert "Confirm it is you" in page.text and "Send me a code" in page.text
    before = _outbox_size(client)
    r = other.post(
        "/privacy/requests/resend",
        data={"csrf_token": csrf_from(page.text), "public_id": public_id},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _outbox_size(client) == before + 1  # before the fix: nothing was sent
    _verify(other, public_id, _newest_code(client))
    status = other.get(f"/privacy/requests/{public_id}").text
    assert "Our answer" in status and "Go to the download" in status


def test_resend_for_an_unknown_id_answers_the_same(client):  # type: ignore[no-untyped-def]
    page = client.get("/privacy/requests/not-a-request-id")
    assert "Confirm it is you" in page.text
    r = client.post(
        "/privacy/requests/resend",
        data={"csrf_token": csrf_from(page.text), "public_id": "not-a-request-id"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and _outbox_size(client) == 0


def test_submitting_a_verified_request_again_mails_a_code_back_to_it(sqlite_company, client):  # type: ignore[no-untyped-def]
    st = client.app.state
    email = sqlite_company.who["email"]
    first = _submit(client, "access", email)
    _verify(client, first, _newest_code(client))
    other = TestClient(client.app, base_url="https://testserver")
    before = _outbox_size(client)
    again = _submit(other, "access", email.upper())
    assert again == first  # one request
    assert _outbox_size(client) == before + 1  # before the fix: no code, a dead end
    result, out = workflow.verify_code(
        st.sessionmaker, st.settings, st.policy, again, _newest_code(client)
    )
    assert result is Check.ok and out.state == "awaiting_approval"  # state unchanged
    with transaction(st.sessionmaker) as s:
        assert s.query(DsrRequest).count() == 1


def test_empty_form_fields_come_back_as_the_form_with_its_error(client):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/privacy/requests").text)
    r = client.post(
        "/privacy/requests",
        data={"csrf_token": token, "type": "access", "name": "", "email": "a@example.com"},
    )
    assert r.status_code == 422
    assert 'id="form-error"' in r.text and "name:" in r.text and "body.name" not in r.text
    r = client.post(
        "/privacy/requests",
        data={"csrf_token": token, "type": "access", "name": "A", "email": "bad@"},
    )
    assert r.status_code == 422 and "email: a valid e-mail address" in r.text


def test_console_shows_the_erasure_plan_and_result_as_tables(sqlite_company, engine, client):  # type: ignore[no-untyped-def]
    st = client.app.state
    public_id = _submit(client, "erasure", sqlite_company.who["email"])
    _verify(client, public_id, _newest_code(client))
    with transaction(st.sessionmaker) as s:
        rid = workflow.by_public_id(s, public_id).id
    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, engine, "officer")
    page = officer.get(f"/console/requests/{rid}").text
    # an erasure is approved only after its plan: the button waits for the dry run
    assert "Search systems (dry run)" in page and "Approve and run" not in page
    officer.post(f"/console/requests/{rid}/plan", data={"csrf_token": otoken})
    page = officer.get(f"/console/requests/{rid}").text
    assert 'id="plan-table"' in page and "Kept, and why" in page
    assert 'id="plan-sql"' in page  # the statements one click away
    # the customer row kept invoices point at is rewritten, not deleted, and the plan says why
    assert "customers: still pointed at by" in page and "Art. 17 erases the subject" in page
    assert "Bogføringsloven" in page and "Approve and run" in page
    # an erasure runs from its confirmation page (review, then send: issue 12)
    officer.post(f"/console/requests/{rid}/approve",
                 data={"csrf_token": otoken, "confirmed": "yes"})
    page = officer.get(f"/console/requests/{rid}").text
    assert 'id="result-table"' in page and "Kept (Art. 17(3))" in page
    assert "\\u00f8" not in page and "Bogføringsloven" in page
    with transaction(st.sessionmaker) as s:
        kept = json.loads(s.get_one(DsrRequest, rid).result_json)["kept"]
    assert kept and all("until" in k["reason"] for k in kept)
