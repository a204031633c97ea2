"""GDPR Art. 17(3)(e): legal holds bind erasure. Rows under a hold stay through an erasure,
restricted; the plan and the answer say "kept under a legal hold placed on DATE" and never the
hold's internal reason; a hold placed after approval is honoured because the plan is made again
before the run. On the demo company (SQLite, PostgreSQL, MariaDB) and on a small fleet company
defined here, with other table names and a three-level record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from tests.requests.test_workflow import _approve_and_run, _count, _submit_verified

from steward import audit
from steward.policy.models import Policy, SystemSpec
from steward.requests import execute, workflow
from steward.requests.tables import DsrEvent, DsrRequest
from steward.retention.holds import add_hold, lift_hold
from steward.store.db import transaction

CONFIDENTIAL = "Case 44-2026: confidential settlement talks with the customer's lawyer"


def _letter_and_result(dsm, settings, rid):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        return (
            workflow.sealer_for(settings).open_text(req.letter),
            json.loads(req.result_json),
            req.public_id,
        )


def test_art17_3_e_subject_hold_keeps_the_persons_rows_restricted(company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = company.who, company.loc.urls
    tickets = _count(
        urls["support"], "SELECT count(*) FROM tickets WHERE requester_email = :e", e=who["email"]
    )
    logins = _count(urls["portal"], "SELECT count(*) FROM logins WHERE email = :e", e=who["email"])
    assert tickets > 0 and logins > 0
    with transaction(dsm) as s:
        add_hold(s, actor="officer", reason=CONFIDENTIAL, identity_type="email",
                 identity_value=who["email"].upper())  # typed in capitals: the same address
    today = datetime.now(UTC).date().isoformat()
    out = _submit_verified(dsm, settings, policy, who["email"], "erasure")
    summary = execute.prepare_plan(dsm, settings, policy, out.id)
    kept = [k for p in summary["systems"].values() for k in p["kept"]]
    assert any(f"legal hold placed on {today}" in k["reason"] for k in kept)
    assert all("17(3)(e)" in k["reason"] for k in summary["systems"]["support"]["kept"])
    assert CONFIDENTIAL not in json.dumps(summary)
    assert _approve_and_run(dsm, settings, policy, out.id, plan=False) == "completed"
    # the held rows are all still there, and restricted where the table has a flag
    assert _count(urls["support"], "SELECT count(*) FROM tickets WHERE requester_email = :e "
                  "AND processing_restricted = :t", e=who["email"], t=True) == tickets
    assert _count(urls["portal"], "SELECT count(*) FROM logins WHERE email = :e "
                  "AND processing_restricted = :t", e=who["email"], t=True) == logins
    assert _count(urls["crm"], "SELECT count(*) FROM customers WHERE email = :e "
                  "AND processing_restricted = :t", e=who["email"], t=True) == 1
    letter, result, public_id = _letter_and_result(dsm, settings, out.id)
    assert f"GDPR Art. 17(3)(e): kept under a legal hold placed on {today}" in letter
    assert CONFIDENTIAL not in letter
    held = {
        (k["system"], k["table"]): k["rows"] for k in result["kept"] if "17(3)(e)" in k["reason"]
    }
    assert held[("support", "tickets")] == tickets and held[("portal", "logins")] == logins
    assert not result["erased"]  # everything found is under the hold: nothing erased
    with transaction(dsm) as s:
        details = json.dumps([e.details for e in audit.events_for(s, f"dsr:{public_id}")])
        assert CONFIDENTIAL not in details and who["email"] not in details


def test_art17_3_e_hold_placed_after_approval_is_honoured(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = sqlite_company.who, sqlite_company.loc.urls
    eng = sa.create_engine(urls["support"])
    with eng.connect() as c:
        ticket = c.execute(sa.text("SELECT min(id) FROM tickets WHERE requester_email = :e"),
                           {"e": who["email"]}).scalar_one()
        messages = c.execute(sa.text("SELECT count(*) FROM messages WHERE ticket_id = :t"),
                             {"t": ticket}).scalar_one()
    eng.dispose()
    out = _submit_verified(dsm, settings, policy, who["email"], "erasure")
    summary = execute.prepare_plan(dsm, settings, policy, out.id)
    assert not summary["holds"]  # no hold when the officer read the plan
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer")
        # placed between approval and the run (e.g. a claim arrives that afternoon)
        add_hold(s, actor="legal", reason=CONFIDENTIAL, policy=policy, system="support",
                 table="tickets", pk=str(ticket))
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    # the held ticket and its messages stay; the person's other tickets are gone
    assert _count(urls["support"], "SELECT count(*) FROM tickets WHERE id = :t", t=ticket) == 1
    assert _count(urls["support"], "SELECT count(*) FROM messages WHERE ticket_id = :t",
                  t=ticket) == messages
    assert _count(urls["support"], "SELECT count(*) FROM tickets WHERE requester_email = :e "
                  "AND id <> :t", e=who["email"], t=ticket) == 0
    assert _count(urls["crm"], "SELECT count(*) FROM customers WHERE email = :e",
                  e=who["email"]) == 0  # not held: erased as before
    letter, result, _ = _letter_and_result(dsm, settings, out.id)
    assert result["plan_rechecked"]["support"]["holds_at_approval"] == {}
    assert sum(result["plan_rechecked"]["support"]["holds_now"].values()) == 1 + messages
    assert "legal hold placed on" in letter and CONFIDENTIAL not in letter
    with transaction(dsm) as s:
        kinds = [e.kind for e in s.scalars(sa.select(DsrEvent).where(
            DsrEvent.request_id == out.id))]
    assert "plan_rechecked" in kinds


def test_art17_3_e_lifted_hold_no_longer_keeps(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = sqlite_company.who, sqlite_company.loc.urls
    with transaction(dsm) as s:
        hold = add_hold(s, actor="legal", reason=CONFIDENTIAL, identity_type="email",
                        identity_value=who["email"])
        lift_hold(s, hold.id, actor="legal", reason="claim settled")
    out = _submit_verified(dsm, settings, policy, who["email"], "erasure")
    assert _approve_and_run(dsm, settings, policy, out.id) == "completed"
    assert _count(urls["support"], "SELECT count(*) FROM tickets WHERE requester_email = :e",
                  e=who["email"]) == 0
    letter, _, _ = _letter_and_result(dsm, settings, out.id)
    assert "legal hold" not in letter


# --- a second company: a small fleet operator ------------------------------------------------

FLEET = {
    "key": "fleet",
    "name": "Fleet log",
    "connector": "sql",
    "url": "sqlite:///fleet.db",
    "storage_country": "DK",
    "tables": [
        {"name": "drivers", "identities": {"email": "mail"}, "restriction_flag": "restricted",
         "fields": [{"name": "full_name", "category": "user.name"},
                    {"name": "mail", "category": "user.contact.email"}]},
        {"name": "trips", "references": [{"field": "driver_id", "to": "drivers.id"}],
         "fields": [{"name": "route", "category": "user.location"}]},
        {"name": "trip_photos", "references": [{"field": "trip_id", "to": "trips.id"}],
         "fields": [{"name": "caption", "category": "user.content"}]},
    ],
}


def _fleet(tmp_path: Path, policy: Policy) -> tuple[str, Policy]:
    url = f"sqlite:///{tmp_path / 'fleet.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE drivers (id INTEGER PRIMARY KEY, full_name TEXT, "
                          "mail TEXT, restricted BOOLEAN DEFAULT 0)"))
        c.execute(sa.text("CREATE TABLE trips (id INTEGER PRIMARY KEY, driver_id INTEGER "
                          "REFERENCES drivers(id), route TEXT)"))
        c.execute(sa.text("CREATE TABLE trip_photos (id INTEGER PRIMARY KEY, trip_id INTEGER "
                          "REFERENCES trips(id), caption TEXT)"))
        c.execute(sa.text("INSERT INTO drivers VALUES (1, 'Dora Driver', 'dora@example.com', 0),"
                          " (2, 'Otto Other', 'otto@example.com', 0)"))
        c.execute(sa.text("INSERT INTO trips VALUES (10, 1, 'Aarhus-Vejle'), "
                          "(11, 1, 'Vejle-Kolding'), (12, 2, 'Odense-Nyborg')"))
        c.execute(sa.text("INSERT INTO trip_photos VALUES (100, 10, 'dent'), (101, 10, 'scratch'),"
                          " (102, 11, 'ok'), (103, 12, 'ok')"))
    eng.dispose()
    spec = SystemSpec.model_validate({**FLEET, "url": url})
    return url, policy.model_copy(update={"systems": [spec]})


def test_art17_3_e_record_hold_keeps_the_record_and_what_hangs_under_it(
    tmp_path, dsm, settings, policy
):  # type: ignore[no-untyped-def]
    url, fleet = _fleet(tmp_path, policy)
    with transaction(dsm) as s:  # the damaged-car trip is evidence in an insurance claim
        add_hold(s, actor="legal", reason=CONFIDENTIAL, policy=fleet, system="fleet",
                 table="trips", pk="10")
    out = _submit_verified(dsm, settings, fleet, "dora@example.com", "erasure")
    assert _approve_and_run(dsm, settings, fleet, out.id) == "completed"
    rows = {
        "drivers": _count(url, "SELECT count(*) FROM drivers"),
        "trips": _count(url, "SELECT count(*) FROM trips"),
        "trip_photos": _count(url, "SELECT count(*) FROM trip_photos"),
    }
    # kept: trip 10 and its two photos; the driver row it points at stays, emptied; Otto intact
    assert rows == {"drivers": 2, "trips": 2, "trip_photos": 3}
    assert _count(url, "SELECT count(*) FROM trips WHERE id IN (10, 12)") == 2
    assert _count(url, "SELECT count(*) FROM trip_photos WHERE id IN (100, 101, 103)") == 3
    assert _count(url, "SELECT count(*) FROM drivers WHERE id = 1 AND mail IS NULL "
                  "AND full_name IS NULL") == 1
    letter, result, _ = _letter_and_result(dsm, settings, out.id)
    held = {k["table"]: k["rows"] for k in result["kept"]}
    assert held == {"trips": 1, "trip_photos": 2}
    today = datetime.now(UTC).date().isoformat()
    # in plain words: the data by its category, the system by its name, never "fleet.trips"
    assert f"in Fleet log: 1 record: GDPR Art. 17(3)(e): kept under a legal hold placed on " \
        f"{today}" in letter and "fleet.trips" not in letter
    assert CONFIDENTIAL not in letter
