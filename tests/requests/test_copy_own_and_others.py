"""GDPR Art. 15(1),(3),(4): the requester's own data is theirs, and only theirs.

Their own identity values, including a national id in text they wrote or in a field about them,
stay readable in their copy; other people's identifiers are masked, fields about others are left
out, and the letter and the package report say exactly what was masked or left out and why.
On the demo company and on a small home-care company defined here."""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.requests.test_workflow import _approve_and_run, _submit_verified

from steward.demo.people import ID_SENTENCE
from steward.policy.models import Policy, SystemSpec
from steward.requests import delivery, packages, workflow
from steward.requests.redaction import LEFT_OUT, claimed_ids
from steward.requests.tables import DsrRequest
from steward.scanner.fakes import fake_cpr, fake_fnr, fake_pnr
from steward.store.db import transaction

CPR = re.compile(r"\b\d{6}-?\d{4}\b")


def _copy(dsm, settings, rid):  # type: ignore[no-untyped-def]
    """(letter, result, {zip member: text}) of a completed access request."""
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        letter = workflow.sealer_for(settings).open_text(req.letter)
        result = json.loads(req.result_json)
        pkg = delivery.current_package(s, req)
    blob = packages.load(workflow.sealer_for(settings), settings.data_dir, pkg.filename)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        files = {n: zf.read(n).decode() for n in zf.namelist()}
    return letter, result, files


def test_art15_4_own_cpr_stays_and_a_colleagues_cpr_is_masked(
    sqlite_company, dsm, settings, policy
):  # type: ignore[no-untyped-def]
    who, url = sqlite_company.who, sqlite_company.loc.urls["support"]
    rng = random.Random(15)
    own, colleague = fake_cpr(rng, mod11=True), fake_cpr(rng, mod11=True)
    body = (f"My CPR number is {own}. Please also register my colleague Ann Other, CPR "
            f"{colleague}, ann.other@example.com, who takes over the case.")
    eng = sa.create_engine(url)
    with eng.begin() as c:
        tid = c.execute(sa.text("SELECT min(id) FROM tickets WHERE requester_email = :e"),
                        {"e": who["email"]}).scalar_one()
        mid = c.execute(sa.text("SELECT max(id) + 1 FROM messages")).scalar_one()
        c.execute(sa.text("INSERT INTO messages (id, ticket_id, author, body, sent_at) VALUES "
                          "(:i, :t, 'The customer', :b, '2026-01-05 10:00:00')"),
                  {"i": mid, "t": tid, "b": body})
        # the demo's own message with the customer's CPR ("My CPR number is ...")
        demo_own = [m for b in c.execute(sa.text(
            "SELECT m.body FROM messages m JOIN tickets t ON t.id = m.ticket_id "
            "WHERE t.requester_email = :e AND m.id <> :i"), {"e": who["email"], "i": mid}
        ).scalars() for m in CPR.findall(b or "")]
    eng.dispose()
    assert demo_own  # the showcase customer wrote their CPR in a ticket
    out = _submit_verified(dsm, settings, policy, who["email"], "access")
    assert _approve_and_run(dsm, settings, policy, out.id, plan=False) == "completed"
    letter, result, files = _copy(dsm, settings, out.id)
    messages = json.loads(files["data/support/messages.json"])
    mine = next(m["body"] for m in messages if m["id"] == mid)
    assert mine == (f"My CPR number is {own}. Please also register my colleague Ann Other, CPR "
                    f"[DK_CPR], [EMAIL], who takes over the case.")
    everything = "".join(files.values())
    assert colleague not in everything and "ann.other@example.com" not in everything
    for number in demo_own:  # the customer's own number from the demo data, unmasked
        assert number in files["data/support/messages.json"]
    masked = {(m["system"], m["table"], m["field"]): m["kinds"] for m in result["copy"]["masked"]}
    assert masked[("support", "messages", "body")] == {"DK_CPR": 1, "EMAIL": 1}
    # Plain language: the table's label and the field's data category, from the policy.
    where = ("what was written in your support cases in Support desk (Correspondence with "
             "Customer Care and/or other employees)")
    assert f"{where}: 1 × Danish CPR number, 1 × e-mail address" in letter
    assert "GDPR Art. 15(4)" in letter and "shown as they are" in letter
    assert f"{where}: 1 × Danish CPR number" in files["report.html"]


@pytest.mark.parametrize(
    ("lang", "make"),
    [("da", lambda r: fake_cpr(r, mod11=True)), ("en", lambda r: fake_cpr(r, mod11=True)),
     ("no", fake_fnr), ("sv", fake_pnr)],
)
def test_art15_1_number_introduced_as_the_writers_own(lang, make) -> None:  # type: ignore[no-untyped-def]
    number = make(random.Random(lang))
    assert claimed_ids(ID_SENTENCE[lang].format(id=number)) == [number]
    other = f"Please update my colleague's CPR: {fake_cpr(random.Random(1), mod11=True)}."
    assert claimed_ids(other) == []


