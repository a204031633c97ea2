"""GDPR Art. 19 for real: every recipient of the changed data is told through its policy
channel (mail through a real SMTP server, a signed HTTP call to a real local server, an
officer's task), the request cannot complete while a notification is neither sent nor waived,
and every "told" line of the letter matches a mail received, a call received or a confirmed
task."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from tests.helpers import csrf_from, login, settings_for
from tests.notifiers.servers import Recipient, recipient
from tests.requests.conftest import sql_policy

from steward import audit
from steward.errors import InvalidInput
from steward.notifiers.http import SIGNATURE, TIMESTAMP, verify
from steward.policy.models import Notify, Policy
from steward.requests import execute, notifications, workflow
from steward.requests.tables import DsrNotification, DsrRequest
from steward.store.db import transaction
from steward.web.app import create_app


def today() -> dt.date:
    """The day in Denmark, where the test requests come from: the receipt day and the "told on"
    day are counted in the jurisdiction's time zone (Art. 12(3)), not in UTC."""
    return dt.datetime.now(ZoneInfo("Europe/Copenhagen")).date()


HMAC_KEY = "art19-test-signing-key-not-a-secret"
# Who holds the demo customer's CRM/portal/support/recruiting data (examples/promark):
# NordHost hosts those systems, its backup vault holds copies, Ledgerly (payroll and
# accounting, named by the customer administration activity) gets names and addresses.
EXPECTED_MAIL = {
    "NordHost A/S": "privacy-nordhost@example.com",
    "Backup Vault Oy": "privacy-backupvault@example.com",
    "Ledgerly AS": "privacy-ledgerly@example.com",
}
TOLD = re.compile(r"^  - (.+?): told on (\d{4}-\d{2}-\d{2}) (.+)$", re.M)


def with_notify(policy: Policy, **channels: Notify) -> Policy:
    """The policy with some recipients' channels replaced (`proc` or `proc__sub` keys)."""
    procs = []
    for p in policy.processors:
        subs = [
            sp.model_copy(update={"notify": channels[f"{p.key}__{sp.key}"]})
            if f"{p.key}__{sp.key}" in channels
            else sp
            for sp in p.sub_processors
        ]
        update: dict[str, Any] = {"sub_processors": subs}
        if p.key in channels:
            update["notify"] = channels[p.key]
        procs.append(p.model_copy(update=update))
    return policy.model_copy(update={"processors": procs})


def _request(dsm, settings, policy, email, type_, **kw):  # type: ignore[no-untyped-def]
    """An officer-entered request (identity checked in person), approved and run."""
    out = workflow.submit_request(
        dsm, settings, policy, type=type_, name="Test Person", email=email, country="DK",
        channel="officer", actor="officer", evidence="ID checked in person", **kw,
    )
    if type_ == "erasure":
        execute.prepare_plan(dsm, settings, policy, out.id)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        if req.state == "awaiting_approval":
            workflow.approve(s, req, "officer")
    return out.id, execute.execute_request(dsm, settings, policy, out.id)


def _letter(dsm, settings, rid: int) -> str:  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        return workflow.sealer_for(settings).open_text(s.get_one(DsrRequest, rid).letter) or ""


def _rows(dsm, rid: int) -> dict[str, DsrNotification]:  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        rows = s.query(DsrNotification).filter_by(request_id=rid).all()
        s.expunge_all()
    return {r.name.split(" (")[0]: r for r in rows}


def _audit(sm) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with transaction(sm) as s:
        return [(e.action, e.details) for e in audit.recent(s, limit=2000)]


def _who(name: str) -> str:
    return name.split(" (")[0]


def test_art19_erasure_mails_every_recipient_and_the_letter_says_only_that(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, sqlite_engine, tmp_path, smtp_server, policy
):
    host, port, inbox = smtp_server
    settings = settings_for(
        sqlite_engine, tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False
    )
    email = sqlite_company.who["email"]
    rid, state = _request(dsm, settings, policy, email, "erasure")
    assert state == "completed"
    received = {str(m["To"]): m for m in inbox if "Art. 19" in str(m["Subject"])}
    assert set(received) == set(EXPECTED_MAIL.values())
    for m in received.values():
        body = m.get_body(preferencelist=("plain",)).get_content()
        assert email in body and "erase" in body and "Art. 19" in body
    # Every "told" line is a mail the server received, sent today; no other recipient named.
    letter = _letter(dsm, settings, rid)
    told = TOLD.findall(letter)
    assert {EXPECTED_MAIL[_who(n)] for n, _, _ in told} == set(received)
    assert all(d == today().isoformat() and how == "by e-mail" for _, d, how in told)
    assert "sub-processor of NordHost" in letter  # the backup vault is named as such
    # Nothing personal in the audit trail of the notifications.
    events = [d for a, d in _audit(dsm) if a.startswith("dsr.art19")]
    assert len(events) >= 6 and all(email not in d for d in events)


