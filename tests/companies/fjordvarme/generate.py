"""Fjordvarme AS's customer register, generated from a seed on SQLite, PostgreSQL or MariaDB.

Not the demo company: Norwegian table names, a household (address) shared by customers,
invoice lines keyed by (faktura_nr, linje_nr), complaints pointing at an invoice line by that
composite key, a yes/no column stored as TINYINT(1) on MariaDB (SMALLINT on PostgreSQL, the
text '0'/'1' on SQLite), NOT NULL columns on the bookkeeping tables, and real foreign keys.

    facts = build(url, seed=7)      # creates the tables in the empty database at url
    facts.subject.email             # the person the tests ask about

Three people are fixed whatever the seed: `subject` (customer 1) shares household 1 with
`neighbour` (customer 2), has two invoices older than the bookkeeping period and one recent,
and a complaint about an invoice line; `loner` (customer 3) has a household of their own and
no invoices. The other customers are random.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from steward.policy.loader import load_policy
from steward.policy.models import Policy, SystemSpec

POLICY_DIR = Path(__file__).parent
TODAY = dt.date(2026, 6, 1)
FIRST = ["Kari", "Ola", "Ingrid", "Lars", "Sigrid", "Nils", "Astrid", "Eirik", "Solveig", "Knut"]
LAST = ["Fjeldstad", "Brekke", "Haugen", "Lunde", "Sandvik", "Strand", "Vik", "Myklebust"]
STREETS = ["Bryggen", "Nygårdsgaten", "Kalfarveien", "Sandviksveien", "Fjøsangerveien"]


@dataclass(frozen=True)
class Person:
    kundenr: int
    email: str
    fnr: str
    household: int


@dataclass(frozen=True)
class Facts:
    subject: Person
    neighbour: Person
    loner: Person
    customers: int
    today: dt.date


def policy() -> Policy:
    return load_policy(POLICY_DIR)


def system(url: str) -> SystemSpec:
    """The policy's `kunderegister` system pointed at `url`."""
    spec = next(s for s in policy().systems if s.key == "kunderegister")
    return spec.model_copy(update={"url": url, "url_env": None})


def fodselsnummer(rng: random.Random, born: dt.date) -> str:
    """A valid Norwegian national identity number (both mod-11 check digits) for `born`."""
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    while True:
        digits = [int(c) for c in born.strftime("%d%m%y") + f"{rng.randint(0, 499):03d}"]
        k1 = (11 - sum(a * b for a, b in zip(w1, digits, strict=True)) % 11) % 11
        if k1 == 10:
            continue
        k2 = (11 - sum(a * b for a, b in zip(w2, [*digits, k1], strict=True)) % 11) % 11
        if k2 == 10:
            continue
        return "".join(map(str, [*digits, k1, k2]))


