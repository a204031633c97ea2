"""The console's entry form and the privacy center's form take the policy's identities, and
the console records when and how a request arrived, the questions asked and the fee."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.helpers import csrf_from, login, settings_for
from tests.requests.conftest import sql_policy

from steward.requests import workflow
from steward.requests.identities import request_identities
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction
from steward.web.app import create_app


@pytest.fixture
def app(sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    return create_app(settings_for(sqlite_engine, tmp_path), policy=sql_policy(),
                      engine=sqlite_engine)


def test_the_console_enters_a_postal_request_with_a_phone(app, sqlite_engine):  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="https://testserver")
    login(client, sqlite_engine, "officer")
    form = client.get("/console/requests/new")
    assert 'name="identity_phone"' in form.text and "Phone number" in form.text
    assert 'name="identity_national_id"' in form.text and "CPR number" in form.text
    token = csrf_from(form.text)
    data = {"csrf_token": token, "type": "access", "name": "Kim Jensen",
            "email": "kim@example.com", "identity_phone": "20 12 34 56", "country": "DK",
            "received": "2025-01-31", "received_via": "post", "language": "da",
            "evidence": "signed letter, ID copy enclosed"}
    bad = client.post("/console/requests/new", data={**data, "identity_phone": "12"})
    assert bad.status_code == 422 and "identity.phone: not a valid phone number" in bad.text
    assert 'value="12"' in bad.text  # the officer's input is kept in the form
    r = client.post("/console/requests/new", data=data, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "2025-01-31 by post" in page.text and "2025-02-28" in page.text
    sm = make_sessionmaker(sqlite_engine)
    sealer = workflow.sealer_for(app.state.settings)
    with transaction(sm) as s:
        req = s.query(DsrRequest).one()
        assert (req.received_via, req.language) == ("post", "da")
        assert request_identities(s, req.id, sealer=sealer) == {
            "email": ["kim@example.com"], "phone": ["+4520123456"]}
        rid = req.id
    # ask for clarification, record the answer: the waits are listed with their dates
    token = csrf_from(page.text)
    client.post(f"/console/requests/{rid}/ask", data={"csrf_token": token,
                                                      "kind": "clarification"})
    page = client.get(f"/console/requests/{rid}")
    assert "clarification: asked" in page.text and "awaited" in page.text
    client.post(f"/console/requests/{rid}/answered", data={"csrf_token": token})
    page = client.get(f"/console/requests/{rid}")
    assert "awaited" not in page.text and "answered" in page.text
    # a fee: the request awaits payment, then continues
    r = client.post(f"/console/requests/{rid}/refuse", data={
        "csrf_token": token, "reason": "a copy was sent last week", "kind": "fee",
        "fee": "250 DKK"}, follow_redirects=False)
    assert r.headers["location"] == f"/console/requests/{rid}", r.headers["location"]
    page = client.get(f"/console/requests/{rid}")
    assert "awaiting_payment" in page.text and "250 DKK: awaiting payment" in page.text
    # the fee was asked for today: a payment dated before that is refused with a message
    r = client.post(f"/console/requests/{rid}/paid", data={"csrf_token": token,
                                                           "on": "2025-02-10"})
    assert "the answer cannot arrive before it was asked for" in r.text
    client.post(f"/console/requests/{rid}/paid", data={"csrf_token": token})
    page = client.get(f"/console/requests/{rid}")
    assert "250 DKK: paid" in page.text and "awaiting_approval" in page.text


def test_the_privacy_center_form_offers_the_declared_identities(app, sqlite_engine):  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="https://testserver")
    form = client.get("/privacy/requests")
    assert 'name="identity_customer_number"' in form.text and "Customer number" in form.text
    assert 'name="identity_email"' not in form.text  # the e-mail has its own field
    token = csrf_from(form.text)
    data = {"csrf_token": token, "type": "access", "name": "Kim Jensen",
            "email": "kim@example.com", "country": "DK", "language": "en",
            "identity_customer_number": "PM-100001"}
    bad = client.post("/privacy/requests", data={**data, "identity_customer_number": "x y"})
    assert bad.status_code == 422 and "identity.customer_number" in bad.text
    r = client.post("/privacy/requests", data=data, follow_redirects=False)
    assert r.status_code == 303
    sm = make_sessionmaker(sqlite_engine)
    sealer = workflow.sealer_for(app.state.settings)
    with transaction(sm) as s:
        req = s.query(DsrRequest).one()
        given = request_identities(s, req.id, sealer=sealer, verified_only=False)
        assert given == {"customer_number": ["PM-100001"], "email": ["kim@example.com"]}
        assert request_identities(s, req.id, sealer=sealer) == {}  # nothing proven yet
