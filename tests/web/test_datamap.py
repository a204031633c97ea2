"""The data map against the policy it is drawn from, for ProMark and for a second company
(Fjordvarme, given a US processor under standard contractual clauses and a sub-processor under
an Art. 49 derogation): every system, processor and country is drawn, third countries carry
their transfer basis, every flow the policy declares is a line, and every system link opens
that system's page. The Record of processing shows every Art. 30(1) heading, not a key."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import login, settings_for

from steward.policy.crossrefs import EEA
from steward.policy.loader import load_policy
from steward.policy.models import Policy, Processor, SubProcessor, TransferMechanism
from steward.policy.ropa import CONTROLLER_FIELDS
from steward.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
# The bases as the law names them, in the console's language (the policy's first), written
# here by hand.
BASIS = {
    "en": {
        TransferMechanism.scc: "standard contractual clauses (GDPR Art. 46(2)(c))",
        TransferMechanism.derogation: "derogation (GDPR Art. 49)",
        TransferMechanism.adequacy: "adequacy decision (GDPR Art. 45)",
        TransferMechanism.bcr: "binding corporate rules (GDPR Art. 47)",
    },
    "nb": {
        TransferMechanism.scc: "standard personvernbestemmelser (GDPR art. 46(2)(c))",
        TransferMechanism.derogation: "unntak (GDPR art. 49)",
        TransferMechanism.adequacy: "beslutning om tilstrekkelig beskyttelsesnivå (GDPR art. 45)",
        TransferMechanism.bcr: "bindende virksomhetsregler (GDPR art. 47)",
    },
}


def _fjordvarme() -> Policy:
    base = load_policy(ROOT / "tests" / "companies" / "fjordvarme")
    cloud = Processor(
        key="skyen",
        name="Skyen Inc.",
        service="billing platform",
        country="US",
        transfer_mechanism=TransferMechanism.scc,
        systems=[base.systems[0].key],
        sub_processors=[
            SubProcessor(
                key="support",
                name="Helpdesk Pvt Ltd",
                service="support desk",
                country="IN",
                transfer_mechanism=TransferMechanism.derogation,
            )
        ],
    )
    return base.model_copy(update={"processors": [cloud]})


POLICIES = {
    "promark": lambda: load_policy(ROOT / "examples" / "promark"),
    "fjordvarme": _fjordvarme,
}


@pytest.fixture(params=sorted(POLICIES))
def policy_client(
    request: pytest.FixtureRequest, sqlite_engine: Engine, tmp_path: Path
) -> tuple[Policy, TestClient]:
    policy = POLICIES[request.param]()
    app = create_app(settings_for(sqlite_engine, tmp_path), policy=policy, engine=sqlite_engine)
    client = TestClient(app, base_url="https://testserver")
    login(client, sqlite_engine, "viewer")
    return policy, client


def _svg(html: str) -> ET.Element:
    start = html.index('<svg class="datamap"')
    return ET.fromstring(html[start : html.index("</svg>", start) + 6])


def test_the_map_shows_what_the_policy_declares(policy_client: tuple[Policy, TestClient]) -> None:
    policy, client = policy_client
    page = client.get("/console/datamap")
    assert page.status_code == 200
    root = _svg(page.text)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    links = {el.get("href") for el in root.iter(f"{SVG}a")}
    texts = " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))
    flows = {(el.get("data-from"), el.get("data-to")) for el in root.iter(f"{SVG}path")}

    assert links == {f"/console/systems/{s.key}" for s in policy.systems}
    for s in policy.systems:
        assert f"sys-{s.key}" in ids and policy.text(s.name) in texts
        held = {f.category for t in s.tables for f in t.fields if f.category}
        drawn = {
            el.get("data-key")
            for el in root.find(f".//{SVG}a[@id='sys-{s.key}']").iter()
            if el.get("class") == "category"
        }
        assert held <= drawn, s.key
    countries = {s.storage_country for s in policy.systems}
    for p in policy.processors:
        assert f"proc-{p.key}" in ids and p.name in texts
        countries.add(p.country)
        assert ("proc:" + p.key, "country:" + p.country) in flows
        for key in p.systems:
            assert ("sys:" + key, "proc:" + p.key) in flows
        for sp in p.sub_processors:
            assert f"proc-{p.key}--{sp.key}" in ids and sp.name in texts
            assert ("proc:" + p.key, f"proc:{p.key}/{sp.key}") in flows
            countries.add(sp.country)
    for act in policy.processing_activities:
        countries.update(tr.country for tr in act.transfers)
    for code in countries:
        group = root.find(f".//{SVG}g[@id='country-{code}']")
        assert group is not None, code
        assert group.get("class") == ("eea" if code in EEA else "third"), code
    subs = [sp for proc in policy.processors for sp in proc.sub_processors]
    for who in [*policy.processors, *subs]:
        if who.country not in EEA:
            group = root.find(f".//{SVG}g[@id='country-{who.country}']")
            words = BASIS[policy.policy.default_language][who.transfer_mechanism]
            assert words in "".join(group.itertext())
    for href in links:
        sys_page = client.get(href)
        key = href.rsplit("/", 1)[1]
        assert sys_page.status_code == 200
        assert policy.text(policy.system(key).name) in sys_page.text
    assert client.get("/console/systems/no-such-system").status_code == 404


def test_second_company_marks_its_third_countries(sqlite_engine: Engine, tmp_path: Path) -> None:
    policy = _fjordvarme()
    app = create_app(settings_for(sqlite_engine, tmp_path), policy=policy, engine=sqlite_engine)
    client = TestClient(app, base_url="https://testserver")
    login(client, sqlite_engine, "viewer")
    root = _svg(client.get("/console/datamap").text)
    us = "".join(root.find(f".//{SVG}g[@id='country-US']").itertext())
    india = "".join(root.find(f".//{SVG}g[@id='country-IN']").itertext())
    # The Norwegian company's console speaks its first language, Norwegian ("tredjeland"),
    # the transfer bases too (the code `scc` or the English never shows).
    assert "tredjeland" in us and "standard personvernbestemmelser (GDPR art. 46(2)(c))" in us
    assert "unntak (GDPR art. 49)" in india
    assert "standard contractual clauses" not in us and "derogation" not in india
    assert root.find(f".//{SVG}g[@id='country-NO']").get("class") == "eea"
    system = client.get("/console/systems/kunderegister").text
    assert "Skyen Inc." in system and "tredjeland" in system


def test_record_of_processing_reads_as_headings(sqlite_engine: Engine, tmp_path: Path) -> None:
    app = create_app(settings_for(sqlite_engine, tmp_path), engine=sqlite_engine)
    client = TestClient(app, base_url="https://testserver")
    login(client, sqlite_engine, "viewer")
    html = client.get("/console/policy/ropa").text
    for key, heading in CONTROLLER_FIELDS:
        if key != "activity":
            assert f"<dt>{heading}</dt>" in html, heading
        assert f">{key}<" not in html
    assert "<th" not in html.split("As controller", 1)[1]  # no wide table
