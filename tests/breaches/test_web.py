"""Console and API for the breach register: roles, problem documents for bad input, the
countdown, notices, exports, and the dashboard card."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.helpers import csrf_from, login, make_client


def _body(**over: object) -> dict[str, object]:
    now = datetime.now(UTC)
    body: dict[str, object] = {
        "title": "Laptop with support exports stolen",
        "aware_at": (now - timedelta(hours=3)).isoformat(),
        "discovery_source": "Employee report",
        "description": "A laptop holding support ticket exports was stolen from a car.",
        "nature": ["confidentiality"], "systems": ["support"],
        "data_categories": ["user.contact.email", "user.health_and_medical"],
        "countries": ["DK", "GB"], "subjects_approx": 40, "records_approx": 90,
        "consequences": "Health notes could be read.", "measures_taken": "Device wiped remotely.",
        "measures_proposed": "Full-disk encryption on every laptop.",
    }
    body.update(over)
    return body


@pytest.fixture
def officer(sqlite_engine: Engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "officer")
    client.headers["X-CSRF-Token"] = token
    return client


def test_api_register_assess_notify_close(officer) -> None:  # type: ignore[no-untyped-def]
    r = officer.post("/api/breaches", json=_body())
    assert r.status_code == 201, r.text
    b = r.json()
    assert b["special_categories"] == ["user.health_and_medical"]
    assert b["timezone"] == "Europe/Copenhagen" and 68.5 < b["hours_left"] <= 69
    assert b["deadline_local"].endswith("+01:00")
    bid = b["id"]
    r = officer.post(f"/api/breaches/{bid}/close")
    assert r.status_code == 422 and "without a risk assessment" in r.json()["detail"]
    r = officer.post(f"/api/breaches/{bid}/assessment",
                     json={"risk": "risk", "reasoning": "Health data, device wiped."})
    tasks = {t["key"]: t["done"] for t in r.json()["tasks"]}
    assert tasks == {"document": True, "assess": True, "notify_authority:DK": False,
                     "notify_authority:GB": False}
    r = officer.get(f"/api/breaches/{bid}/notice", params={"authority": "GB", "format": "json"})
    assert r.headers["content-disposition"].endswith('.json"')
    assert r.json()["authority_name"].startswith("Information Commissioner")
    md = officer.get(f"/api/breaches/{bid}/notice").text
    # Datatilsynet (DK) is notified in its language, Danish (Authority.language).
    assert md.startswith("# Anmeldelse af brud på persondatasikkerheden — Datatilsynet")
    for cc in ("DK", "GB"):
        r = officer.post(f"/api/breaches/{bid}/notifications", json={
            "authority": cc, "sent_at": datetime.now(UTC).isoformat(), "reference": f"R-{cc}"})
        assert r.status_code == 201, r.text
    r = officer.post(f"/api/breaches/{bid}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = officer.put(f"/api/breaches/{bid}", json=_body())
    assert r.status_code == 422 and "closed" in r.json()["detail"]
    versions = officer.get(f"/api/breaches/{bid}/versions").json()
    assert [v["change"] for v in versions] == ["assessed", "closed"]
    csv_text = officer.get("/api/breaches/export", params={"format": "csv"}).content.decode(
        "utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Breach,Title,Status")
    assert "Laptop with support exports stolen" in csv_text


@pytest.mark.parametrize(("over", "message"), [
    ({"aware_at": "2999-01-01T00:00:00+00:00"}, "in the future"),
    ({"subjects_approx": -3}, "cannot be negative"),
    ({"aware_at": "2026-01-01T10:00:00"}, "no time zone"),
])
def test_api_bad_input_is_a_problem_document(officer, over, message) -> None:  # type: ignore[no-untyped-def]
    r = officer.post("/api/breaches", json=_body(**over))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    doc = r.json()
    assert doc["status"] == 422 and message in doc["detail"] and doc["title"] == "Invalid input"


def test_notification_before_awareness_is_a_problem(officer) -> None:  # type: ignore[no-untyped-def]
    bid = officer.post("/api/breaches", json=_body()).json()["id"]
    r = officer.post(f"/api/breaches/{bid}/notifications", json={
        "sent_at": (datetime.now(UTC) - timedelta(days=2)).isoformat()})
    assert r.status_code == 422 and "before the breach was known" in r.json()["detail"]


def test_viewer_reads_but_cannot_register(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "viewer")
    r = client.post("/api/breaches", json=_body(), headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    assert client.get("/api/breaches").status_code == 200
    page = client.get("/console/breaches")
    assert page.status_code == 200 and "Register a breach" not in page.text
    assert client.get("/console/breaches/new").status_code == 403
    anon = make_client(sqlite_engine, tmp_path)
    assert anon.get("/api/breaches").status_code == 401


def test_console_register_countdown_and_notice(officer, sqlite_engine: Engine) -> None:  # type: ignore[no-untyped-def]
    form_page = officer.get("/console/breaches/new")
    token = csrf_from(form_page.text)
    aware = (datetime.now(UTC) - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")
    data = {"csrf_token": token, "title": "Misdirected payroll e-mail",
            "aware_at": aware, "timezone": "UTC", "discovery_source": "Customer",
            "description": "A payroll file was e-mailed to the wrong customer.",
            "systems": "crm", "data_categories": "user.name", "countries": "DK",
            "subjects_approx": "-1"}
    bad = officer.post("/console/breaches/new", data=data)
    assert bad.status_code == 422 and "cannot be negative" in bad.text
    assert 'value="Misdirected payroll e-mail"' in bad.text  # nothing typed is lost
    data["subjects_approx"] = "12"
    r = officer.post("/console/breaches/new", data=data, follow_redirects=False)
    assert r.status_code == 303
    page = officer.get(r.headers["location"])
    assert "41 h" in page.text and 'data-deadline="' in page.text
    assert "/static/breaches/countdown.js" in page.text and "<script>" not in page.text
    bid = r.headers["location"].rsplit("/", 1)[-1]
    notice = officer.get(f"/console/breaches/{bid}/notice?authority=DK")
    assert "Bruddets karakter" in notice.text and "art. 33(3)(d)" in notice.text
    bad = officer.post(f"/console/breaches/{bid}/notify", data={
        "csrf_token": token, "kind": "authority", "authority": "DK", "phase": "initial",
        "sent_at": "2020-01-01T10:00", "timezone": "UTC"})
    assert bad.status_code == 422 and "before the breach was known" in bad.text
    dash = officer.get("/console")
    assert "Open breaches" in dash.text and "Art. 33(1)" in dash.text
    assert "Processors" in dash.text and "DPA alert" in dash.text
    exported = officer.get("/console/breaches/export/json").json()
    assert exported[0]["title"] == "Misdirected payroll e-mail" and json.dumps(exported)


def test_console_labels_health_and_national_ids_apart(officer) -> None:  # type: ignore[no-untyped-def]
    keys = ["user.health_and_medical", "user.government_id.national_identification_number"]
    bid = officer.post("/api/breaches", json=_body(data_categories=keys)).json()["id"]
    page = officer.get(f"/console/breaches/{bid}").text
    health, cpr = page.split("Health information", 1)[1].split("Social security numbers", 1)
    # Art. 9(1) for health data, Art. 87 for the CPR number: never the other's label.
    assert "special category (Art. 9(1))" in health and "Art. 87" not in health
    assert "national identification number (Art. 87)" in cpr.split("</dd>", 1)[0]
    assert "Art. 9(1)" not in cpr.split("</dd>", 1)[0]
