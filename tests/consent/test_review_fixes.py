"""Regressions from the security and evidence review of the consent capability: CSRF on the
API for console sessions, no e-mail in console URLs, staff named by id, a capped banner body,
HKDF-derived subject keys, hashed opt-in evidence, per-recipient unsubscribe URLs from the
filter, and preference/done pages in the page's language."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from tests.consent.conftest import SECRET
from tests.consent.test_cli import run
from tests.helpers import login, make_client, settings_for

from steward.audit.tables import AuditEvent
from steward.auth.tables import User
from steward.breaches.affected import recipient_ref
from steward.consent import apikeys, ledger, mailtexts, optin, proof, tokens
from steward.consent.purposes import resolve
from steward.consent.snapshots import purpose_notice
from steward.consent.subjects import email_ref
from steward.consent.tables import ConsentEvent
from steward.store.db import make_sessionmaker, transaction


def _key(engine) -> str:
    with transaction(make_sessionmaker(engine)) as s:
        return apikeys.create(s, name="newsletter-tool", actor="test")[1]


def _give(engine, policy, ref: str, purpose: str = "newsletter",
          method: str = "double_opt_in") -> None:
    with transaction(make_sessionmaker(engine)) as s:
        ledger.record(s, policy, subject_ref=ref, purpose=resolve(policy, purpose),
                      action="given", method=method, recorded_by="subject")


def _user_id(engine, email: str) -> int:
    with transaction(make_sessionmaker(engine)) as s:
        return s.scalar(select(User.id).where(User.email == email))


# --- 1. CSRF on the consent API for a console session ----------------------------------------


def test_api_posts_by_console_session_need_the_csrf_token(sqlite_engine, tmp_path):
    client = make_client(sqlite_engine, tmp_path)
    csrf = login(client, sqlite_engine, "officer")
    event = {"subject": "kai@example.com", "purpose": "portrait_images", "action": "given"}
    lookup = {"purpose": "newsletter", "emails": ["kai@example.com"]}
    # The session cookie alone (what a forged cross-site request carries) is refused.
    assert client.post("/api/consent/events", json=event).status_code == 403
    assert client.post("/api/consent/filter", json=lookup).status_code == 403
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        assert s.scalar(select(ConsentEvent.seq)) is None
    h = {"X-CSRF-Token": csrf}
    assert client.post("/api/consent/events", json=event, headers=h).status_code == 201
    assert client.post("/api/consent/filter", json=lookup, headers=h).status_code == 200
    # An API key is not sent by browsers on their own: it needs no CSRF token.
    fresh = make_client(sqlite_engine, tmp_path)
    key = {"Authorization": f"Bearer {_key(sqlite_engine)}"}
    assert fresh.post("/api/consent/filter", json=lookup, headers=key).status_code == 200


# --- 2 and 3. Console lookup by POST, pages keyed by the reference, staff named by id --------


def test_subject_lookup_keeps_the_address_out_of_urls(sqlite_engine, tmp_path, policy):
    client = make_client(sqlite_engine, tmp_path)
    csrf = login(client, sqlite_engine, "officer")
    ref = email_ref(client.app.state.settings.resolved_secret_key(), "ole@example.com")
    _give(sqlite_engine, policy, ref)
    # The old GET with the address in the query string no longer looks anyone up.
    old = client.get("/console/consent/subject?q=ole@example.com")
    assert old.status_code == 200 and "double_opt_in" not in old.text
    assert client.get("/console/consent/subject?ref=ole@example.com").status_code == 422
    assert client.get("/console/consent/proof?ref=ole@example.com").status_code == 422
    # The lookup form posts, with the CSRF token.
    assert client.post("/console/consent/subject", data={"q": "ole@example.com"},
                       follow_redirects=False).status_code == 403
    r = client.post("/console/consent/subject", data={"q": "Ole@Example.com",
                                                       "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    where = r.headers["location"]
    assert "@" not in where and "ole" not in urlsplit(where).query.lower()
    assert parse_qs(urlsplit(where).query) == {"ref": [ref]}
    page = client.get(where)
    assert page.status_code == 200 and "double_opt_in" in page.text
    assert "ole@example.com" not in page.text.lower()
    assert f"/console/consent/proof?ref={ref}" in page.text.replace("%3A", ":")
    doc = client.get(f"/console/consent/proof?ref={ref}&format=json")
    assert doc.status_code == 200 and doc.json()["pii_principal"]["pii_principal_id"] == ref


def test_audit_and_ledger_name_staff_by_id(sqlite_engine, tmp_path):
    client = make_client(sqlite_engine, tmp_path)
    csrf = login(client, sqlite_engine, "officer")
    uid = _user_id(sqlite_engine, "officer@steward.example")
    r = client.post("/api/consent/events", headers={"X-CSRF-Token": csrf}, json={
        "subject": "kai@example.com", "purpose": "portrait_images", "action": "given"})
    assert r.status_code == 201
    ref = r.json()["subject_ref"]
    assert client.get(f"/console/consent/proof?ref={ref}").status_code == 200
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        recorded_by = s.scalar(select(ConsentEvent.recorded_by))
        actors = set(s.scalars(select(AuditEvent.actor).where(
            AuditEvent.action == "consent.proof_exported")))
        everyone = list(s.scalars(select(AuditEvent.actor)))
    assert recorded_by == f"user:{uid}"
    assert actors == {f"user:{uid}"}
    assert not [a for a in everyone if "@" in a]


# --- 4. The banner beacon's body is read with a cap ------------------------------------------


def test_banner_event_over_the_limit_is_refused_with_413(sqlite_engine, tmp_path):
    client = make_client(sqlite_engine, tmp_path)
    big = b'{"v": 1, "pad": "' + b"x" * 9000 + b'"}'
    r = client.post("/consent/events", content=big, headers={"content-type": "text/plain"})
    assert r.status_code == 413
    chunked = client.post("/consent/events", content=iter([big[:5000], big[5000:]]),
                          headers={"content-type": "text/plain"})
    assert chunked.status_code == 413


def test_banner_event_reading_stops_at_the_limit(sqlite_engine, tmp_path):
    """An endless chunked upload (no Content-Length) is abandoned after the first chunks
    past 8 KB, not read to its end."""
    app = make_client(sqlite_engine, tmp_path).app
    pulled = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 4096, "more_body": pulled < 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "https", "path": "/consent/events",
             "raw_path": b"/consent/events", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"text/plain")],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 443)}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert pulled <= 3


# --- 5. Subject references under an HKDF-derived key, shared with the breach register --------


def test_email_ref_is_keyed_with_an_hkdf_derived_key():
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"steward consent subject").derive(SECRET.encode())
    expected = hmac.new(derived, b"ana.lind@example.com", hashlib.sha256).hexdigest()
    raw = hmac.new(SECRET.encode(), b"ana.lind@example.com", hashlib.sha256).hexdigest()
    assert email_ref(SECRET, " Ana.Lind@Example.com ") == "email:" + expected
    assert expected != raw
    # The breach register's recipient hash is the same digest, without the prefix.
    assert recipient_ref(SECRET, "Ana.Lind@Example.com") == expected
    assert email_ref("another-secret", "ana.lind@example.com") != "email:" + expected


# --- 6. Double opt-in evidence is the token's hash -------------------------------------------


def test_double_opt_in_stores_the_token_hash_not_the_token(sqlite_engine, tmp_path, policy):
    settings = settings_for(sqlite_engine, tmp_path)
    ref = email_ref(SECRET, "vera@example.com")
    notice = purpose_notice(policy, "newsletter", "en")
    token = tokens.make(SECRET, "confirm", {"s": ref, "p": ["newsletter"],
                                            "n": {"newsletter": notice.sha256}, "l": "en",
                                            "f": optin.FORM_ID, "u": "/privacy/newsletter"})
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        assert len(optin.confirm(s, settings, policy, token)) == 1
    with transaction(sm) as s:
        assert optin.confirm(s, settings, policy, token) == []  # the same link twice
        evs = list(s.scalars(select(ConsentEvent)))
        doc = proof.export(s, policy, ref)
    assert len(evs) == 1
    assert evs[0].evidence_ref == "double-opt-in-token-sha256:" + tokens.digest(token)
    assert token not in str(doc) and token.split(".")[-1] not in str(doc)
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "officer")
    page = client.get(f"/console/consent/proof?ref={ref}")
    assert page.status_code == 200 and tokens.digest(token) in page.text
    assert token not in page.text


# --- 7. Per-recipient unsubscribe URLs from the filter ---------------------------------------


def _token_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == "/privacy/unsubscribe"
    return parse_qs(parts.query)["token"][0]


def test_api_filter_gives_each_recipient_a_signed_unsubscribe_url(sqlite_engine, tmp_path,
                                                                  policy):
    client = make_client(sqlite_engine, tmp_path)
    secret = client.app.state.settings.resolved_secret_key()
    for who in ("ada@example.com", "bo@example.com"):
        _give(sqlite_engine, policy, email_ref(secret, who))
    h = {"Authorization": f"Bearer {_key(sqlite_engine)}"}
    r = client.post("/api/consent/filter", headers=h, json={
        "purpose": "newsletter", "language": "da",
        "emails": ["ada@example.com", "bo@example.com", "cy@example.com"]})
    body = r.json()
    assert body["kept"] == ["ada@example.com", "bo@example.com"]
    urls = body["unsubscribe_urls"]
    assert set(urls) == {"ada@example.com", "bo@example.com"}
    assert all(u.startswith("https://testserver/privacy/unsubscribe?token=") for u in urls.values())
    assert "ada" not in urls["ada@example.com"]
    for who, url in urls.items():
        data = tokens.read(secret, "unsubscribe", _token_of(url))
        assert data == {"s": email_ref(secret, who), "p": "newsletter", "l": "da"}
    # The URL is the RFC 8058 one-click target: a mail client's POST withdraws that person only.
    path = urlsplit(urls["ada@example.com"])
    done = make_client(sqlite_engine, tmp_path).post(
        f"{path.path}?{path.query}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Du er afmeldt" in done.text
    again = client.post("/api/consent/filter", headers=h, json={
        "purpose": "newsletter", "emails": ["ada@example.com", "bo@example.com"]}).json()
    assert again["kept"] == ["bo@example.com"]
    assert "l" not in tokens.read(secret, "unsubscribe",
                                  _token_of(again["unsubscribe_urls"]["bo@example.com"]))


def test_cli_filter_adds_an_unsubscribe_url_column(sqlite_engine, tmp_path, policy):
    _give(sqlite_engine, policy, email_ref(SECRET, "kim@example.com"))
    _give(sqlite_engine, policy, email_ref(SECRET, "lea@example.com"))
    src = tmp_path / "list.csv"
    src.write_text("name,email\nKim,kim@example.com\nLea,Lea@Example.com\nMo,mo@example.com\n")
    f = run(sqlite_engine, tmp_path, "filter", str(src), "--purpose", "newsletter",
            "--lang", "da")
    assert f.returncode == 0, f.stderr
    rows = list(csv.DictReader(io.StringIO(f.stdout)))
    assert list(rows[0]) == ["name", "email", "unsubscribe_url"]
    assert [r["name"] for r in rows] == ["Kim", "Lea"]
    for r in rows:
        data = tokens.read(SECRET, "unsubscribe", _token_of(r["unsubscribe_url"]))
        assert data == {"s": email_ref(SECRET, r["email"]), "p": "newsletter", "l": "da"}
    assert rows[0]["unsubscribe_url"] != rows[1]["unsubscribe_url"]
    clash = tmp_path / "clash.csv"
    clash.write_text("email,unsubscribe_url\nkim@example.com,x\n")
    bad = run(sqlite_engine, tmp_path, "filter", str(clash), "--purpose", "newsletter")
    assert bad.returncode != 0 and bad.stdout == "" and "unsubscribe_url" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    helptext = run(sqlite_engine, tmp_path, "filter", "--help").stdout
    assert "unsubscribe_url" in helptext and "RFC 8058" in helptext


# --- 8. Preference center and done pages in the page's language ------------------------------


def test_every_language_has_every_text():
    keys = set(mailtexts.TEXTS["en"])
    assert {lang: set(t) ^ keys for lang, t in mailtexts.TEXTS.items()} == {
        lang: set() for lang in mailtexts.TEXTS}


def test_preference_center_and_done_pages_speak_danish(sqlite_engine, tmp_path, policy):
    client = make_client(sqlite_engine, tmp_path)
    secret = client.app.state.settings.resolved_secret_key()
    ref = email_ref(secret, "ole@example.com")
    _give(sqlite_engine, policy, ref)
    da = client.get("/privacy/preferences",
                    params={"token": tokens.make(secret, "preferences", {"s": ref, "l": "da"})})
    assert da.status_code == 200 and '<html lang="da">' in da.text
    for text in ("Dine privatlivsindstillinger", "samtykke givet",
                 "bekræftet via linket, vi sendte dig på e-mail", "Træk samtykke tilbage",
                 "Historik", "Hvornår (UTC)"):
        assert text in da.text, text
    for text in ("Your privacy preferences", "Withdraw consent", "History", "When (UTC)",
                 "Now:", "confirmed by the link"):
        assert text not in da.text, text
    en = client.get("/privacy/preferences",
                    params={"token": tokens.make(secret, "preferences", {"s": ref, "l": "en"})})
    assert "Your privacy preferences" in en.text and "consent given" in en.text
    assert "Dine privatlivsindstillinger" not in en.text
    asked = client.get("/privacy/preferences?lang=da")
    assert "Send mig linket" in asked.text and "Send me the link" not in asked.text

    token = tokens.make(secret, "unsubscribe", {"s": ref, "p": "newsletter", "l": "da"})
    done = client.post("/privacy/unsubscribe", params={"token": token})
    assert done.status_code == 200 and '<html lang="da">' in done.text
    assert "Du er afmeldt" in done.text and "Se og ændr alle dine valg" in done.text
    assert "See all your choices" not in done.text and "preferences</a>" not in done.text
