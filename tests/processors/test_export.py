"""The processor register exports (CSV and JSON, console and API) with each entry's DPA
alerts, and a sub-processor added through the register inheriting its processor's data."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import PROMARK, login, make_client

from steward.policy.loader import load_policy
from steward.processors.export import export_register
from steward.processors.inputs import ChangeInput, ChangeKind
from steward.processors.register import record_change, register
from steward.store.db import make_sessionmaker, transaction


def test_console_and_api_exports(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "viewer")
    page = client.get("/console/processors").text
    assert 'href="/console/processors/export/csv"' in page
    assert "2026-06-30 — overdue" in page  # Mailwise's review date, marked in the table
    r = client.get("/console/processors/export/csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="processor-register.csv"' in r.headers["content-disposition"]
    rows = {row["Key"]: row for row in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))}
    assert set(rows) == {"nordhost", "nordhost/nordhost_backup", "mailwise",
                         "mailwise/cloudsend", "ledgerly"}
    assert rows["mailwise"]["Alerts"].startswith("bad: DPA review overdue since 2026-06-30")
    assert rows["mailwise/cloudsend"]["Transfer mechanism (Arts. 44-46)"] == "scc"
    assert rows["mailwise/cloudsend"]["Sub-processor of"] == "Mailwise Ltd (mailwise.example)"
    assert "E-mail (user.contact.email)" in rows["mailwise"]["Categories of personal data"]
    data = client.get("/api/processors/export", params={"format": "json"}).json()
    mailwise = next(d for d in data if d["ref"] == "mailwise")
    assert mailwise["dpa"]["review_due"] == "2026-06-30"
    assert [a["level"] for a in mailwise["alerts"]] == ["bad"]
    assert client.get("/console/processors/export/xml").status_code == 422


def test_added_sub_processor_inherits_the_processors_data(sqlite_engine: Engine) -> None:
    sm = make_sessionmaker(sqlite_engine)
    policy = load_policy(PROMARK)
    with transaction(sm) as s:
        record_change(s, policy, ChangeInput(
            processor_key="mailwise", sub_processor_key="bouncer", kind=ChangeKind.added,
            effective=date(2026, 11, 20), name="Bouncer BV", service="Bounces",
            country="NL", dpa_signed=date(2026, 11, 19)), actor="test")
    with transaction(sm) as s:
        entry = next(e for e in register(s, policy) if e.key == "bouncer")
        assert "user.contact.email" in entry.data_categories
        assert entry.systems == ("newsletter",)
        data, media, name = export_register(s, policy, "csv", date(2026, 11, 26))
    assert "Bouncer BV" in data.decode("utf-8-sig") and name == "processor-register.csv"