@pytest.fixture
def recipient_server() -> Iterator[tuple[str, type[Recipient]]]:
    with recipient() as served:
        yield served


def test_art19_http_call_is_signed_and_retried_on_5xx(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, settings, policy, recipient_server, monkeypatch
):
    url, handler = recipient_server
    handler.statuses.extend([503])  # fails once, then accepts
    monkeypatch.setenv("LEDGERLY_ART19_KEY", HMAC_KEY)
    pol = with_notify(
        policy, ledgerly=Notify(channel="http", url=url, secret_env="LEDGERLY_ART19_KEY")
    )
    email = sqlite_company.who["email"]
    rid, state = _request(
        dsm, settings, pol, email, "rectification", changes={"crm.customers.city": "Aarhus"}
    )
    assert state == "completed"
    assert len(handler.calls) == 2  # the 503, retried at once, then accepted
    for headers, body in handler.calls:
        stamp = headers[TIMESTAMP]
        assert abs(time.time() - int(stamp)) < 300
        # The documented scheme, computed here independently of the notifier.
        mac = hmac.new(HMAC_KEY.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        assert headers[SIGNATURE] == "sha256=" + mac.hexdigest()
        assert verify(HMAC_KEY.encode(), stamp, body, headers[SIGNATURE])
        assert not verify(b"another key", stamp, body, headers[SIGNATURE])
    sent = json.loads(handler.calls[-1][1])
    assert sent["right"] == "rectification" and sent["article"] == "GDPR Art. 16"
    assert email in sent["identities"]["email"]
    assert sent["changes"] == {"crm.customers.city": "Aarhus"}
    rows = _rows(dsm, rid)
    assert rows["Ledgerly AS"].status == "sent" and rows["Ledgerly AS"].ref == "HTTP 200"
    # Once told, no copy of the notice (identities, new values) is kept.
    assert {r.payload_enc for r in rows.values()} == {""}
    told = {_who(n): how for n, _, how in TOLD.findall(_letter(dsm, settings, rid))}
    assert told == {
        "Ledgerly AS": "by a signed message to their system",
        "NordHost A/S": "by e-mail",
        "Backup Vault Oy": "by e-mail",
    }


def test_art19_request_cannot_complete_while_a_recipient_is_not_told(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, settings, policy, recipient_server, monkeypatch
):
    url, handler = recipient_server
    handler.statuses.extend([500] * 3)  # down for the whole first run (three tries)
    monkeypatch.setenv("LEDGERLY_ART19_KEY", HMAC_KEY)
    pol = with_notify(
        policy, ledgerly=Notify(channel="http", url=url, secret_env="LEDGERLY_ART19_KEY")
    )
    rid, state = _request(dsm, settings, pol, sqlite_company.who["email"], "restriction")
    assert state == "waiting_on_system"
    assert _letter(dsm, settings, rid) == ""  # no letter: nothing claimed yet
    row = _rows(dsm, rid)["Ledgerly AS"]
    assert row.status == "pending" and row.attempts == 1 and "HTTP 500" in (row.error or "")
    assert row.payload_enc  # kept, sealed, for the retry
    with transaction(dsm) as s:
        assert "Art. 19" in (s.get_one(DsrRequest, rid).last_error or "")
    # The recipient is back: the next run (the job runner's retry) tells it and completes.
    assert execute.execute_request(dsm, settings, pol, rid) == "completed"
    assert len(handler.calls) == 4
    assert _rows(dsm, rid)["Ledgerly AS"].status == "sent"
    assert any(_who(n) == "Ledgerly AS" for n, _, _ in TOLD.findall(_letter(dsm, settings, rid)))


@pytest.fixture
def task_app(sqlite_company, sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    """The web app with the backup vault told by an officer (a task)."""
    settings = settings_for(sqlite_engine, tmp_path)
    task = Notify(channel="task", instructions="Open a ticket in the vault's customer portal")
    pol = with_notify(sql_policy(), nordhost__nordhost_backup=task)
    app = create_app(settings, policy=pol, engine=sqlite_engine)
    officer = TestClient(app, base_url="https://testserver")
    token = login(officer, sqlite_engine, "officer")
    return app, officer, {"x-csrf-token": token}


def test_art19_task_is_confirmed_through_the_api_with_csrf(task_app, sqlite_company):  # type: ignore[no-untyped-def]
    app, officer, h = task_app
    body = {"type": "erasure", "name": "Pat Example", "email": sqlite_company.who["email"],
            "country": "DK", "evidence": "ID checked in person"}
    rid = officer.post("/api/requests/officer", json=body, headers=h).json()["id"]
    officer.post(f"/api/requests/{rid}/plan", headers=h)
    out = officer.post(f"/api/requests/{rid}/approve", headers=h).json()
    assert out["state"] == "waiting_on_system"
    backup = next(n for n in out["notifications"] if n["name"].startswith("Backup Vault"))
    assert backup["status"] == "open" and backup["channel"] == "task"
    path = f"/api/requests/{rid}/notifications/{backup['recipient']}/confirm"
    assert officer.post(path, json={"told_on": today().isoformat()}).status_code == 403  # CSRF
    future = (today() + dt.timedelta(days=3)).isoformat()
    r = officer.post(path, json={"told_on": future}, headers=h)
    assert r.status_code == 422 and "future" in r.json()["detail"]
    r = officer.post(path, json={"told_on": today().isoformat()}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "completed"
    assert officer.post(path, json={"told_on": today().isoformat()}, headers=h).status_code == 409
    with transaction(app.state.sessionmaker) as s:
        req = s.get_one(DsrRequest, rid)
        letter = workflow.sealer_for(app.state.settings).open_text(req.letter) or ""
    told = {_who(n): (d, how) for n, d, how in TOLD.findall(letter)}
    assert told["Backup Vault Oy"] == (today().isoformat(), "(confirmed by our privacy team)")
    assert {n for n in told} == set(EXPECTED_MAIL)


def test_art19_waiver_through_the_console_needs_a_reason_and_is_quoted(  # type: ignore[no-untyped-def]
    task_app, sqlite_company, sqlite_engine
):
    app, officer, _ = task_app
    token = csrf_from(officer.get("/console/requests/new").text)
    r = officer.post("/console/requests/new", data={
        "csrf_token": token, "type": "restriction", "name": "Pat Example",
        "email": sqlite_company.who["email"], "country": "DK",
        "evidence": "ID checked in person"}, follow_redirects=False)
    assert r.status_code == 303
    page_url = r.headers["location"]
    rid = int(page_url.rsplit("/", 1)[1])
    page = officer.get(page_url).text
    assert "waiting_on_system" in page and "Recipients told (Art. 19)" in page
    assert "Open a ticket in the vault&#39;s customer portal" in page
    key = "nordhost.nordhost_backup"
    waive = f"/console/requests/{rid}/notifications/{key}/waive"
    r = officer.post(waive, data={"reason": "too hard"}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    r = officer.post(waive, data={"csrf_token": token, "reason": "short"},
                     follow_redirects=True)
    assert "at least 10 characters" in r.text and "waiting_on_system" in r.text
    reason = "The vault keeps write-once backups that expire after 35 days"
    r = officer.post(waive, data={"csrf_token": token, "reason": reason}, follow_redirects=True)
    assert r.status_code == 200
    with transaction(app.state.sessionmaker) as s:
        req = s.get_one(DsrRequest, rid)
        assert req.state == "completed"
        letter = workflow.sealer_for(app.state.settings).open_text(req.letter) or ""
    assert "Backup Vault Oy (backupvault.example) (Encrypted off-site backups; sub-processor of" \
        " NordHost A/S" in letter
    assert f"disproportionate effort (GDPR Art. 19): {reason}" in letter
    assert "Backup Vault Oy" not in {_who(n) for n, _, _ in TOLD.findall(letter)}
    waived = [d for a, d in _audit(app.state.sessionmaker) if a == "dsr.art19_waived"]
    assert len(waived) == 1 and reason not in waived[0]


@pytest.fixture
def pol_failing_ledgerly(policy: Policy) -> Policy:
    """Ledgerly's channel fails: its signing key is not set."""
    return with_notify(
        policy, ledgerly=Notify(channel="http", url="https://ledgerly.example/art19",
                                secret_env="UNSET_ART19_KEY_FOR_TEST")
    )


def test_art19_officer_can_confirm_a_failing_channel_but_not_twice(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, settings, pol_failing_ledgerly
):
    """A recipient whose channel fails (no signing key set) is told by hand and confirmed."""
    pol = pol_failing_ledgerly
    rid, state = _request(dsm, settings, pol, sqlite_company.who["email"], "restriction")
    assert state == "waiting_on_system"
    row = _rows(dsm, rid)["Ledgerly AS"]
    assert "UNSET_ART19_KEY_FOR_TEST" in (row.error or "")
    with pytest.raises(InvalidInput, match="before the request"):
        notifications.decide(dsm, pol, rid, row.recipient, "officer",
                             told_on=today() - dt.timedelta(days=400))
    assert notifications.decide(dsm, pol, rid, row.recipient, "officer", told_on=today())
    assert execute.execute_request(dsm, settings, pol, rid) == "completed"


def test_art19_told_on_is_the_danish_day_just_after_midnight_in_copenhagen(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, pol_failing_ledgerly, settings
):
    """A request that arrives at 23:30 UTC arrived on the next day in Copenhagen (UTC+1 in
    winter): the officer confirms "told on" that Danish day ten minutes later, when the UTC day
    is still the day before. Neither a date "in the future" nor one "before the request"."""
    pol = pol_failing_ledgerly
    arrived = dt.datetime.combine(
        today() - dt.timedelta(days=8), dt.time(23, 30), dt.UTC
    )
    danish_day = arrived.astimezone(ZoneInfo("Europe/Copenhagen")).date()
    assert danish_day == arrived.date() + dt.timedelta(days=1)
    rid, state = _request(dsm, settings, pol, sqlite_company.who["email"], "restriction",
                          received=arrived)
    assert state == "waiting_on_system"
    row = _rows(dsm, rid)["Ledgerly AS"]
    later = arrived + dt.timedelta(minutes=10)
    with transaction(dsm) as s, pytest.raises(InvalidInput, match="in the future"):
        notifications.confirm(s, pol, s.get_one(DsrRequest, rid), row.recipient,
                              danish_day + dt.timedelta(days=1), "officer", now=later)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert req.received_on == danish_day
        done = notifications.confirm(s, pol, req, row.recipient, danish_day, "officer", now=later)
        assert done.told_on == danish_day


def test_art19_nothing_changed_means_no_one_is_told_or_named(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, settings, policy
):
    rid, state = _request(dsm, settings, policy, "nobody-here@example.com", "erasure")
    assert state == "completed"
    assert _rows(dsm, rid) == {}
    assert "Art. 19" not in _letter(dsm, settings, rid)


def test_art19_task_is_confirmed_through_the_console_form_with_csrf(  # type: ignore[no-untyped-def]
    task_app, sqlite_company
):
    app, officer, _ = task_app
    token = csrf_from(officer.get("/console/requests/new").text)
    r = officer.post("/console/requests/new", data={
        "csrf_token": token, "type": "restriction", "name": "Pat Example",
        "email": sqlite_company.who["email"], "country": "DK",
        "evidence": "ID checked in person"}, follow_redirects=False)
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    confirm = f"/console/requests/{rid}/notifications/nordhost.nordhost_backup/confirm"
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    assert officer.post(confirm, data={"told_on": today().isoformat()}).status_code == 403
    r = officer.post(confirm, data={"csrf_token": token, "told_on": yesterday},
                     follow_redirects=True)
    assert "cannot have been told before the request" in r.text
    r = officer.post(confirm, data={"csrf_token": token, "told_on": today().isoformat()},
                     follow_redirects=True)
    assert r.status_code == 200
    with transaction(app.state.sessionmaker) as s:
        req = s.get_one(DsrRequest, rid)
        assert req.state == "completed"
        letter = workflow.sealer_for(app.state.settings).open_text(req.letter) or ""
    told = {_who(n): (d, how) for n, d, how in TOLD.findall(letter)}
    assert told == {
        "NordHost A/S": (today().isoformat(), "by e-mail"),
        "Backup Vault Oy": (today().isoformat(), "(confirmed by our privacy team)"),
        "Ledgerly AS": (today().isoformat(), "by e-mail"),
    }


# Each notification's status in words, by language (written here by hand).
STATUS_WORDS = {
    "da": {"sent": "underrettet", "open": "en medarbejder skal give besked", "waived": "fraveget"},
    "en": {"sent": "told", "open": "an officer is to tell them", "waived": "waived"},
}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_art19_statuses_are_words_in_the_console_language(  # type: ignore[no-untyped-def]
    task_app, sqlite_company, lang
):
    app, officer, _ = task_app
    words = STATUS_WORDS[lang]
    token = csrf_from(officer.get(f"/console/requests/new?lang={lang}").text)
    r = officer.post("/console/requests/new", data={
        "csrf_token": token, "type": "restriction", "name": "Pat Example",
        "email": sqlite_company.who["email"], "country": "DK",
        "evidence": "ID checked in person"}, follow_redirects=False)
    page_url = r.headers["location"]
    page = officer.get(page_url).text
    assert f'<html lang="{lang}"' in page
    # NordHost and Ledgerly are mailed at once; the backup vault waits for an officer.
    assert page.count(f'data-status="sent">{words["sent"]}</span>') == 2
    assert page.count(f'data-status="open">{words["open"]}</span>') == 1
    rid = int(page_url.rsplit("/", 1)[1])
    waive = f"/console/requests/{rid}/notifications/nordhost.nordhost_backup/waive"
    reason = "The vault keeps write-once backups that expire after 35 days"
    page = officer.post(waive, data={"csrf_token": token, "reason": reason},
                        follow_redirects=True).text
    assert f'data-status="waived">{words["waived"]}</span>' in page
    if lang != "en":
        for code in ("sent", "open", "waived"):
            assert f'">{code}</span>' not in page, code
