"""Regressions from the security review of the request workflow:

1. parallel code guesses and parallel download redemptions race on PostgreSQL;
2. the officer's evidence text reached the (uneditable) audit log;
3. one client could mail a victim's address without limit, and a repeated submission killed
   the person's still-valid code;
4. staff e-mail addresses were recorded as audit actors;
5. a repeated submission did less work (and took less time) than a new one.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.helpers import csrf_from, login, settings_for
from tests.requests.conftest import code_from, sql_policy

from steward.errors import NotFound
from steward.mail import list_outbox
from steward.requests import delivery, packages, queries, workflow
from steward.requests.limits import CODES_PER_REQUEST, MAILS_PER_ADDRESS
from steward.requests.tables import DsrCode, DsrPackage, DsrRequest
from steward.requests.verification import MAX_ATTEMPTS, Check
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.web.app import create_app

PLANTED = "passport 7731-PLANTED-9902 seen at the desk"


@pytest.fixture
def env(engine, tmp_path):  # type: ignore[no-untyped-def]
    """A store on SQLite and PostgreSQL, settings mailing into the outbox folder."""
    settings = settings_for(engine, tmp_path)
    return make_sessionmaker(engine), settings, sql_policy()


def _mails_to(settings, address: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.body for m in list_outbox(settings, limit=1000) if m.to == address]


def _parallel(n: int, fn):  # type: ignore[no-untyped-def]
    """Run fn(i) on n threads released together; return results (or raised errors)."""
    start = threading.Barrier(n)
    out: list[object] = [None] * n

    def work(i: int) -> None:
        start.wait()
        try:
            out[i] = fn(i)
        except Exception as err:  # noqa: BLE001 - the caller inspects what happened
            out[i] = err

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _submit(sm, settings, policy, email: str, type_: str = "access", **kw):  # type: ignore[no-untyped-def]
    return workflow.submit_request(
        sm, settings, policy, type=type_, name="Test Person", email=email, country="DK",
        channel="api", actor="api", **kw,
    )


# --- 1. races -------------------------------------------------------------------------------


def test_parallel_wrong_guesses_never_exceed_the_limit(env):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    out = _submit(sm, settings, policy, "race@example.com")
    code = code_from(_mails_to(settings, "race@example.com")[0])
    wrong = "00000000" if code != "00000000" else "11111111"
    results = _parallel(
        12, lambda i: workflow.verify_code(sm, settings, policy, out.public_id, wrong)[0]
    )
    assert all(isinstance(r, Check) for r in results), results
    # Only MAX_ATTEMPTS guesses are ever compared with the code: the last one that counts
    # answers "exhausted", every later one too.
    assert sum(r is Check.wrong for r in results) == MAX_ATTEMPTS - 1, results
    with transaction(sm) as s:
        attempts = s.scalars(sa.select(DsrCode.attempts)).one()
    assert attempts == MAX_ATTEMPTS
    # the right code no longer works: a new one is needed
    assert workflow.verify_code(sm, settings, policy, out.public_id, code)[0] is Check.exhausted


def test_parallel_right_guesses_verify_once(env):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    out = _submit(sm, settings, policy, "twice@example.com")
    code = code_from(_mails_to(settings, "twice@example.com")[0])
    results = _parallel(
        6, lambda i: workflow.verify_code(sm, settings, policy, out.public_id, code)[0]
    )
    assert sum(r is Check.ok for r in results) == 1, results
    with transaction(sm) as s:
        kinds = list(s.scalars(sa.text("SELECT kind FROM dsr_events WHERE kind = 'verified'")))
    assert kinds == ["verified"]


def test_a_download_token_is_redeemed_once_under_parallel_use(env):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    out = _submit(sm, settings, policy, "download@example.com")
    sealer = workflow.sealer_for(settings)
    name, size = packages.store(sealer, settings.data_dir, b"PK-fictional-zip-bytes")
    now = datetime.now(UTC)
    with transaction(sm) as s:
        s.add(DsrPackage(request_id=out.id, filename=name, size=size, created_at=now,
                         expires_at=packages.expiry(now)))
    with transaction(sm) as s:
        token = delivery.grant_download(s, sealer, s.get_one(DsrRequest, out.id))

    def fetch(i: int) -> bytes:
        with transaction(sm) as s:
            return delivery.redeem(s, sealer, settings.data_dir, token)[1]

    results = _parallel(8, fetch)
    assert sum(r == b"PK-fictional-zip-bytes" for r in results) == 1, results
    assert all(isinstance(r, NotFound) for r in results if not isinstance(r, bytes))
    with transaction(sm) as s:
        n = s.scalar(sa.text("SELECT count(*) FROM dsr_events WHERE kind = 'downloaded'"))
    assert n == 1


# --- 2. evidence ----------------------------------------------------------------------------


def test_officer_evidence_never_reaches_the_audit_log(env):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    entered = workflow.submit_request(
        sm, settings, policy, type="access", name="Pat Example", email="pat@example.com",
        channel="officer", actor="user:1", evidence=PLANTED,
    )
    pending = _submit(sm, settings, policy, "later@example.com")
    with transaction(sm) as s:
        req = workflow.by_public_id(s, pending.public_id)
        workflow.officer_verify(s, policy, req, PLANTED + " (2)", "user:1",
                                sealer=workflow.sealer_for(settings))
    with transaction(sm) as s:
        rows = list(s.execute(sa.text("SELECT action, details FROM audit_events")))
        details = [d for _, d in rows]
        verified = [json.loads(d) for a, d in rows if a == "dsr.verified"]
        requests_ = list(s.execute(sa.text("SELECT * FROM dsr_requests")))
        events = list(s.scalars(sa.text("SELECT coalesce(note, '') FROM dsr_events")))
        # the officer still reads it (decrypted), on the request's own record
        a = queries.as_dict(s.get_one(DsrRequest, entered.id), policy, private=True,
                            sealer=workflow.sealer_for(settings))
    assert "PLANTED" not in "".join(details)
    assert len(verified) == 2 and all(v.get("evidence_given") is True for v in verified)
    assert "PLANTED" not in repr(requests_)  # encrypted at rest like the other details
    assert "PLANTED" not in "".join(events)
    assert a["verification_evidence"] == PLANTED


# --- 3. flooding ----------------------------------------------------------------------------


def test_resending_is_limited_per_request(env):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    out = _submit(sm, settings, policy, "victim@example.com")
    for _ in range(10):
        workflow.resend_code(sm, settings, policy, out.public_id)
    assert len(_mails_to(settings, "victim@example.com")) == CODES_PER_REQUEST
    with transaction(sm) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(DsrCode)) == CODES_PER_REQUEST


def test_mails_to_one_address_are_limited_across_requests_and_processes(env, engine):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    # a second engine and sessionmaker: another process's view of the same store
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        other_sm = make_sessionmaker(other)
        types = ["access", "erasure", "restriction", "portability", "objection",
                 "automated_decisions", "rectification"]
        for i, type_ in enumerate(types):
            _submit(sm if i % 2 else other_sm, settings, policy, "Flood@Example.com", type_)
        for _ in range(3):
            _submit(other_sm, settings, policy, "flood@example.com", "access")
    finally:
        other.dispose()
    assert len(_mails_to(settings, "flood@example.com")) == MAILS_PER_ADDRESS
    with transaction(sm) as s:  # every request was recorded; only the mails were held back
        assert s.scalar(sa.select(sa.func.count()).select_from(DsrRequest)) == len(types)


def test_parallel_resends_respect_the_limit(env):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    out = _submit(sm, settings, policy, "burst@example.com")
    _parallel(8, lambda i: workflow.resend_code(sm, settings, policy, out.public_id))
    assert len(_mails_to(settings, "burst@example.com")) == CODES_PER_REQUEST


def test_a_held_back_duplicate_keeps_the_persons_code(env):  # type: ignore[no-untyped-def]
    sm, settings, policy = env
    out = _submit(sm, settings, policy, "keep@example.com")
    for _ in range(CODES_PER_REQUEST - 1):
        workflow.resend_code(sm, settings, policy, out.public_id)
    mails = _mails_to(settings, "keep@example.com")
    assert len(mails) == CODES_PER_REQUEST
    newest = code_from(mails[0])
    again = _submit(sm, settings, policy, "keep@example.com")  # someone submits again
    assert again.public_id == out.public_id
    assert len(_mails_to(settings, "keep@example.com")) == CODES_PER_REQUEST  # no new mail
    # before the fix the resubmission killed this code (and mailed a new one without limit)
    assert workflow.verify_code(sm, settings, policy, out.public_id, newest)[0] is Check.ok


def test_the_answer_is_the_same_whether_or_not_mail_was_held_back(sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(settings_for(sqlite_engine, tmp_path), policy=sql_policy(),
                     engine=sqlite_engine)
    client = TestClient(app, base_url="https://testserver")
    body = {"type": "access", "name": "Pat", "email": "same@example.com", "country": "DK"}
    answers = [client.post("/api/requests", json=body) for _ in range(6)]
    fresh = client.post("/api/requests", json={**body, "email": "fresh@example.com"})
    shapes = {(r.status_code, tuple(sorted(r.json())), r.json()["state"], r.json()["detail"])
              for r in [*answers, fresh]}
    assert len(shapes) == 1, shapes
    assert len(_mails_to(app.state.settings, "same@example.com")) == CODES_PER_REQUEST


def test_the_privacy_center_resend_cannot_flood_an_address(sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(settings_for(sqlite_engine, tmp_path), policy=sql_policy(),
                     engine=sqlite_engine)
    client = TestClient(app, base_url="https://testserver")
    token = csrf_from(client.get("/privacy/requests").text)
    r = client.post("/privacy/requests", data={"csrf_token": token, "type": "access",
                                               "name": "Pat", "email": "center@example.com"},
                    follow_redirects=False)
    public_id = r.headers["location"].split("r=")[1]
    for _ in range(25):  # under the per-client limit of 30 a minute
        r = client.post("/privacy/requests/resend",
                        data={"csrf_token": token, "public_id": public_id},
                        follow_redirects=False)
        assert r.status_code == 303
    assert len(_mails_to(app.state.settings, "center@example.com")) == CODES_PER_REQUEST


# --- 4. actors ------------------------------------------------------------------------------


def test_staff_are_audit_actors_by_user_id_not_e_mail(sqlite_company, sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(settings_for(sqlite_engine, tmp_path), policy=sql_policy(),
                     engine=sqlite_engine)
    officer = TestClient(app, base_url="https://testserver")
    h = {"x-csrf-token": login(officer, sqlite_engine, "officer")}
    with transaction(app.state.sessionmaker) as s:
        uid = s.scalar(sa.text("SELECT id FROM users WHERE email = 'officer@steward.example'"))
    body = {"type": "access", "name": "Pat", "email": "pat@example.com", "country": "DK",
            "evidence": "ID checked in person"}
    a = officer.post("/api/requests/officer", json=body, headers=h).json()
    assert officer.post(f"/api/requests/{a['id']}/extend", json={"reason": "many systems"},
                        headers=h).status_code == 200
    assert officer.post(f"/api/requests/{a['id']}/approve", headers=h).status_code == 200
    q = officer.post("/api/requests/officer", headers=h,
                     json={**body, "type": "automated_decisions"}).json()
    assert officer.post(f"/api/requests/{q['id']}/complete", json={}, headers=h).status_code == 200
    r = officer.post("/api/requests/officer", headers=h, json={**body, "type": "erasure"}).json()
    assert officer.post(f"/api/requests/{r['id']}/refuse", json={"reason": "manifestly unfounded"},
                        headers=h).status_code == 200
    anon = TestClient(app, base_url="https://testserver")
    anon.post("/api/requests", json={"type": "restriction", "name": "Pat",
                                     "email": "console@example.com"})
    rid = officer.get("/api/requests?state=awaiting_verification").json()[0]["id"]
    token = csrf_from(officer.get(f"/console/requests/{rid}").text)
    officer.post(f"/console/requests/{rid}/verify", data={"csrf_token": token,
                                                          "evidence": "ID seen"})
    with transaction(app.state.sessionmaker) as s:
        rows = list(s.execute(sa.text(
            "SELECT actor, action FROM audit_events WHERE action LIKE 'dsr.%'")))
        timeline = list(s.scalars(sa.text("SELECT actor FROM dsr_events")))
        approved = list(s.scalars(sa.text("SELECT approved_by FROM dsr_requests "
                                          "WHERE approved_by IS NOT NULL")))
    staff = {a for a, _ in rows if a.startswith("user:")}
    assert staff == {f"user:{uid}"}
    assert {act for a, act in rows if a.startswith("user:")} >= {
        "dsr.received", "dsr.verified", "dsr.extended", "dsr.in_progress", "dsr.completed",
        "dsr.refused"}
    assert not [a for a, _ in rows if "@" in a]
    assert not [a for a in timeline if "@" in a] and approved == [f"user:{uid}"]
