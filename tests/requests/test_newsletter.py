"""All five systems of the demo company, the HTTP newsletter tool included (served for real by
uvicorn): the person downloads one package with their records from every system; erasure
deletes the subscriber through the tool's API; rectification updates it there."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.helpers import csrf_from, login, settings_for
from tests.requests.conftest import code_from
from tests.requests.test_workflow import _submit_verified

from steward import audit
from steward.requests import execute, workflow
from steward.requests.tables import DsrRequest
from steward.store.db import transaction
from steward.web.app import create_app

FIVE = {"crm", "portal", "support", "newsletter", "recruiting"}


def _subscribers(company, email: str) -> list[dict]:  # type: ignore[no-untyped-def]
    eng = sa.create_engine(f"sqlite:///{company.loc.newsletter_db}")
    try:
        with eng.connect() as c:
            rows = c.execute(sa.text("SELECT * FROM subscribers WHERE email = :e"), {"e": email})
            return [dict(r._mapping) for r in rows]
    finally:
        eng.dispose()


def _last_code(inbox: list) -> str:  # type: ignore[type-arg]
    return code_from(inbox[-1].get_body(preferencelist=("plain",)).get_content())


def test_access_package_holds_records_from_all_five_systems(
    full_company, full_policy, sqlite_engine, tmp_path, smtp_server
):  # type: ignore[no-untyped-def]
    host, port, inbox = smtp_server
    who = full_company.who
    assert _subscribers(full_company, who["email"]), "the showcase person subscribes"
    settings = settings_for(
        sqlite_engine, tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False
    )
    app = create_app(settings, policy=full_policy, engine=sqlite_engine)
    client = TestClient(app, base_url="https://testserver")
    token = csrf_from(client.get("/privacy/requests").text)
    r = client.post(
        "/privacy/requests",
        data={"csrf_token": token, "type": "access", "name": "Test Person",
              "email": who["email"], "country": "DK", "language": "en"},
        follow_redirects=False,
    )
    public_id = r.headers["location"].split("r=")[1]
    r = client.post(
        "/privacy/requests/verify",
        data={"csrf_token": token, "public_id": public_id, "code": _last_code(inbox)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    officer = TestClient(app, base_url="https://testserver")
    otoken = login(officer, sqlite_engine, "officer")
    rid = officer.get("/api/requests").json()[0]["id"]
    officer.post(f"/console/requests/{rid}/approve", data={"csrf_token": otoken})
    assert officer.get(f"/api/requests/{rid}").json()["state"] == "completed"

    r = client.post(
        f"/privacy/requests/{public_id}/download",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    z = client.get(r.headers["location"])
    assert z.status_code == 200
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        systems = {n.split("/")[1] for n in zf.namelist() if n.startswith("data/")}
        assert systems == FIVE
        subs = json.loads(zf.read("data/newsletter/subscribers.json"))
        assert [s["email"] for s in subs] == [who["email"]]
        assert subs[0]["lists"] and subs[0]["subscribed_at"]
        assert "Mailwise" in zf.read("letter.txt").decode()  # the tool is named in the answer
        customers = json.loads(zf.read("data/crm/customers.json"))
        assert customers[0]["customer_no"] == who["customer_number"]
        assert json.loads(zf.read("data/portal/logins.json"))
        assert json.loads(zf.read("data/support/tickets.json"))
        assert json.loads(zf.read("data/recruiting/applications.json"))


def test_erasure_deletes_the_subscriber_through_the_api(
    full_company, full_policy, dsm, settings
):  # type: ignore[no-untyped-def]
    who = full_company.who
    eng = sa.create_engine(f"sqlite:///{full_company.loc.newsletter_db}")
    with eng.connect() as c:
        total = c.execute(sa.text("SELECT count(*) FROM subscribers")).scalar_one()
    out = _submit_verified(dsm, settings, full_policy, who["email"], "erasure")
    summary = execute.prepare_plan(dsm, settings, full_policy, out.id)
    news = summary["systems"]["newsletter"]["statements"]
    assert news == [{"table": "subscribers", "op": "delete", "rows": 1,
                     "sql": "DELETE /subscribers/{id}", "actions": []}]
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer@steward.example")
    assert execute.execute_request(dsm, settings, full_policy, out.id) == "completed"
    assert _subscribers(full_company, who["email"]) == []
    with eng.connect() as c:  # the other subscribers are untouched
        assert c.execute(sa.text("SELECT count(*) FROM subscribers")).scalar_one() == total - 1
    eng.dispose()
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        result = json.loads(req.result_json)
        assert result["erased"]["newsletter.subscribers deleted"] == 1
        assert any("Mailwise" in r or "CloudSend" in r for r in result["recipients_told"])
        events = audit.events_for(s, f"dsr:{req.public_id}")
        erased = [json.loads(e.details)["system"] for e in events
                  if e.action == "dsr.system_erase"]
        assert set(erased) == FIVE


@pytest.mark.parametrize("field", ["name"])
def test_rectification_updates_the_newsletter_tool(
    full_company, full_policy, dsm, settings, field
):  # type: ignore[no-untyped-def]
    who = full_company.who
    out = _submit_verified(
        dsm, settings, full_policy, who["email"], "rectification",
        changes={f"newsletter.subscribers.{field}": "Corrected Name",
                 "crm.customers.title": "Head of Planning"},
    )
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer@steward.example")
    assert execute.execute_request(dsm, settings, full_policy, out.id) == "completed"
    assert [s[field] for s in _subscribers(full_company, who["email"])] == ["Corrected Name"]
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        result = json.loads(req.result_json)
        assert result["rectified_rows"] == {"newsletter": {"subscribers": 1},
                                            "crm": {"customers": 1}}
        ev = [e for e in audit.events_for(s, f"dsr:{req.public_id}")
              if e.action == "dsr.system_rectify" and '"newsletter"' in e.details]
        assert ev and "Corrected Name" not in ev[0].details
