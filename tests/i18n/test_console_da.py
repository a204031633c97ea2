"""The officer's console pages for breaches, consent, processors, retention and requests in
Danish: with `?lang=da` (then the remembered cookie) every heading and label is the catalog's
Danish, and none of the English headings below is left on the page. The Danish expected here is
written from the catalog's wording by hand, not read back from the code."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from tests.helpers import csrf_from, login, make_client
from tests.retention import company as co
from tests.retention.test_sweep import NOW, fill_recruiting

from steward.connectors.engines import SystemEngines
from steward.consent import apikeys
from steward.consent.subjects import email_ref
from steward.policy.loader import load_policy
from steward.retention.sweep import run_rule
from steward.store.db import make_sessionmaker, transaction

# page: (Danish that must be there, English that must be gone)
PAGES: dict[str, tuple[list[str], list[str]]] = {
    "breach form": (
        [
            "Registrér bruddet",
            "Hvad skete der (art. 33, stk. 3, litra a)",
            "Omtrentligt antal poster",
            "Meddelt af en databehandler (art. 33, stk. 2)",
        ],
        [
            "Register the breach",
            "What happened",
            "Approximate number of records",
            "Reported by a processor",
            "Likely consequences",
            "Time zone of these times",
        ],
    ),
    "breach": (
        [
            "Risikovurdering",
            "Hvem er berørt",
            "Sendte underretninger",
            "Bruddet (art. 33, stk. 3)",
            "Gem vurderingen",
            "Find de berørte personer",
        ],
        [
            "Risk assessment",
            "Who is affected",
            "Notifications sent",
            "The breach (Art. 33(3))",
            "Save the assessment",
            "Find the people affected",
            "Record the notification",
            "Notify the authority by",
            ">Tasks<",
        ],
    ),
    "consent": (
        ["Hvem tillader hvad nu", "Beslutninger pr. dag", "Kontrollér kæden"],
        [
            "Who allows what now",
            "Decisions per day",
            "Verify the chain",
            "Look up a subject",
            "GPC opt-out",
        ],
    ),
    "notices": (
        ["Viste versioner af meddelelser", "Først gemt (UTC)"],
        ["Notice versions shown", "First stored (UTC)", "Each snapshot is exactly"],
    ),
    "subject": (
        ["Nuværende tilstand", "Logreference:", "Bevis (side)"],
        ["Current state", "Ledger reference:", "Proof (page)", "Look up a subject", ">History<"],
    ),
    "proof": (
        ["Bevis for samtykke", "Samtykkeregistreringer", "Registreret af", "Viste meddelelser"],
        ["Proof of consent", "Consent records", "Recorded by", "Notices shown", "Hash chain:"],
    ),
    "processors": (
        [
            "Databehandlere og underdatabehandlere",
            "Advarsler om databehandleraftaler",
            "Registrér en ændring",
        ],
        [
            "Processors and sub-processors",
            "DPA alerts",
            "Record a change",
            "Transfer mechanism",
            "Record of processing as a processor",
        ],
    ),
    "retention": (
        ["Retlige tilbageholdelser", "Tilbagehold en post", "Opdatér antal"],
        [
            "Legal holds",
            "Hold a record",
            "Refresh counts",
            "Recently lifted",
            "Place hold",
            "Due in the next 30 days",
        ],
    ),
}


def _check(name: str, html: str) -> None:
    assert re.search(r'<html lang="da"', html), name
    danish, english = PAGES[name]
    for text in danish:
        assert text in html, (name, text)
    for text in english:
        assert text not in html, (name, text)


def test_console_pages_in_danish(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    csrf = login(client, sqlite_engine, "officer")
    now = datetime.now(UTC)
    bid = client.post(
        "/api/breaches",
        headers={"X-CSRF-Token": csrf},
        json={
            "title": "Stolen laptop",
            "aware_at": (now - timedelta(hours=2)).isoformat(),
            "discovery_source": "Employee report",
            "description": "A laptop was stolen.",
            "nature": ["confidentiality"],
            "systems": ["support"],
            "data_categories": ["user.contact.email"],
            "countries": ["DK"],
        },
    ).json()["id"]
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        key = apikeys.create(s, name="crm", actor="test")[1]
    for action in ("given", "withdrawn"):
        r = client.post(
            "/api/consent/events",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "subject": "ida.lund@example.com",
                "purpose": "newsletter",
                "action": action,
                "language": "da",
            },
        )
        assert r.status_code < 300, r.text

    # ?lang=da on the first page; the cookie it sets carries Danish to the pages after it.
    _check("breach form", client.get("/console/breaches/new?lang=da").text)
    assert client.cookies.get("steward_lang") == "da"
    _check("breach", client.get(f"/console/breaches/{bid}").text)
    # The list gives the breach's status as a word, not its code.
    listing = client.get("/console/breaches").text
    assert '<td data-status="open">åben</td>' in listing and "<td>open</td>" not in listing
    _check("consent", client.get("/console/consent").text)
    _check("notices", client.get("/console/consent/notices").text)
    sub = client.post(
        "/console/consent/subject", data={"q": "ida.lund@example.com", "csrf_token": csrf}
    )
    _check("subject", sub.text)
    # The consent actions by their Danish names, not their codes.
    assert "<td>trukket tilbage</td>" in sub.text and "<td>withdrawn</td>" not in sub.text
    ref = email_ref(client.app.state.settings.resolved_secret_key(), "ida.lund@example.com")
    _check("proof", client.get(f"/console/consent/proof?ref={ref}&format=html").text)
    _check("processors", client.get("/console/processors").text)
    retention = client.get("/console/retention").text
    _check("retention", retention)
    # Each rule's action and period in words (ProMark: job applications deleted 3 months
    # after, support messages redacted at once, customers kept 10 years plus the year).
    for words in (
        "<td>slet rækkerne</td><td>3 måneder",
        "<td>slør teksten i felterne</td><td>straks (ved den udløsende hændelse)",
        "<td>slet rækkerne</td><td>10 år plus det indeværende år",
    ):
        assert words in retention, words
    for english in ("<td>delete</td>", "<td>redact</td>", "3 months", "plus the current year"):
        assert english not in retention, english
    # The Art. 30 record's empty items say so in Danish too (ProMark has no third countries).
    ropa = client.get("/console/policy/ropa").text
    assert "<dd>ingen</dd>" in ropa and "<dd>none</dd>" not in ropa
    # Its headings and time limits (Art. 30(1)(f)) are Danish as well.
    assert "<dt>(f) Tidsfrister for sletning</dt>" in ropa
    assert "recruiting.applications: slettes senest 3 måneder efter at processen blev " \
        "afsluttet" in ropa
    for english in ("Time limits for erasure", "no later than", "after the process"):
        assert english not in ropa, english

    # With no language chosen the same pages are English again (the policy's default).
    other = make_client(sqlite_engine, tmp_path)
    login(other, sqlite_engine, "admin")
    english = other.get(f"/console/breaches/{bid}").text
    assert "Risk assessment" in english and "Risikovurdering" not in english


def test_retention_run_evidence_in_danish(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    policy_path = co.write_policy(tmp_path / "policy", url)
    doc = json.loads(policy_path.read_text(encoding="utf-8"))
    doc["policy"]["languages"] = ["en", "da"]
    policy_path.write_text(json.dumps(doc), encoding="utf-8")
    done = run_rule(
        make_sessionmaker(sqlite_engine),
        load_policy(policy_path),
        "job_applications",
        engines=SystemEngines(urls={"recruiting": url}),
        now=NOW,
    )
    client = make_client(sqlite_engine, tmp_path, policy=policy_path)
    login(client, sqlite_engine, "officer")
    page = client.get(f"/console/retention/runs/{done.run_id}?lang=da").text
    assert '<html lang="da"' in page
    for text in [
        f"Opbevaringskørsel nr. {done.run_id}: job_applications",
        "Dokumentation",
        "Bevaret trods udløb",
        "Portioner",
        "Rækker pr. tabel",
        "udført",
    ]:
        assert text in page, text
    for text in [
        "Retention run #",
        "Evidence",
        "Kept although expired",
        "Batches",
        "Rows per table",
        "Key range",
        "Empty trigger date",
        ">done<",
    ]:
        assert text not in page, text
    runs = client.get("/console/retention").text
    assert 'data-status="done">udført<' in runs


def test_request_pages_in_danish(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    """The officer's form for entering a request and the request's own page, in Danish."""
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "officer")
    form = client.get("/console/requests/new?lang=da").text
    assert '<html lang="da"' in form
    for text in [
        "Registrér en anmodning for en person",
        "Dokumentation for identitet",
        "Modtaget via",
        "direkte markedsføring",
        "Registrér anmodningen",
    ]:
        assert text in form, text
    for text in [
        "Enter a request for someone",
        "Identity evidence",
        "Received by",
        "direct marketing",
        "legitimate interests",
        "Record the request",
    ]:
        assert text not in form, text
    r = client.post(
        "/console/requests/new",
        data={
            "csrf_token": csrf_from(form),
            "type": "access",
            "name": "Ida Lund",
            "email": "ida.lund@example.com",
            "country": "DK",
            "evidence": "ID checked in person",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert '<html lang="da"' in page
    for text in [
        "Fakta",
        "Frist (lovbestemt)",
        "Forlæng med to måneder: begrundelse (art. 12, stk. 3)",
        "Afvis, eller opkræv et gebyr: begrundelse (art. 12, stk. 4/5)",
        "Bed personen om (art. 12, stk. 6)",
    ]:
        assert text in page, text
    for text in [
        ">Facts<",
        "Due (statutory)",
        "Extend by two months",
        "Refuse, or ask a fee",
        "Ask the person for",
        ">Actions<",
    ]:
        assert text not in page, text
