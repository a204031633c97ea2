"""The console's consent import: an officer uploads a CSV (CSRF, size-bounded) and reads the
report; a viewer may not; the audit log records who imported what."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from tests.consent.test_imports import FILE, REFUSED
from tests.helpers import csrf_from, login, make_client

from steward.audit.tables import AuditEvent
from steward.store.db import make_sessionmaker, transaction


def _count(html: str, name: str) -> int:
    m = re.search(rf'data-count="{name}">(\d+)<', html)
    assert m, name
    return int(m.group(1))


def test_officer_uploads_and_reads_the_report(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    client = make_client(sqlite_engine, tmp_path, upload_limit_bytes=4096)
    login(client, sqlite_engine, role="officer")
    page = client.get("/console/consent/import")
    assert page.status_code == 200 and "withdrawn_at" in page.text
    token = csrf_from(page.text)
    files = {"file": ("subscribers.csv", FILE.encode(), "text/csv")}

    assert client.post("/console/consent/import", files=files).status_code == 403  # no CSRF
    r = client.post("/console/consent/import", files=files, data={"csrf_token": token})
    assert r.status_code == 200
    assert (_count(r.text, "imported"), _count(r.text, "already"), _count(r.text, "refused")) == (
        4,
        0,
        len(REFUSED) - 1,
    )
    assert "subscribers.csv" in r.text and "unknown purpose &#39;fax_marketing&#39;" in r.text
    for line in set(REFUSED) - {12}:
        assert f"<tr><td>{line}</td>" in r.text

    again = client.post("/console/consent/import", files=files, data={"csrf_token": token})
    assert (_count(again.text, "imported"), _count(again.text, "already")) == (0, 4)

    bad = client.post(
        "/console/consent/import",
        data={"csrf_token": token},
        files={"file": ("x.csv", b"email,purpose\n", "text/csv")},
    )
    assert bad.status_code == 422 and "identity" in bad.text
    big = client.post(
        "/console/consent/import",
        data={"csrf_token": token},
        files={"file": ("big.csv", b"x" * 5000, "text/csv")},
    )
    assert big.status_code == 413

    with transaction(make_sessionmaker(sqlite_engine)) as s:
        audits = s.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "consent.imported")
            .order_by(AuditEvent.seq)
        ).all()
        assert len(audits) == 2 and audits[0].actor.startswith("user:")


def test_viewer_cannot_import(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, role="viewer")
    assert client.get("/console/consent/import").status_code == 403
    token = csrf_from(client.get("/console/consent").text)
    r = client.post(
        "/console/consent/import",
        data={"csrf_token": token},
        files={"file": ("s.csv", FILE.encode(), "text/csv")},
    )
    assert r.status_code == 403


def test_the_api_cannot_record_the_import_method(sqlite_engine: sa.Engine,
                                                  tmp_path: Path) -> None:
    """Only an import marks a consent as given before Steward."""
    from tests.consent.test_api import _key

    client = make_client(sqlite_engine, tmp_path)
    h = {"Authorization": f"Bearer {_key(sqlite_engine)}"}
    body = {"subject": "a@example.com", "purpose": "newsletter", "action": "given"}
    r = client.post("/api/consent/events", headers=h, json={**body, "method": "import"})
    assert r.status_code == 422 and "steward consent import" in r.json()["detail"]
    assert client.post("/api/consent/events", headers=h,
                       json={**body, "method": "paper_form"}).status_code == 201
