"""The privacy center, the API and the console: submit, verify with the code from a real SMTP
server, approve in the console, download once through a fresh code, open the zip."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.helpers import csrf_from, login, settings_for
from tests.requests.conftest import code_from, sql_policy

from steward.web.app import create_app


@pytest.fixture
def smtp_client(engine, tmp_path, smtp_server):  # type: ignore[no-untyped-def]
    host, port, inbox = smtp_server
    settings = settings_for(engine, tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False)
    app = create_app(settings, policy=sql_policy(), engine=engine)
    return TestClient(app, base_url="https://testserver"), inbox


def _last_code(inbox: list) -> str:  # type: ignore[type-arg]
    msg = inbox[-1]
    return code_from(msg.get_body(preferencelist=("plain",)).get_content())


def test_access_request_through_the_privacy_center(sqlite_company, engine, smtp_client):  # type: ignore[no-untyped-def]
    client, inbox = smtp_client
    who = sqlite_company.who
    page = client.get("/privacy/requests")
    assert page.status_code == 200 and "not" in page.text and "secure" in page.text
    token = csrf_from(page.text)
    r = client.post(
        "/privacy/requests",
        data={
            "csrf_token": token,
            "type": "access",
            "name": "Test Person",
            "email": who["email"],
            "country": "DK",
            "language": "en",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    public_id = r.headers["location"].split("r=")[1]
    assert len(inbox) == 1 and inbox[0]["To"] == who["email"]
    body = inbox[0].get_body(preferencelist=("plain",)).get_content()
    assert who["customer_number"] not in body  # nothing personal in the mail
    # before verification the status page shows only the code form
    assert "Your request" not in client.get(f"/privacy/requests/{public_id}").text
    r = client.post(
        "/privacy/requests/verify",
        data={"csrf_token": token, "public_id": public_id, "code": "12345678"},
    )
    assert r.status_code == 422
    r = client.post(
        "/privacy/requests/verify",
        data={"csrf_token": token, "public_id": public_id, "code": _last_code(inbox)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert 'data-state="awaiting_approval"' in client.get(f"/privacy/requests/{public_id}").text

    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, engine, "officer")
    queue = officer.get("/console/requests?due=open")
    assert public_id not in queue.text and "access" in queue.text
    rid = json.loads(officer.get("/api/requests").text)[0]["id"]
    r = officer.post(
        f"/console/requests/{rid}/approve", data={"csrf_token": otoken}, follow_redirects=False
    )
    assert r.status_code == 303
    detail = officer.get(f"/console/requests/{rid}").text
    # The request is completed, its package is ready and the disclosure is on the audit trail.
    assert re.search(r'id="state" data-state="completed">Completed<', detail)
    assert re.search(r'Package</th><td>ready for download<', detail)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events WHERE action = "
                                 "'dsr.disclosed'")).scalar() == 1
    assert "ready" in inbox[-1]["Subject"]

    status = client.get(f"/privacy/requests/{public_id}")
    assert "Our answer" in status.text and "Download your data" in status.text
    r = client.post(
        f"/privacy/requests/{public_id}/download",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    link = r.headers["location"]
    z = client.get(link)
    assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        names = set(zf.namelist())
        assert {
            "report.html",
            "letter.txt",
            "data/crm/customers.json",
            "data/crm/customers.csv",
            "data/portal/logins.json",
        } <= names
        customers = json.loads(zf.read("data/crm/customers.json"))
        assert [c["email"] for c in customers] == [who["email"]]
        report = zf.read("report.html").decode()
        for part in (
            "(a) Purposes",
            "(b) Categories",
            "(c) Recipients",
            "(d) Retention",
            "(e) Your rights",
            "(f) Complaints",
            "(g) Sources",
            "(h) Automated",
            "Art. 15(2)",
            "CloudSend",
        ):
            assert part in report
    assert client.get(link).status_code == 404  # single use
    assert client.get("/privacy/download/not-a-token").status_code == 404


def test_api_problem_documents_and_same_answer(sqlite_company, engine, smtp_client):  # type: ignore[no-untyped-def]
    client, inbox = smtp_client
    r = client.post("/api/requests", json={"type": "access", "name": "X", "email": "nope"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "email" in r.json()["detail"]
    body = {"type": "erasure", "name": "Ann", "email": "ann.unknown@example.com"}
    a, b = client.post("/api/requests", json=body), client.post("/api/requests", json=body)
    known = client.post("/api/requests", json={**body, "email": sqlite_company.who["email"]})
    assert a.status_code == b.status_code == known.status_code == 202
    assert a.json() == b.json()
    assert set(a.json()) == set(known.json()) and a.json()["detail"] == known.json()["detail"]
    pid = a.json()["public_id"]
    r = client.post(f"/api/requests/{pid}/verify", json={"code": "00000000"})
    assert r.status_code == 422 and r.json()["reason"] in ("wrong", "expired")
    ann_latest = inbox[-2:-1]  # the resubmission's code; the last mail went to the known person
    r = client.post(f"/api/requests/{pid}/verify", json={"code": _last_code(ann_latest)})
    assert r.status_code == 200 and r.json()["state"] == "awaiting_approval"
    assert client.get("/api/requests").status_code == 401


def test_console_actions_need_an_officer(sqlite_company, engine, smtp_client):  # type: ignore[no-untyped-def]
    client, inbox = smtp_client
    viewer = TestClient(client.app, base_url="https://testserver")
    vtoken = login(viewer, engine, "viewer")
    client.post("/api/requests", json={"type": "access", "name": "V", "email": "v@example.com"})
    assert viewer.get("/console/requests").status_code == 200
    rid = viewer.get("/api/requests").json()[0]["id"]
    r = viewer.post(
        f"/console/requests/{rid}/verify", data={"csrf_token": vtoken, "evidence": "ID seen"}
    )
    assert r.status_code == 403
    assert viewer.get("/console/outbox").status_code == 403
    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, engine, "officer")
    r = officer.post(f"/console/requests/{rid}/verify", data={"evidence": "ID seen"})
    assert r.status_code == 403  # no CSRF token
    r = officer.post(
        f"/console/requests/{rid}/verify",
        data={"csrf_token": otoken, "evidence": "ID checked in person"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = officer.get(f"/console/requests/{rid}").text
    assert "ID checked in person" in page and "awaiting_approval" in page
    r = officer.post(
        f"/console/requests/{rid}/extend",
        data={"csrf_token": otoken, "reason": "many systems"},
        follow_redirects=False,
    )
    assert "extended: many systems" in officer.get(f"/console/requests/{rid}").text
    assert "more time" in inbox[-1]["Subject"]
    dash = officer.get("/console").text
    assert "Open requests" in dash and "Due in 7 days" in dash
