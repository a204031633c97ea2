"""The demo company: consistent fictional people across five systems, valid-looking but
fictional identifiers, the dates the retention rules need, and --if-missing."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterator
from pathlib import Path

import phonenumbers
import pytest
import sqlalchemy as sa
from stdnum.dk import cpr
from stdnum.no import fodselsnummer
from stdnum.se import personnummer
from tests.connectors import promark
from tests.connectors.servers import serve

from steward.connectors.registry import connector_for
from steward.connectors.rounds import find_everywhere
from steward.demo import build
from steward.demo.newsletter import demo_token, newsletter_app
from steward.errors import Conflict

TODAY = dt.date(2026, 11, 26)
DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[build.DemoLocation]:
    loc = build.in_dir(tmp_path_factory.mktemp("demo"))
    build.build(loc, customers=300, seed=11, today=TODAY)
    yield loc


def _all(url: str, query: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(sa.text(query))]
    engine.dispose()
    return rows


def test_showcase_person_is_found_in_all_five_systems(demo: build.DemoLocation) -> None:
    """Start from the customer number alone: the CRM reveals e-mail and phone, and rounds of
    searches find the same person in the portal, support, newsletter and recruiting."""
    show = build.gen_showcase(seed=11, today=TODAY)
    folder = demo.newsletter_db.parent
    token = demo_token(folder, env={})
    systems = promark.systems()
    with serve(newsletter_app(demo.newsletter_db, token)) as base:
        env = {"PROMARK_NEWSLETTER_URL": f"{base}/api"}
        conns = {k: connector_for(s, env=env, base_dir=folder) for k, s in systems.items()}
        try:
            results, known = find_everywhere(
                conns, {"customer_number": [show["customer_number"]]}
            )
        finally:
            for c in conns.values():
                c.close()
    assert {k for k, r in results.items() if not r.is_empty()} == set(systems)
    assert known["email"] == [show["email"]] and known["phone"] == [show["phone"]]
    name = results["crm"].tables["customers"][0]["contact_name"]
    assert results["newsletter"].tables["subscribers"][0]["name"] == name
    assert results["recruiting"].tables["applications"][0]["name"] == name
    assert results["support"].tables["messages"]  # the showcase has a ticket with messages


def test_people_and_identifiers_are_fictional_but_valid(demo: build.DemoLocation) -> None:
    customers = _all(demo.urls["crm"], "SELECT email, phone, country, customer_no FROM customers")
    assert len({c[0] for c in customers}) == len(customers)  # one e-mail per person
    assert len({c[1] for c in customers}) == len(customers)  # one phone per person
    for email, phone, country, number in customers:
        assert re.fullmatch(r"[a-z.]+\.\d+@example\.(com|net|org)", str(email)), email
        parsed = phonenumbers.parse(str(phone))
        assert phonenumbers.is_valid_number(parsed), phone
        assert phonenumbers.region_code_for_number(parsed) == country
        assert re.fullmatch(r"PM-\d{6}", str(number))
    assert {c[2] for c in customers} == {"DK", "NO", "SE", "GB"}
    for (ip,) in _all(demo.urls["portal"], "SELECT ip_address FROM activity_log"):
        assert any(ipaddress.ip_address(str(ip)) in net for net in DOC_NETS), ip
    bodies = [str(b[0]) for b in _all(demo.urls["support"], "SELECT body FROM messages")]
    ids = {
        "dk": [m for b in bodies for m in re.findall(r"\b\d{6}-\d{4}\b", b)],
        "no": [m for b in bodies for m in re.findall(r"\b\d{11}\b", b)],
        "se": [m for b in bodies for m in re.findall(r"\b\d{6}-\d{3}\d\b", b)],
    }
    assert ids["dk"], "some messages hold CPR numbers"
    assert all(cpr.is_valid(x) or personnummer.is_valid(x) for x in ids["dk"])
    assert all(fodselsnummer.is_valid(x) for x in ids["no"])
    assert any(w in b for b in bodies for w in ("sygemeldt", "sykmeldt", "sjukskriven", "sick"))
    words = {"da": "jeg", "no": "jeg", "sv": "jag", "en": "the"}
    assert all(any(f" {w} " in f" {b.lower()} " for b in bodies) for w in words.values())


def test_dates_the_retention_rules_need(demo: build.DemoLocation) -> None:
    ended = [
        _to_date(r[0]) for r in _all(
            demo.urls["crm"],
            "SELECT relationship_ended_at FROM customers WHERE relationship_ended_at IS NOT NULL",
        )
    ]
    # "10 years plus the current year": ended in or before TODAY.year - 11 is past its term.
    assert any(d.year <= TODAY.year - 11 for d in ended)
    assert any(d >= TODAY - dt.timedelta(days=730) for d in ended)
    years = {_to_date(r[0]).year for r in _all(demo.urls["crm"], "SELECT issued_at FROM invoices")}
    assert len(years) >= 8
    statuses = {r[0] for r in _all(demo.urls["support"], "SELECT status FROM tickets")}
    assert statuses == {"open", "closed"}
    query = "SELECT process_ended_at FROM applications"
    ends = [r[0] for r in _all(demo.urls["recruiting"], query)]
    done = [_to_date(e) for e in ends if e is not None]
    assert any(d < TODAY - dt.timedelta(days=92) for d in done)
    assert any(d >= TODAY - dt.timedelta(days=92) for d in done) and None in ends


def _to_date(value: object) -> dt.date:
    return dt.datetime.fromisoformat(str(value)).date()


def test_if_missing_replace_and_determinism(tmp_path: Path) -> None:
    loc = build.in_dir(tmp_path)
    assert not build.exists(loc)
    first = build.build(loc, customers=10, seed=4, today=TODAY)
    assert build.exists(loc)
    with pytest.raises(Conflict, match="--if-missing"):
        build.build(loc, customers=10, seed=4, today=TODAY)
    again = build.build(loc, customers=10, seed=4, today=TODAY, replace=True)
    assert again == first  # same seed, same company
    assert build.gen_showcase(seed=4, today=TODAY) == first.showcase
    assert not list(tmp_path.glob("*.building*"))
    build.drop(loc)
    assert not build.exists(loc) and not list(tmp_path.glob("*.db"))
