"""The secure message thread and the person's session on one request, through the web app with
a real SMTP server (aiosmtpd) and a real store (SQLite and PostgreSQL):

- the officer asks for identification; the mail to the person says only that a message waits;
  the person, verified once, reads and answers with a PDF; the officer is told without the
  content, sees the reply and opens the file; the file at rest is not the plaintext;
- bad attachments are refused with a clear error and nothing is stored;
- a closed request's thread is read-only on both sides;
- the session ends when idle, when too old, and when signed out (server-side);
- the download page reloads, and downloads again within the session without a code;
- the UK clock stops while identification is awaited and the EU clock keeps running, with the
  dates computed by hand below.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from tests.helpers import csrf_from, login, settings_for
from tests.requests.conftest import code_from, sql_policy

from steward.requests import messages, sessions, workflow
from steward.requests.tables import (
    DsrAttachment,
    DsrMessage,
    DsrPause,
    DsrRequest,
    DsrSubjectSession,
)
from steward.store.db import transaction
from steward.web.app import create_app

OFFICER_MAIL = "dpo@promark.example.com"
SECRET = "Please upload a scan of your passport, reference PASSPORT-ASK-7731"
REPLY = "Here is my passport scan, reference REPLY-TEXT-5512"
# A small but real PDF: its first bytes are what the kind check looks for.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"fictional passport scan " * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def env(engine, tmp_path, smtp_server):  # type: ignore[no-untyped-def]
    host, port, inbox = smtp_server
    settings = settings_for(
        engine,
        tmp_path,
        smtp_host=host,
        smtp_port=port,
        smtp_starttls=False,
        officer_email=OFFICER_MAIL,
        attachment_limit_bytes=4096,
    )
    app = create_app(settings, policy=sql_policy(), engine=engine)
    return TestClient(app, base_url="https://testserver"), inbox


def _text(msg) -> str:  # type: ignore[no-untyped-def]
    return str(msg.get_body(preferencelist=("plain",)).get_content())


def _start(client: TestClient, inbox: list, country: str = "GB", type_: str = "access") -> str:  # type: ignore[type-arg]
    """Submit a request and verify it with the mailed code: this browser is then signed in."""
    token = csrf_from(client.get("/privacy/requests").text)
    r = client.post(
        "/privacy/requests",
        data={"csrf_token": token, "type": type_, "name": "Alex Example",
              "email": "alex@example.com", "country": country, "language": "en"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    public_id = r.headers["location"].split("r=")[1]
    r = client.post(
        "/privacy/requests/verify",
        data={"csrf_token": token, "public_id": public_id, "code": code_from(_text(inbox[-1]))},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert f"path=/privacy/requests/{public_id.lower()}" in cookie
    return public_id


def _rid(client: TestClient, public_id: str) -> int:
    with transaction(client.app.state.sessionmaker) as s:
        return workflow.by_public_id(s, public_id).id


def _count(client: TestClient, table: type) -> int:
    with transaction(client.app.state.sessionmaker) as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_thread_from_both_sides(env):  # type: ignore[no-untyped-def]
    client, inbox = env
    public_id = _start(client, inbox)
    rid = _rid(client, public_id)
    codes_sent = len(inbox)

    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, client.app.state.engine, "officer")
    r = officer.post(
        f"/console/requests/{rid}/messages",
        data={"csrf_token": otoken, "kind": "identification", "text": SECRET},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "msg=" not in r.headers["location"]
    mail = inbox[-1]
    assert mail["To"] == "alex@example.com"
    assert "new message" in mail["Subject"]
    body = _text(mail)
    assert f"/privacy/requests/{public_id}/messages" in body
    assert "PASSPORT-ASK-7731" not in body and "passport" not in body.lower()

    # The same browser reads the thread without another code.
    page = client.get(f"/privacy/requests/{public_id}/messages")
    assert page.status_code == 200 and "PASSPORT-ASK-7731" in page.text
    assert "identification" in page.text
    status = client.get(f"/privacy/requests/{public_id}").text
    assert 'id="clock-paused"' in status and "UK GDPR Art. 12A" in status
    assert 'id="awaiting"' in status

    # The answer with an attachment.
    r = client.post(
        f"/privacy/requests/{public_id}/messages",
        data={"csrf_token": csrf_from(page.text), "text": REPLY},
        files={"attachment": ("passport scan.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert len(inbox) == codes_sent + 2  # the "new message" mail and the officer's notice
    notice = inbox[-1]
    assert notice["To"] == OFFICER_MAIL
    assert "REPLY-TEXT-5512" not in _text(notice) and f"/console/requests/{rid}" in _text(notice)
    assert sum("code" in str(m["Subject"]).lower() for m in inbox) == 1  # one code, whole journey

    # The wait ended when the answer arrived.
    with transaction(client.app.state.sessionmaker) as s:
        waits = s.scalars(select(DsrPause).where(DsrPause.request_id == rid)).all()
        assert [(w.kind, w.answered_on is not None) for w in waits] == [("identification", True)]
        att = s.scalars(select(DsrAttachment)).one()
        stored = messages.stored_path(client.app.state.settings, s, att.id)
    at_rest = stored.read_bytes()
    assert PDF not in at_rest and b"%PDF" not in at_rest and b"fictional passport" not in at_rest

    detail = officer.get(f"/console/requests/{rid}").text
    assert "REPLY-TEXT-5512" in detail and 'id="thread-unread"' in detail
    assert 'id="thread-unread"' not in officer.get(f"/console/requests/{rid}").text  # now read
    f = officer.get(f"/console/requests/{rid}/messages/files/{att.id}")
    assert f.status_code == 200 and f.content == PDF
    assert f.headers["content-type"] == "application/pdf"
    # The person opens their own file too; a stranger's browser gets the code page.
    assert client.get(f"/privacy/requests/{public_id}/messages/files/{att.id}").content == PDF
    stranger = TestClient(client.app, base_url="https://testserver")
    other = stranger.get(f"/privacy/requests/{public_id}/messages/files/{att.id}")
    assert PDF not in other.content and "Confirm it is you" in other.text
    assert "REPLY-TEXT-5512" not in stranger.get(f"/privacy/requests/{public_id}/messages").text
    with client.app.state.engine.connect() as conn:
        audit = conn.execute(text(
            "SELECT action, details FROM audit_events WHERE action LIKE :messages "
            "OR action = 'dsr.attachment_opened'"
        ), {"messages": "dsr.message%"}).all()
    assert {a for a, _ in audit} >= {"dsr.message_sent", "dsr.message_received",
                                      "dsr.attachment_opened"}
    assert not any("PASSPORT-ASK" in str(d) or "REPLY-TEXT" in str(d) for _, d in audit)


@pytest.mark.parametrize(
    ("filename", "data", "error"),
    [
        ("big.pdf", b"%PDF-1.4\n" + b"x" * 5000, "too large"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, "cannot be attached"),
        ("notes.txt", b"just text", "cannot be attached"),
        ("fake.pdf", b"<html>not a pdf</html>", "not a valid PDF"),
        ("picture.png", b"%PDF-1.4 a pdf named png", "not a valid PNG"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(env, filename, data, error):  # type: ignore[no-untyped-def]
    client, inbox = env
    public_id = _start(client, inbox)
    page = client.get(f"/privacy/requests/{public_id}/messages")
    mails = len(inbox)
    r = client.post(
        f"/privacy/requests/{public_id}/messages",
        data={"csrf_token": csrf_from(page.text), "text": "my answer, kept on the page"},
        files={"attachment": (filename, data, "application/octet-stream")},
    )
    assert r.status_code == 422 and error in r.text
    assert "my answer, kept on the page" in r.text  # what was typed is not lost
    assert _count(client, DsrMessage) == 0 and _count(client, DsrAttachment) == 0
    folder = client.app.state.settings.data_dir / "attachments"
    assert not folder.exists() or not any(folder.iterdir())
    assert len(inbox) == mails
    # The officer's side refuses the same way.
    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, client.app.state.engine, "officer")
    r = officer.post(
        f"/console/requests/{_rid(client, public_id)}/messages",
        data={"csrf_token": otoken, "kind": "message", "text": "see attached"},
        files={"attachment": (filename, data, "application/octet-stream")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "msg=" in r.headers["location"]
    assert _count(client, DsrMessage) == 0 and _count(client, DsrAttachment) == 0


def test_a_png_is_accepted(env):  # type: ignore[no-untyped-def]
    client, inbox = env
    public_id = _start(client, inbox)
    page = client.get(f"/privacy/requests/{public_id}/messages")
    r = client.post(
        f"/privacy/requests/{public_id}/messages",
        data={"csrf_token": csrf_from(page.text), "text": "my ID card"},
        files={"attachment": ("id.PNG", PNG, "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _count(client, DsrAttachment) == 1


def test_a_closed_request_is_read_only_on_both_sides(env):  # type: ignore[no-untyped-def]
    client, inbox = env
    public_id = _start(client, inbox)
    rid = _rid(client, public_id)
    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, client.app.state.engine, "officer")
    officer.post(f"/console/requests/{rid}/messages",
                 data={"csrf_token": otoken, "kind": "message", "text": "We are on it."})
    r = officer.post(f"/console/requests/{rid}/refuse",
                     data={"csrf_token": otoken, "reason": "Manifestly unfounded: fictional test.",
                           "kind": "refused"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/privacy/requests/{public_id}/messages")
    assert "We are on it." in page.text and 'id="read-only"' in page.text
    assert 'name="text"' not in page.text
    r = client.post(f"/privacy/requests/{public_id}/messages",
                    data={"csrf_token": csrf_from(page.text), "text": "one more thing"})
    assert r.status_code == 409 and "closed" in r.text
    r = officer.post(f"/console/requests/{rid}/messages",
                     data={"csrf_token": otoken, "kind": "message", "text": "one more"},
                     follow_redirects=False)
    assert "closed" in r.headers["location"]
    detail = officer.get(f"/console/requests/{rid}").text
    assert 'id="thread-read-only"' in detail and 'name="kind" id="msgkind"' not in detail
    assert _count(client, DsrMessage) == 1


def test_the_session_ends_idle_too_old_and_signed_out(env):  # type: ignore[no-untyped-def]
    client, inbox = env
    public_id = _start(client, inbox)
    assert "Your request" in client.get(f"/privacy/requests/{public_id}").text
    sm = client.app.state.sessionmaker
    # Idle for 31 minutes (the limit is 30): the next visit asks for a code again.
    with transaction(sm) as s:
        s.execute(update(DsrSubjectSession).values(
            last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
    assert "Confirm it is you" in client.get(f"/privacy/requests/{public_id}").text
    assert _count(client, DsrSubjectSession) == 0

    # Active, but signed in 2 h 1 min ago (the absolute limit is 2 h).
    public_id = _start(client, inbox)
    with transaction(sm) as s:
        s.execute(update(DsrSubjectSession).values(
            created_at=datetime.now(UTC) - timedelta(minutes=121),
            last_seen_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert "Confirm it is you" in client.get(f"/privacy/requests/{public_id}").text

    # Signing out ends the session in the store: a copied cookie stops working too.
    public_id = _start(client, inbox)
    copied = TestClient(client.app, base_url="https://testserver")
    copied.cookies = client.cookies
    page = client.get(f"/privacy/requests/{public_id}")
    assert "Your request" in page.text
    r = client.post(f"/privacy/requests/{public_id}/signout",
                    data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Confirm it is you" in copied.get(f"/privacy/requests/{public_id}").text
    assert "Confirm it is you" in client.get(f"/privacy/requests/{public_id}").text


def test_session_limits_in_the_domain(engine, tmp_path):  # type: ignore[no-untyped-def]
    """Idle and absolute limits at their edges, with the clock passed in."""
    settings = settings_for(engine, tmp_path)
    app = create_app(settings, policy=sql_policy(), engine=engine)
    sealer = workflow.sealer_for(settings)
    out = workflow.submit_request(
        app.state.sessionmaker, settings, app.state.policy, type="access", name="Alex Example",
        email="alex@example.com", identities=[], country="DK", language="en", details=None,
        objection_scope=None, channel="center", actor="public")
    limits = sessions.Limits(idle=timedelta(minutes=30), absolute=timedelta(hours=2))
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with transaction(app.state.sessionmaker) as s:
        req = workflow.by_public_id(s, out.public_id)
        cookie = sessions.open_session(s, sealer, req, now=t0)
        # Every 29 minutes for 1 h 56 min: alive; at 2 h 1 min: ended although active.
        for step in range(1, 5):
            at = t0 + step * timedelta(minutes=29)
            assert sessions.is_live(s, sealer, req, cookie, limits, now=at)
        assert not sessions.is_live(s, sealer, req, cookie, limits, now=t0 + timedelta(minutes=121))
        cookie = sessions.open_session(s, sealer, req, now=t0)
        assert not sessions.is_live(s, sealer, req, cookie, limits, now=t0 + timedelta(minutes=31))
        cookie = sessions.open_session(s, sealer, req, now=t0)
        token, _, sig = cookie.partition(".")
        assert not sessions.is_live(s, sealer, req, f"{token}.{'0' * len(sig)}", limits, now=t0)
        assert not sessions.is_live(s, sealer, req, token, limits, now=t0)
        assert sessions.is_live(s, sealer, req, cookie, limits, now=t0)


def test_the_download_page_reloads_and_downloads_again(sqlite_company, env):  # type: ignore[no-untyped-def]
    client, inbox = env
    public_id = _start(client, inbox, country="DK", type_="portability")
    rid = _rid(client, public_id)
    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, client.app.state.engine, "officer")
    officer.post(f"/console/requests/{rid}/approve", data={"csrf_token": otoken})
    mails = len(inbox)
    first = client.get(f"/privacy/requests/{public_id}/download")
    again = client.get(f"/privacy/requests/{public_id}/download")  # a reload: no 405
    assert first.status_code == again.status_code == 200
    assert "Your data as a zip file" in again.text
    for _ in range(2):  # within the session, as often as needed, with no new code
        r = client.post(f"/privacy/requests/{public_id}/download",
                        data={"csrf_token": csrf_from(again.text)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/privacy/download/")
        z = client.get(r.headers["location"])
        assert z.status_code == 200
        with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
            assert "report.html" in zf.namelist()
        assert client.get(r.headers["location"]).status_code == 404  # each link works once
    assert not [m for m in inbox[mails:] if "code" in str(m["Subject"]).lower()]
    stranger = TestClient(client.app, base_url="https://testserver")
    page = stranger.get(f"/privacy/requests/{public_id}/download")
    assert "Confirm it is you" in page.text and "zip file" not in page.text


def _backdate(client: TestClient, public_id: str, received: date) -> int:
    with transaction(client.app.state.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        req.received_at = datetime(received.year, received.month, received.day, 9, tzinfo=UTC)
        req.received_on = received
        return req.id


@pytest.mark.parametrize(
    ("country", "paused", "adjusted"),
    [
        # UK GDPR Art. 12A: received Mon 2 Nov 2026, identification asked that day and received
        # Mon 16 Nov 2026: the month runs from 16 Nov, due Wed 16 Dec 2026.
        ("GB", True, "2026-12-16"),
        # EU (Denmark): the month runs from receipt whatever was asked, due Wed 2 Dec 2026.
        ("DK", False, None),
    ],
)
def test_uk_clock_stops_for_identification_and_the_eu_clock_runs(env, country, paused, adjusted):  # type: ignore[no-untyped-def]
    client, inbox = env
    public_id = _start(client, inbox, country=country)
    _backdate(client, public_id, date(2026, 11, 2))
    st = client.app.state
    sealer = workflow.sealer_for(st.settings)
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        messages.post(s, st.settings, st.policy, sealer, req, author="officer", actor="user:1",
                      kind="identification", text="Please send identification.",
                      now=datetime(2026, 11, 2, 12, tzinfo=UTC))
    waiting = client.get(f"/privacy/requests/{public_id}").text
    assert 'id="statutory-due">2026-12-02<' in waiting
    if paused:
        assert 'id="clock-paused"' in waiting and "starts again when your answer arrives" in waiting
        assert 'id="clock-running"' not in waiting
    else:
        assert 'id="clock-running"' in waiting and "EDPB Guidelines 01/2022" in waiting
        assert 'id="clock-paused"' not in waiting
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        messages.post(s, st.settings, st.policy, sealer, req, author="subject", actor="subject",
                      text="My passport number is on its way.",
                      now=datetime(2026, 11, 16, 12, tzinfo=UTC))
    answered = client.get(f"/privacy/requests/{public_id}").text
    assert 'id="statutory-due">2026-12-02<' in answered
    if paused:
        assert f'id="adjusted-due">{adjusted}<' in answered
    else:
        assert "adjusted-due" not in answered and 'id="clock-running"' in answered
    with transaction(st.sessionmaker) as s:
        req = s.get_one(DsrRequest, _rid(client, public_id))
        assert req.due_on == date.fromisoformat(adjusted or "2026-12-02")


def test_attachments_are_deleted_with_the_request_data(env):  # type: ignore[no-untyped-def]
    """A closed request's attachments go with the package window (30 days after closing): the
    file is deleted, the row says so, the thread shows it; an open request's files stay."""
    from steward.requests.delivery import purge_expired

    client, inbox = env
    st = client.app.state
    closed_id = _start(client, inbox)
    open_id = _start(client, inbox, type_="restriction")
    assert open_id != closed_id
    sealer = workflow.sealer_for(st.settings)
    with transaction(st.sessionmaker) as s:
        for pid in (closed_id, open_id):
            req = workflow.by_public_id(s, pid)
            messages.post(s, st.settings, st.policy, sealer, req, author="subject",
                          actor="subject", text="my document",
                          upload=messages.Upload("doc.pdf", PDF))
        closed = workflow.by_public_id(s, closed_id)
        closed.state = "completed"
        closed.completed_at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    files = st.settings.data_dir / "attachments"
    assert len(list(files.iterdir())) == 2
    # 30 days after closing: not yet; 31 days after: the closed request's file goes.
    sm, settings = st.sessionmaker, st.settings
    assert purge_expired(sm, settings, now=datetime(2026, 12, 1, 11, tzinfo=UTC)) == 0
    assert purge_expired(sm, settings, now=datetime(2026, 12, 2, 13, tzinfo=UTC)) == 1
    assert len(list(files.iterdir())) == 1
    with transaction(st.sessionmaker) as s:
        gone = s.scalars(select(DsrAttachment).where(
            DsrAttachment.request_id == _rid(client, closed_id))).one()
        assert gone.deleted_at is not None
        with pytest.raises(Exception, match="not available"):
            messages.attachment(s, sealer, st.settings, workflow.by_public_id(s, closed_id),
                                gone.id, "user:1")
    page = client.get(f"/privacy/requests/{closed_id}/messages")
    assert "doc.pdf (deleted)" in page.text
    # Idempotent: a second run deletes nothing more.
    assert purge_expired(st.sessionmaker, st.settings, now=datetime(2026, 12, 3, tzinfo=UTC)) == 0


