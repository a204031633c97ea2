"""Review, then send (`steward.requests.drafts`): an executed request's answer is a draft that
reaches the person (letter, package, mail) only when an officer sends it, once; an erasure is
confirmed on a page showing the plan before anything is deleted; a policy may send a type
without review; letters name data in plain words, never table names, in English and Danish."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.helpers import PASSWORD, add_user, login
from tests.requests.conftest import one_step, reviewed_policy

from steward import audit
from steward.errors import Conflict
from steward.policy.models import Policy, Right
from steward.requests import delivery, drafts, execute, letters, packages, workflow
from steward.requests.tables import DsrEvent, DsrPackage, DsrRequest
from steward.store.db import transaction
from steward.web.app import create_app


def _officer_request(dsm, settings, policy, email: str, type_: str = "access") -> int:  # type: ignore[no-untyped-def]
    out = workflow.submit_request(
        dsm,
        settings,
        policy,
        type=type_,
        name="Robin Example",
        email=email,
        country="DK",
        language="da",
        channel="officer",
        actor="officer@steward.example",
        evidence="ID checked in person",
    )
    return out.id


def _approve(dsm, rid: int, who: str = "officer@steward.example") -> None:  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, rid), who)


def _smtp(settings, smtp_server):  # type: ignore[no-untyped-def]
    host, port, inbox = smtp_server
    return settings.model_copy(
        update={"smtp_host": host, "smtp_port": port, "smtp_starttls": False}
    ), inbox


def _count(url: str, sql: str, **params: object) -> int:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return int(c.execute(sa.text(sql), params).scalar_one())
    finally:
        eng.dispose()


def test_nothing_reaches_the_person_before_send_and_send_happens_once(
    sqlite_company, dsm, settings, smtp_server
):  # type: ignore[no-untyped-def]
    policy = reviewed_policy()
    mailing, inbox = _smtp(settings, smtp_server)
    rid = _officer_request(dsm, mailing, policy, sqlite_company.who["email"])
    _approve(dsm, rid)
    assert (
        execute.execute_request(dsm, mailing, policy, rid, actor="runner@steward.example")
        == "awaiting_review"
    )
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert req.letter is None and req.notice_pending is None and req.completed_at is None
        assert delivery.current_package(s, req) is None
        assert s.scalars(sa.select(DsrPackage).where(DsrPackage.request_id == rid)).all() == []
        view = drafts.preview(s, workflow.sealer_for(mailing), policy, req)
        assert view is not None and view.sent_at is None and view.has_package
        assert view.letter.startswith("Kære Robin Example,")  # the person's language
        assert {t["what"] for sys in view.package for t in sys["tables"]} >= {"your purchases"}
    assert inbox == []  # no "your answer is ready" before send
    note = "Vi har også kigget i vores papirarkiv; der var intet om dig."
    state = drafts.send(
        dsm,
        mailing,
        policy,
        rid,
        "sender@steward.example",
        drafts.checked("Kære Robin,", note),
    )
    assert state == "completed"
    assert len(inbox) == 1 and inbox[0]["To"] == sqlite_company.who["email"]  # type: ignore[index]
    sealer = workflow.sealer_for(mailing)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        letter = sealer.open_text(req.letter) or ""
        assert letter.startswith("Kære Robin,\n") and note in letter
        assert "GDPR art. 77-79" in letter  # the fixed statements stay
        pkg = delivery.current_package(s, req)
        assert pkg is not None
        blob = packages.load(sealer, mailing.data_dir, pkg.filename)
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            assert note in zf.read("letter.txt").decode()
        # who approved, who ran it, who sent it: on the timeline and in the audit log
        events = {
            (e.kind, e.actor)
            for e in s.scalars(sa.select(DsrEvent).where(DsrEvent.request_id == rid))
        }
        assert ("in_progress", "officer@steward.example") in events  # approved
        assert ("executed", "runner@steward.example") in events
        assert ("answer_sent", "sender@steward.example") in events
        actions = [e.action for e in audit.events_for(s, f"dsr:{req.public_id}")]
        assert actions.index("dsr.executed") < actions.index("dsr.disclosed")
        assert actions.index("dsr.disclosed") < actions.index("dsr.answer_sent")
    with pytest.raises(Conflict, match="already sent"):
        drafts.send(dsm, mailing, policy, rid, "sender@steward.example")
    assert len(inbox) == 1


def test_a_policy_may_send_a_type_without_review(sqlite_company, dsm, settings, smtp_server):  # type: ignore[no-untyped-def]
    policy = reviewed_policy()
    rights = policy.rights.model_copy(update={"send_without_review": [Right.access]})
    policy = policy.model_copy(update={"rights": rights})
    mailing, inbox = _smtp(settings, smtp_server)
    rid = _officer_request(dsm, mailing, policy, sqlite_company.who["email"])
    _approve(dsm, rid)
    assert execute.execute_request(dsm, mailing, policy, rid) == "completed"
    assert len(inbox) == 1
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert req.letter is not None and delivery.current_package(s, req) is not None
    # Another type of the same policy is still reviewed.
    assert drafts.review_required(policy, "erasure")
    assert not drafts.review_required(policy, "access")


def test_erasure_is_confirmed_on_a_page_with_the_plan_before_anything_is_deleted(
    sqlite_company, sqlite_engine, dsm, settings
):  # type: ignore[no-untyped-def]
    policy = reviewed_policy()
    app = create_app(settings, policy=policy, engine=sqlite_engine)
    officer = TestClient(app, base_url="https://testserver")
    token = login(officer, sqlite_engine, "officer")
    who, crm = sqlite_company.who, sqlite_company.loc.urls["crm"]
    person_sql = "SELECT count(*) FROM customers WHERE email = :e"
    assert _count(crm, person_sql, e=who["email"]) == 1
    rid = _officer_request(dsm, settings, policy, who["email"], "erasure")
    plan = execute.prepare_plan(dsm, settings, policy, rid)
    r = officer.post(
        f"/console/requests/{rid}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/console/requests/{rid}/confirm"
    page = officer.get(f"/console/requests/{rid}/confirm").text
    # The counts are the plan's, system by system, in words; the SQL one click away.
    stmts = [st for p in plan["systems"].values() for st in p["statements"]]
    deleted = sum(st["rows"] for st in stmts if st["op"] == "delete")
    anonymised = sum(st["rows"] for st in stmts if st["op"] == "update")
    kept = sum(len(p["kept"]) for p in plan["systems"].values())
    assert f"Deleted: {deleted} record(s). Anonymised: {anonymised} record(s). Kept: {kept}" in page
    assert kept > 0 and "the bills we sent you" in page and "17(3)(b)" in page
    for key, p in plan["systems"].items():
        for st in p["statements"]:
            assert f"{letters.table_name(policy, key, st['table'], 'en')}: {st['rows']}" in page
    assert "your purchases" in page and "your customer account" in page
    assert page.index("<details") < page.index("DELETE FROM")
    with transaction(dsm) as s:
        assert s.get_one(DsrRequest, rid).state == "awaiting_approval"
    assert _count(crm, person_sql, e=who["email"]) == 1  # nothing deleted yet
    r = officer.post(
        f"/console/requests/{rid}/approve",
        data={"csrf_token": token, "confirmed": "yes"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _count(crm, person_sql, e=who["email"]) == 0
    with transaction(dsm) as s:
        assert s.get_one(DsrRequest, rid).state == "awaiting_review"  # the answer waits
    page = officer.get(f"/console/requests/{rid}").text
    assert "Answer to review before sending" in page
    # Sent through the console once; a second send is refused, clearly.
    r = officer.post(f"/console/requests/{rid}/send", data={"csrf_token": token})
    assert r.status_code == 200 and "The answer was sent." in r.text
    r = officer.post(f"/console/requests/{rid}/send", data={"csrf_token": token})
    assert "already sent" in r.text and "never sent twice" in r.text


def test_api_and_cli_send_once(sqlite_company, sqlite_engine, dsm, settings):  # type: ignore[no-untyped-def]
    policy = reviewed_policy()
    ids = []
    for type_ in ("access", "portability"):  # access waits for approval, portability not
        rid = _officer_request(dsm, settings, policy, sqlite_company.who["email"], type_)
        if type_ == "access":
            _approve(dsm, rid)
        assert execute.execute_request(dsm, settings, policy, rid) == "awaiting_review"
        ids.append(rid)
    # The API: sent once; the second call is an RFC 9457 problem, and changes nothing.
    app = create_app(settings, policy=policy, engine=sqlite_engine)
    officer = TestClient(app, base_url="https://testserver")
    h = {"x-csrf-token": login(officer, sqlite_engine, "officer")}
    r = officer.post(f"/api/requests/{ids[0]}/send", json={"note": "Med venlig hilsen."}, headers=h)
    assert r.status_code == 200 and r.json()["state"] == "completed"
    r = officer.post(f"/api/requests/{ids[0]}/send", json={}, headers=h)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert "already sent" in r.json()["detail"]
    r = officer.post(f"/api/requests/{ids[1]}/send", json={"greeting": "a\nb"}, headers=h)
    assert r.status_code == 422 and "one line" in r.json()["detail"]
    # The CLI: the draft as the person will read it, then send, then a clear one-line refusal.
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": settings.database_url,
        "STEWARD_DATA_DIR": str(settings.data_dir),
        "STEWARD_SECRET_KEY": settings.resolved_secret_key(),
        "STEWARD_POLICY": str(settings.policy),
    }
    exe = str(Path(sys.executable).parent / "steward")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, "dsr", *args], env=env, capture_output=True, text=True, timeout=120
        )

    draft = cli("draft", str(ids[1]), "--json")
    assert draft.returncode == 0, draft.stderr
    assert json.loads(draft.stdout)["letter"].startswith("Kære Robin Example,")
    sent = cli("send", str(ids[1]), "--note", "Ring gerne.", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout) == {"id": ids[1], "state": "completed"}
    again = cli("send", str(ids[1]))
    assert again.returncode == 1 and again.stderr.strip().count("\n") == 0
    assert "already sent" in again.stderr and "Traceback" not in again.stderr
    with transaction(dsm) as s:
        letter = workflow.sealer_for(settings).open_text(s.get_one(DsrRequest, ids[1]).letter)
    assert letter is not None and "Ring gerne." in letter


def _names(policy: Policy) -> tuple[set[str], set[str]]:
    tables = {t.name for s in policy.systems for t in s.tables}
    columns = {f.name for s in policy.systems for t in s.tables for f in t.fields if "_" in f.name}
    return tables, columns


def _without_policy_words(policy: Policy, letter: str, lang: str) -> str:
    """The letter minus the policy's own human names (systems, table labels, data
    categories): a category may well say "your orders"; what is left came from code."""
    texts = [policy.text(s.name, lang) for s in policy.systems]
    texts += [policy.text(t.label, lang) for s in policy.systems for t in s.tables if t.label]
    texts += [policy.text(c.name, lang) for c in policy.data_categories]
    for text in sorted(set(texts), key=len, reverse=True):
        letter = letter.replace(text, "")
    return letter


@pytest.mark.parametrize("lang", ["en", "da"])
def test_letters_name_data_in_words_never_by_table(sqlite_company, dsm, settings, lang):  # type: ignore[no-untyped-def]
    policy = one_step(reviewed_policy())
    tables, columns = _names(policy)
    sealer = workflow.sealer_for(settings)
    seen = []
    for type_ in ("access", "portability", "erasure"):
        out = workflow.submit_request(
            dsm,
            settings,
            policy,
            type=type_,
            name="Robin Example",
            email=sqlite_company.who["email"],
            country="DK",
            language=lang,
            channel="officer",
            actor="officer",
            evidence="ID checked in person",
        )
        if type_ == "erasure":
            execute.prepare_plan(dsm, settings, policy, out.id)
        with transaction(dsm) as s:
            req = s.get_one(DsrRequest, out.id)
            if req.state == "awaiting_approval":
                workflow.approve(s, req, "officer")
        assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
        with transaction(dsm) as s:
            letter = sealer.open_text(s.get_one(DsrRequest, out.id).letter) or ""
        seen.append(letter)
        own = _without_policy_words(policy, letter, lang)
        for name in sorted(tables | columns):
            assert not re.search(rf"\b{re.escape(name)}\b", own), (type_, name, letter)
    words = {
        "en": ("your customer account in CRM: ", "deleted"),
        "da": ("din kundekonto i CRM: ", "slettet"),
    }[lang]
    assert words[0] in seen[2] and words[1] in seen[2]  # the erasure letter, in plain words
    authority = letters.complaint_authority(policy, "DK", lang)[0]
    assert letters.phrase("complaint", lang, authority=authority) in seen[0]  # fixed, in place


@pytest.mark.browser
def test_officer_reviews_edits_and_sends_in_chromium(  # type: ignore[no-untyped-def]
    live_server, page, sqlite_company, smtp_server
):
    policy = reviewed_policy()
    settings, inbox = _smtp(live_server.settings, smtp_server)
    live_server.app.state.policy = policy
    live_server.app.state.settings = settings
    dsm = live_server.app.state.sessionmaker
    rid = _officer_request(dsm, settings, policy, sqlite_company.who["email"])
    add_user(live_server.engine, "officer@steward.example", "officer")
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("E-mail").fill("officer@steward.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/console")
    page.goto(f"{live_server.url}/console/requests/{rid}")
    page.get_by_role("button", name="Approve and run").click()
    page.wait_for_selector("#draft-letter")
    assert page.get_by_role("heading", name="Answer to review before sending").is_visible()
    assert "Kære Robin Example," in page.locator("#draft-letter").inner_text()
    assert "your purchases" in page.locator("#package-table").inner_text()
    assert inbox == []  # executed, not sent
    page.get_by_label("Additional paragraph", exact=False).fill(
        "Ring gerne til os, hvis noget er uklart."
    )
    page.get_by_role("button", name="Save and show the letter").click()
    page.wait_for_selector("#draft-letter")
    assert "Ring gerne til os" in page.locator("#draft-letter").inner_text()
    assert inbox == []  # saving is not sending
    page.get_by_role("button", name="Send the answer to the person").click()
    page.wait_for_selector("#sent-by")
    assert "by user:" in page.locator("#sent-by").inner_text()  # the officer, by account
    assert page.locator("#send-form").count() == 0  # nothing left to send
    assert len(inbox) == 1 and inbox[0]["To"] == sqlite_company.who["email"]  # type: ignore[index]
    with transaction(dsm) as s:
        letter = workflow.sealer_for(settings).open_text(s.get_one(DsrRequest, rid).letter)
    assert letter is not None and "Ring gerne til os, hvis noget er uklart." in letter