def schema(meta: sa.MetaData) -> None:
    yes_no = (
        sa.SmallInteger()
        .with_variant(mysql.TINYINT(display_width=1), "mysql", "mariadb")
        .with_variant(sa.String(1), "sqlite")
    )
    sa.Table(
        "husstand", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("gateadresse", sa.String(120), nullable=False),
        sa.Column("postnummer", sa.String(4), nullable=False),
        sa.Column("poststed", sa.String(60), nullable=False),
    )
    sa.Table(
        "kunde", meta,
        sa.Column("kundenr", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("fnr", sa.String(11), unique=True),
        sa.Column("epost", sa.String(120)),
        sa.Column("navn", sa.String(120), nullable=False),
        sa.Column("husstand_id", sa.Integer, sa.ForeignKey("husstand.id"), nullable=False),
        sa.Column("reservert_reklame", yes_no, nullable=False),
        sa.Column("begrenset", yes_no, nullable=False),
        sa.Column("opprettet", sa.Date, nullable=False),
    )
    sa.Table(
        "faktura", meta,
        sa.Column("faktura_nr", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kundenr", sa.Integer, sa.ForeignKey("kunde.kundenr"), nullable=False),
        sa.Column("fakturadato", sa.Date, nullable=False),
        sa.Column("mottaker", sa.String(120), nullable=False),
        sa.Column("belop", sa.Numeric(10, 2, asdecimal=False), nullable=False),
    )
    sa.Table(
        "fakturalinje", meta,
        sa.Column("faktura_nr", sa.Integer, sa.ForeignKey("faktura.faktura_nr"),
                  primary_key=True),
        sa.Column("linje_nr", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("tekst", sa.String(200), nullable=False),
        sa.Column("kwh", sa.Integer, nullable=False),
        sa.Column("belop", sa.Numeric(10, 2, asdecimal=False), nullable=False),
    )
    sa.Table(
        "klage", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("faktura_nr", sa.Integer, nullable=False),
        sa.Column("linje_nr", sa.SmallInteger, nullable=False),
        sa.Column("begrunnelse", sa.String(500)),
        sa.Column("mottatt", sa.Date, nullable=False),
        sa.ForeignKeyConstraint(
            ["faktura_nr", "linje_nr"], ["fakturalinje.faktura_nr", "fakturalinje.linje_nr"]
        ),
    )


def build(url: str, seed: int = 1, customers: int = 40) -> Facts:
    """Create Fjordvarme's tables and rows in the empty database at `url`."""
    rng = random.Random(seed)
    engine = sa.create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    meta = sa.MetaData()
    schema(meta)
    meta.create_all(engine)
    t = meta.tables

    def yes_no(value: bool) -> Any:
        return ("1" if value else "0") if sqlite else int(value)

    households: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    invoices: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    complaints: list[dict[str, Any]] = []
    n_households = customers * 2 // 3
    for h in range(1, n_households + 1):
        households.append({
            "id": h, "gateadresse": f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
            "postnummer": f"{rng.randint(5003, 5200)}", "poststed": "Bergen",
        })
    fnrs: set[str] = set()
    for k in range(1, customers + 1):
        household = 1 if k <= 2 else 3 if k == 3 else rng.choice(
            [h for h in range(2, n_households + 1) if h != 3]
        )
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
        fnr = fodselsnummer(rng, born)
        while fnr in fnrs:
            fnr = fodselsnummer(rng, born)
        fnrs.add(fnr)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append({
            "kundenr": k, "fnr": fnr, "epost": f"kunde{k}@fjordvarme.example", "navn": name,
            "husstand_id": household, "reservert_reklame": yes_no(k % 3 == 0),
            "begrenset": yes_no(False),
            "opprettet": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 2000)),
        })
    fixed = {1: [dt.date(2018, 3, 1), dt.date(2019, 6, 1), dt.date(2025, 2, 1)], 3: []}
    invoice_no = 1000
    for p in people:
        k = p["kundenr"]
        dates = fixed[k] if k in fixed else sorted(
            dt.date(2017, 1, 1) + dt.timedelta(days=rng.randint(0, 3300))
            for _ in range(rng.randint(0, 4))
        )
        for date in dates:
            invoice_no += 1
            n_lines = 2 if k == 1 else rng.randint(1, 3)
            items = []
            for line in range(1, n_lines + 1):
                kwh = rng.randint(200, 3000)
                items.append({
                    "faktura_nr": invoice_no, "linje_nr": line, "tekst": f"Fjernvarme {line}",
                    "kwh": kwh, "belop": round(kwh * 1.25, 2),
                })
            lines += items
            invoices.append({
                "faktura_nr": invoice_no, "kundenr": k, "fakturadato": date,
                "mottaker": p["navn"], "belop": round(sum(i["belop"] for i in items), 2),
            })
    subject_first = next(i for i in invoices if i["kundenr"] == 1)
    complaints.append({
        "id": 1, "faktura_nr": subject_first["faktura_nr"], "linje_nr": 2,
        "begrunnelse": "Forbruket virker for høyt", "mottatt": dt.date(2018, 3, 20),
    })
    other = next(i for i in invoices if i["kundenr"] > 3)
    complaints.append({
        "id": 2, "faktura_nr": other["faktura_nr"], "linje_nr": 1,
        "begrunnelse": "Feil adresse på fakturaen", "mottatt": other["fakturadato"],
    })
    with engine.begin() as conn:
        for name, rows in (("husstand", households), ("kunde", people), ("faktura", invoices),
                           ("fakturalinje", lines), ("klage", complaints)):
            if rows:
                conn.execute(t[name].insert(), rows)
    engine.dispose()

    def person(k: int) -> Person:
        p = people[k - 1]
        return Person(k, p["epost"], p["fnr"], p["husstand_id"])

    return Facts(person(1), person(2), person(3), customers, TODAY)