def test_a_failed_new_message_mail_is_shown_and_retried(env):  # type: ignore[no-untyped-def]
    """Mail down: the message is kept, the officer is told the person was not told, the console
    shows it; the retry sends the mail (still without the content) once the server is back."""
    from urllib.parse import unquote_plus

    from tests.conftest import free_port

    from steward.config import Settings

    client, inbox = env
    st = client.app.state
    public_id = _start(client, inbox)
    rid = _rid(client, public_id)
    working: Settings = st.settings
    st.settings = working.model_copy(update={"smtp_port": free_port()})  # nobody listens there
    officer = TestClient(client.app, base_url="https://testserver")
    otoken = login(officer, st.engine, "officer")
    mails = len(inbox)
    r = officer.post(f"/console/requests/{rid}/messages",
                     data={"csrf_token": otoken, "kind": "message", "text": "RETRY-REF-9904"},
                     follow_redirects=False)
    assert "mail server is unavailable" in unquote_plus(r.headers["location"])
    assert len(inbox) == mails and _count(client, DsrMessage) == 1
    st.settings = working
    assert "mail not sent" in officer.get(f"/console/requests/{rid}").text
    assert messages.retry_unsent(st.sessionmaker, working, st.policy) == 1
    assert len(inbox) == mails + 1 and "RETRY-REF-9904" not in _text(inbox[-1])
    assert "mail sent" in officer.get(f"/console/requests/{rid}").text
    assert messages.retry_unsent(st.sessionmaker, working, st.policy) == 0
