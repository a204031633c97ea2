"""The consent API: key auth, check with its basis, 422 for unknown purposes, filter, record;
and the console pages (figures chart, subject lookup, proof, notices)."""

from __future__ import annotations

import json

from tests.helpers import login, make_client

from steward.consent import apikeys
from steward.consent.subjects import email_ref
from steward.store.db import make_sessionmaker, transaction


def _key(engine) -> str:
    with transaction(make_sessionmaker(engine)) as s:
        return apikeys.create(s, name="crm", actor="test")[1]


def test_check_filter_record_with_api_key(engine, tmp_path):
    client = make_client(engine, tmp_path)
    key = _key(engine)
    h = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/consent/check?subject=a@example.com&purpose=newsletter"
                      ).status_code == 401
    bad = {"Authorization": "Bearer " + key[:-2] + "xx"}
    assert client.get("/api/consent/check?subject=a@example.com&purpose=newsletter",
                      headers=bad).status_code == 401
    r = client.get("/api/consent/check?subject=a@example.com&purpose=newsletter", headers=h)
    assert r.status_code == 200 and r.json()["allowed"] is False
    unknown = client.get("/api/consent/check?subject=a@example.com&purpose=telemarketing",
                         headers=h)
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "newsletter" in unknown.json()["detail"]
    assert "portrait_images" in unknown.json()["known_purposes"]
    # Recording needs an officer or a key; the subject's e-mail never reaches the ledger.
    rec = client.post("/api/consent/events", headers=h, json={
        "subject": "a@example.com", "purpose": "portrait_images", "action": "given",
        "method": "paper_form", "evidence_ref": "scan:2026-11-26/0042.pdf"})
    assert rec.status_code == 201 and rec.json()["subject_ref"].startswith("email:")
    assert client.post("/api/consent/events", headers=h, json={
        "subject": "a@example.com", "purpose": "portrait_images", "action": "maybe"}
    ).status_code == 422
    r = client.get("/api/consent/check?subject=a@example.com&purpose=portrait_images",
                   headers=h).json()
    assert r["allowed"] and r["basis"]["kind"] == "consent"
    client.post("/api/consent/events", headers=h, json={
        "subject": "b@example.com", "purpose": "satisfaction_surveys", "action": "objected"})
    f = client.post("/api/consent/filter", headers=h, json={
        "purpose": "satisfaction_surveys",
        "emails": ["a@example.com", "b@example.com", "c@example.com", "junk"]})
    assert f.status_code == 200
    assert f.json()["kept"] == ["a@example.com", "c@example.com"] and f.json()["dropped"] == 2


def test_check_reads_while_a_writer_holds_the_lock(sqlite_engine, tmp_path):
    """The check runs on the read-only engine: a writer holding SQLite's write lock (BEGIN
    IMMEDIATE) does not make it wait."""
    client = make_client(sqlite_engine, tmp_path)
    h = {"Authorization": f"Bearer {_key(sqlite_engine)}"}
    client.post("/api/consent/events", headers=h, json={
        "subject": "held@example.com", "purpose": "newsletter", "action": "given"})
    with sqlite_engine.connect() as writer:  # BEGIN IMMEDIATE: holds the write lock
        writer.exec_driver_sql("UPDATE consent_head SET seq = seq WHERE id = 1")
        r = client.get("/api/consent/check?subject=held@example.com&purpose=newsletter",
                       headers=h)
        assert r.status_code == 200 and r.json()["allowed"] is True
        writer.rollback()
    missing = client.get("/api/consent/check?subject=held@example.com", headers=h)
    assert missing.status_code == 422 and "purpose" in missing.json()["detail"]


def test_console_pages(engine, tmp_path):
    client = make_client(engine, tmp_path)
    csrf = login(client, engine, "officer")
    h = {"Authorization": f"Bearer {_key(engine)}"}
    for action in ("given", "withdrawn", "given"):
        client.post("/api/consent/events", headers=h, json={
            "subject": "ole@example.com", "purpose": "newsletter", "action": action,
            "language": "da"})
    page = client.get("/console/consent")
    assert page.status_code == 200 and "<svg" in page.text and "<script" not in page.text
    assert "newsletter" in page.text
    assert "intact" in client.get("/console/consent?verify=true").text
    sub = client.post("/console/consent/subject", data={"q": "ole@example.com",
                                                         "csrf_token": csrf})
    assert sub.status_code == 200 and sub.text.count("<td>withdrawn</td>") == 1
    ref = email_ref(client.app.state.settings.resolved_secret_key(), "ole@example.com")
    doc = client.get(f"/console/consent/proof?ref={ref}&format=json").json()
    assert [r["event_type"] for r in doc["consent_records"]] == ["given", "withdrawn", "given"]
    assert doc["pii_principal"]["id_type"] == "email-address-hmac-sha256"
    assert doc["hash_chain"]["whole_chain"]["intact"] is True
    sha = doc["consent_records"][0]["notice"]["notice_sha256"]
    assert "Nyhedsbrev" in json.dumps(doc["notices"][sha]["content"], ensure_ascii=False)
    assert "Proof of consent" in client.get(f"/console/consent/proof?ref={ref}").text
    notices = client.get("/console/consent/notices")
    assert sha[:16] in notices.text
    assert client.get(f"/console/consent/notices/{sha}").status_code == 200
    assert "Consent events" in client.get("/console").text
