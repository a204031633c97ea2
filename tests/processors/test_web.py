"""Processor pages and API: DPA alerts, recording a change, the Art. 30(2) export, roles."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import csrf_from, login, make_client


def test_console_and_api(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "officer")
    page = client.get("/console/processors")
    assert page.status_code == 200
    assert "DPA review overdue since 2026-06-30" in page.text  # Mailwise, from the policy
    assert "Fjordvik Helse AS (NO)" in page.text  # Art. 30(2)(a): each controller served
    r = client.post("/console/processors/changes", data={
        "csrf_token": csrf_from(page.text), "processor_key": "mailwise", "kind": "added",
        "sub_processor_key": "bouncer", "effective": "2026-11-20", "name": "Bouncer BV",
        "service": "Bounce processing", "country": "NL", "dpa_signed": "2026-11-19"},
        follow_redirects=False)
    assert r.status_code == 303
    bad = client.post("/console/processors/changes", data={
        "csrf_token": token, "processor_key": "mailwise", "kind": "dpa",
        "effective": "2026-11-20", "dpa_signed": "2999-01-01"})
    assert bad.status_code == 422 and "future" in bad.text
    data = client.get("/api/processors").json()
    refs = {p["parent"] and f"{p['parent']}/{p['key']}" or p["key"] for p in data["processors"]}
    assert "mailwise/bouncer" in refs
    assert any(a["ref"] == "mailwise" and a["level"] == "bad" for a in data["alerts"])
    changes = client.get("/api/processors/changes").json()
    assert changes[0]["effective"] == "2026-11-20" and changes[0]["kind"] == "added"
    r = client.get("/api/processors/record", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Processing as processor" and rows[1][0] == "workforce_management"
    assert client.get("/console/processors/record.json").json()[0]["role"] == \
        "workforce_management"
    r = client.post("/api/processors/changes", headers={"X-CSRF-Token": token},
                    json={"processor_key": "ledgerly", "kind": "dpa", "effective": "2026-11-20",
                          "dpa_signed": "2026-11-20", "dpa_review_due": "2020-01-01"})
    assert r.status_code == 422 and r.json()["detail"].startswith("The DPA review date")


def test_viewer_cannot_record_changes(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "viewer")
    r = client.post("/api/processors/changes", headers={"X-CSRF-Token": token},
                    json={"processor_key": "ledgerly", "kind": "removed",
                          "effective": "2026-11-20"})
    assert r.status_code == 403
    assert "Record a change" not in client.get("/console/processors").text
