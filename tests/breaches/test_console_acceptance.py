"""Regressions found in the issue-6 acceptance run: the console's affected-people lookup reads
the company systems where `steward demo` builds them (data_dir/demo), identity values can be
given in the form, form errors sit next to their field (never pydantic's raw text), the
history of a notified breach is shown, notices name systems, and the register CSV labels its
columns right."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.breaches.factories import breach_input, make_support_db, promark
from tests.helpers import make_client

from steward.breaches.affected import Selection, find_affected
from steward.breaches.register import check_input
from steward.errors import InvalidInput, Unavailable


@pytest.fixture
def demo_officer(sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An officer's client whose data dir holds the support desk (relative SQLite URL)."""
    from tests.helpers import login

    monkeypatch.delenv("PROMARK_SUPPORT_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # a lookup must not open (and create) ./support.db
    demo = tmp_path / "var" / "demo"
    demo.mkdir(parents=True)
    make_support_db(f"sqlite:///{demo / 'support.db'}")
    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "officer")
    client.headers["X-CSRF-Token"] = token
    client.csrf = token  # type: ignore[attr-defined]
    return client


def _breach(client: Any, **over: Any) -> int:
    body = {"title": "Support desk export exposed",
            "aware_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "discovery_source": "Customer report", "description": "Tickets were readable.",
            "systems": ["support"], "countries": ["DK"], **over}
    r = client.post("/api/breaches", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _window(client: Any, **extra: str) -> dict[str, str]:
    return {"csrf_token": client.csrf, "source": "support/tickets", "date_column": "opened_at",
            "since": "2026-03-01T00:00", "until": "2026-03-04T00:00", "timezone": "UTC",
            "update_counts": "on", **extra}


def test_console_lookup_reads_the_demo_systems(demo_officer: Any, tmp_path: Path) -> None:
    bid = _breach(demo_officer)
    r = demo_officer.post(f"/console/breaches/{bid}/affected", data=_window(demo_officer),
                          follow_redirects=False)
    assert r.status_code == 303, r.text
    # Tickets opened 1-3 March: one round of five, one without an address.
    assert "Found 4 people" in r.headers["location"].replace("%20", " ")
    assert not (tmp_path / "support.db").exists()
    b = demo_officer.get(f"/api/breaches/{bid}").json()
    assert (b["subjects_approx"], b["records_approx"]) == (5, 5)
    api = demo_officer.post(f"/api/breaches/{bid}/affected", json={
        "system": "support", "table": "tickets", "ids": [1, 2]})
    assert api.status_code == 200 and api.json()["subjects"] == 2


def test_console_letters_reach_the_outbox(demo_officer: Any, tmp_path: Path) -> None:
    bid = _breach(demo_officer)
    demo_officer.post(f"/api/breaches/{bid}/assessment",
                      json={"risk": "high", "reasoning": "Health notes in tickets."})
    r = demo_officer.post(f"/console/breaches/{bid}/affected",
                          data=_window(demo_officer, send="letters"), follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "4 sent" in r.headers["location"].replace("%20", " ")
    outbox = list((tmp_path / "var" / "outbox").glob("*.eml"))
    assert len(outbox) == 4
    assert "personal data breach" in outbox[0].read_text(encoding="utf-8")


def test_identity_values_in_the_form(demo_officer: Any) -> None:
    bid = _breach(demo_officer)
    data = {"csrf_token": demo_officer.csrf, "source": "support/tickets", "timezone": "UTC",
            "identities": "Astrid.Holm@example.com\ncustomer_number C-1002\n"}
    r = demo_officer.post(f"/console/breaches/{bid}/affected", data=data,
                          follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "Found 2 people" in r.headers["location"].replace("%20", " ")
    bad = demo_officer.post(f"/console/breaches/{bid}/affected",
                            data={**data, "identities": "just-a-word"})
    assert bad.status_code == 422
    assert 'id="affected-identities-error"' in bad.text
    assert 'id="identities" aria-invalid="true"' in bad.text
    assert "just-a-word" in bad.text  # the form keeps what was typed


def test_missing_sqlite_file_is_unavailable_not_created(tmp_path: Path) -> None:
    sel = Selection(system="support", table="tickets", ids=[1])
    with pytest.raises(Unavailable, match="does not exist"):
        find_affected(promark(), sel, secret="k", base_dir=tmp_path / "nowhere")
    assert not (tmp_path / "nowhere" / "support.db").exists()


def test_register_form_errors_sit_next_to_their_field(demo_officer: Any) -> None:
    base = {"csrf_token": demo_officer.csrf, "title": "Laptop stolen",
            "aware_at": "2026-11-01T10:00", "timezone": "Europe/Copenhagen",
            "discovery_source": "Employee", "description": "A laptop was stolen."}
    cases = [({"subjects_approx": "-4"}, "subjects_approx", "cannot be negative"),
             ({"records_approx": "many"}, "records_approx", "whole number"),
             ({"aware_at": "2999-01-01T10:00"}, "aware_at", "in the future"),
             ({"title": ""}, "title", "Title: this field is required"),
             ({"occurred_at": "2026-11-02T10:00"}, "occurred_at", "occurred after")]
    for over, field, message in cases:
        r = demo_officer.post("/console/breaches/new", data={**base, **over})
        assert r.status_code == 422, over
        m = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', r.text)
        assert m and message in m.group(1), (field, r.text[:2000])
        assert f'id="{field}" aria-invalid="true"' in r.text
        assert "String should have" not in r.text and "Traceback" not in r.text


def test_edit_error_stays_an_edit_and_history_is_shown(demo_officer: Any) -> None:
    bid = _breach(demo_officer, measures_taken="Link revoked.")
    demo_officer.post(f"/api/breaches/{bid}/assessment",
                      json={"risk": "risk", "reasoning": "Contact details only."})
    demo_officer.post(f"/api/breaches/{bid}/notifications",
                      json={"sent_at": datetime.now(UTC).isoformat()})
    form = {"csrf_token": demo_officer.csrf, "title": "Support desk export exposed",
            "aware_at": "2999-01-01T10:00", "timezone": "UTC", "discovery_source": "Customer",
            "description": "Tickets were readable.", "systems": "support",
            "measures_taken": "Link revoked; logs reviewed."}
    bad = demo_officer.post(f"/console/breaches/{bid}/edit", data=form)
    assert bad.status_code == 422 and f"Edit breach {bid}" in bad.text
    ok = demo_officer.post(f"/console/breaches/{bid}/edit",
                           data={**form, "aware_at": datetime.now(UTC).strftime(
                               "%Y-%m-%dT%H:%M")}, follow_redirects=False)
    assert ok.status_code == 303
    page = demo_officer.get(f"/console/breaches/{bid}").text
    assert "History (every version is kept" in page
    assert "Link revoked. → Link revoked; logs reviewed." in page.replace("&#39;", "'")


def test_notify_error_is_shown_in_the_notify_form(demo_officer: Any) -> None:
    bid = _breach(demo_officer)
    r = demo_officer.post(f"/console/breaches/{bid}/notify", data={
        "csrf_token": demo_officer.csrf, "kind": "authority", "authority": "DK",
        "phase": "initial", "sent_at": "2020-01-01T10:00", "timezone": "UTC",
        "reference": "VIRK-42"})
    assert r.status_code == 422
    assert 'id="notify-sent_at-error"' in r.text and "before the breach was known" in r.text
    assert 'value="VIRK-42"' in r.text


def test_close_without_assessment_is_shown_by_the_close_button(demo_officer: Any) -> None:
    bid = _breach(demo_officer)
    r = demo_officer.post(f"/console/breaches/{bid}/close",
                          data={"csrf_token": demo_officer.csrf})
    assert r.status_code == 422
    assert re.search(r'id="close-error">A breach without a risk assessment cannot be closed',
                     r.text)


def test_time_without_zone_names_the_right_field() -> None:
    naive = datetime(2026, 11, 25, 9, 0)
    with pytest.raises(InvalidInput) as err:
        check_input(promark(), breach_input(occurred_at=naive), datetime.now(UTC))
    assert err.value.extra["field"] == "occurred_at" and "occurred_at" in err.value.detail
    assert "aware_at" not in err.value.detail


def test_notice_names_systems_and_csv_labels_columns(demo_officer: Any) -> None:
    bid = _breach(demo_officer, nature=["confidentiality"])
    md = demo_officer.get(f"/api/breaches/{bid}/notice").text
    assert "Berørte systemer: Supportsystem" in md  # Datatilsynet (DK) gets it in Danish
    text = demo_officer.get("/api/breaches/export", params={"format": "csv"}).content
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0]["What happened (Art. 33(3)(a))"] == "Tickets were readable."
    assert rows[0]["Type (confidentiality / integrity / availability)"] == "confidentiality"


def test_dashboard_shows_the_time_left_as_the_figure(demo_officer: Any) -> None:
    _breach(demo_officer)
    page = demo_officer.get("/console").text
    assert "72-hour clock (Art. 33(1))" in page
    assert re.search(r">(6[89]|70) h \d\d min left</a>", page)