# --- a second company: home care, where a carer's rows are mostly about the people visited ----

HOMECARE = {
    "key": "care",
    "name": "Home care journal",
    "connector": "sql",
    "url": "sqlite:///care.db",
    "storage_country": "DK",
    "tables": [
        {"name": "carers", "identities": {"email": "mail"},
         "fields": [{"name": "full_name", "category": "user.name"},
                    {"name": "mail", "category": "user.contact.email"},
                    # the carer's own CPR, kept for payroll: about the carer alone
                    {"name": "payroll_id", "category": "user.government_id", "about": "subject"}]},
        {"name": "visits", "references": [{"field": "carer_id", "to": "carers.id"}],
         "fields": [{"name": "resident", "category": "user.name", "about": "others"},
                    {"name": "notes", "category": "user.health_and_medical", "free_text": True,
                     "about": "others"},
                    {"name": "handover", "category": "user.content", "free_text": True,
                     "about": "both"},
                    {"name": "visited_at"}]},
    ],
}


def _homecare(tmp_path: Path, policy: Policy, carer_cpr: str, resident_cpr: str) -> Policy:
    url = f"sqlite:///{tmp_path / 'care.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE carers (id INTEGER PRIMARY KEY, full_name TEXT, mail TEXT,"
                          " payroll_id TEXT)"))
        c.execute(sa.text("CREATE TABLE visits (id INTEGER PRIMARY KEY, carer_id INTEGER "
                          "REFERENCES carers(id), resident TEXT, notes TEXT, handover TEXT, "
                          "visited_at TEXT)"))
        c.execute(sa.text("INSERT INTO carers VALUES (1, 'Carla Carer', 'carla@example.com', :c)"),
                  {"c": carer_cpr})
        rows = [
            (1, "Rita Resident", f"Rita (CPR {resident_cpr}) had a fall; bruised hip.",
             f"Signed {carer_cpr} - handed over to the night shift, call 20 30 40 50."),
            (2, "Rita Resident", "Blood pressure 150/95, doctor informed.", "Nothing to add."),
            (3, "Bo Beboer", None, "Key box code changed."),
        ]
        for vid, resident, notes, handover in rows:
            c.execute(sa.text("INSERT INTO visits VALUES (:i, 1, :r, :n, :h, '2026-03-01')"),
                      {"i": vid, "r": resident, "n": notes, "h": handover})
    eng.dispose()
    spec = SystemSpec.model_validate({**HOMECARE, "url": url})
    return policy.model_copy(update={"systems": [spec]})


def test_art15_4_fields_about_others_are_left_out_and_said_so(tmp_path, dsm, settings, policy):  # type: ignore[no-untyped-def]
    rng = random.Random(44)
    carer_cpr, resident_cpr = fake_cpr(rng, mod11=True), fake_cpr(rng, mod11=True)
    care = _homecare(tmp_path, policy, carer_cpr, resident_cpr)
    out = _submit_verified(dsm, settings, care, "carla@example.com", "access")
    assert _approve_and_run(dsm, settings, care, out.id, plan=False) == "completed"
    letter, result, files = _copy(dsm, settings, out.id)
    visits = {v["id"]: v for v in json.loads(files["data/care/visits.json"])}
    carers = json.loads(files["data/care/carers.json"])
    assert carers[0]["payroll_id"] == carer_cpr  # their own, whole
    assert {v["resident"] for v in visits.values()} == {LEFT_OUT}
    assert visits[1]["notes"] == LEFT_OUT and visits[3]["notes"] is None
    # the carer's own CPR (known from the field about them) stays; the phone number is masked
    assert visits[1]["handover"] == (
        f"Signed {carer_cpr} - handed over to the night shift, call [PHONE].")
    everything = "".join(files.values())
    for leaked in ("Rita", "Bo Beboer", resident_cpr, "bruised", "150/95", "20 30 40 50"):
        assert leaked not in everything
    assert result["copy"]["left_out"] == [
        {"system": "care", "table": "visits", "field": "notes", "values": 2},
        {"system": "care", "table": "visits", "field": "resident", "values": 3},
    ]
    assert "they are about other people, not you (GDPR Art. 15(4))" in letter
    # Named by the fields' data categories (the table has no label; `user.content` is not
    # declared in this policy, so it is one of "other details").
    assert "in Home care journal (Health information): 2" in letter
    assert "in Home care journal (Name): 3" in letter
    assert "in Home care journal (other details): 1 × phone number" in letter
    assert "in Home care journal (Name): 3" in files["report.html"]
