"""The scanner console page: viewers read the last report with gaps highlighted; officers
start a sampled scan through a CSRF-protected form; the dashboard counts the gaps."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import login, make_client
from tests.scanner import desk

from steward.connectors.engines import SystemEngines
from steward.policy.loader import load_policy
from steward.scanner.reports import save
from steward.scanner.systems import scan_systems
from steward.store.db import make_sessionmaker, transaction


def test_viewer_reads_the_report(tmp_path: Path, sqlite_engine: Engine) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    desk.fill(url)
    engines = SystemEngines(urls={"support": url})
    try:
        scans = scan_systems(desk.policy(), engines, system="support")
    finally:
        engines.dispose()
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        save(s, scans, actor="test")
    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "viewer")
    page = client.get("/console/scanner")
    assert page.status_code == 200
    assert 'class="gap"' in page.text and "internal_note" in page.text
    assert "DK_CPR 6" in page.text and "Scan a system" not in page.text
    assert "policy gaps: 1" in client.get("/console").text
    denied = client.post("/console/scanner/scan", data={"system": "support",
                                                        "csrf_token": token})
    assert denied.status_code == 403


def test_officer_scans_a_system(tmp_path: Path, sqlite_engine: Engine) -> None:
    demo = tmp_path / "var" / "demo"
    demo.mkdir(parents=True)
    desk.fill(f"sqlite:///{demo / 'support.db'}")
    policy = desk.write_policy(tmp_path / "policy.yaml", "sqlite:///support.db")
    load_policy(policy)
    client = make_client(sqlite_engine, tmp_path, policy=policy)
    token = login(client, sqlite_engine, "officer")
    assert client.post("/console/scanner/scan", data={"system": "support"},
                       follow_redirects=False).status_code == 403  # no CSRF token
    r = client.post("/console/scanner/scan", data={"system": "support", "sample": "5",
                                                   "csrf_token": token})
    assert r.status_code == 200
    assert 'role="alert"' not in r.text, r.text[r.text.find('role="alert"'):][:300]
    assert "Scanned support: 10 row(s), 1 policy gap(s)." in r.text  # 5 a table
    assert "(sample 5)" in r.text
    bad = client.post("/console/scanner/scan", data={"system": "support", "sample": "0",
                                                     "csrf_token": token})
    assert "between 1 and" in bad.text
