"""Fjordvarme AS (tests/companies/fjordvarme), a company unlike the demo one, on SQLite,
PostgreSQL and MariaDB with real foreign keys: access returns what hand-written SQL returns,
a yes/no stored as TINYINT(1) / SMALLINT / '0'-'1' text reads as the same boolean everywhere,
and erasure leaves every foreign key valid and every other customer's rows byte-identical,
masks NOT NULL columns instead of nulling them, and keeps a household others still live in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.companies.fjordvarme import generate
from tests.connectors.databases import KINDS, fresh_database

from steward.connectors.base import Row
from steward.connectors.conformance import Case, Subject, run_conformance
from steward.connectors.sql import SqlConnector
from steward.errors import InvalidInput, NotFound
from steward.policy.models import TableSpec


@pytest.fixture(params=KINDS)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    with fresh_database(request, request.param, tmp_path) as url:
        yield url, generate.build(url, seed=11)


# The subject's rows by key, written by hand (independent of the connector and the policy).
EXPECTED_SQL = {
    "kunde": "SELECT kundenr FROM kunde WHERE epost = :e",
    "husstand": "SELECT h.id FROM husstand h JOIN kunde k ON k.husstand_id = h.id "
    "WHERE k.epost = :e",
    "faktura": "SELECT f.faktura_nr FROM faktura f JOIN kunde k ON k.kundenr = f.kundenr "
    "WHERE k.epost = :e",
    "fakturalinje": "SELECT l.faktura_nr, l.linje_nr FROM fakturalinje l "
    "JOIN faktura f ON f.faktura_nr = l.faktura_nr "
    "JOIN kunde k ON k.kundenr = f.kundenr WHERE k.epost = :e",
    "klage": "SELECT c.id FROM klage c JOIN fakturalinje l ON l.faktura_nr = c.faktura_nr "
    "AND l.linje_nr = c.linje_nr JOIN faktura f ON f.faktura_nr = l.faktura_nr "
    "JOIN kunde k ON k.kundenr = f.kundenr WHERE k.epost = :e",
}
# Every foreign key, as an orphan count (must stay 0).
ORPHANS = [
    "SELECT count(*) FROM kunde k LEFT JOIN husstand h ON h.id = k.husstand_id WHERE h.id IS NULL",
    "SELECT count(*) FROM faktura f LEFT JOIN kunde k ON k.kundenr = f.kundenr "
    "WHERE k.kundenr IS NULL",
    "SELECT count(*) FROM fakturalinje l LEFT JOIN faktura f ON f.faktura_nr = l.faktura_nr "
    "WHERE f.faktura_nr IS NULL",
    "SELECT count(*) FROM klage c LEFT JOIN fakturalinje l ON l.faktura_nr = c.faktura_nr "
    "AND l.linje_nr = c.linje_nr WHERE l.faktura_nr IS NULL",
]


def _query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(sa.text(sql), params)]
    engine.dispose()
    return rows


def _expected(url: str, email: str) -> dict[str, set[tuple[Any, ...]]]:
    out = {t: set(_query(url, q, e=email)) for t, q in EXPECTED_SQL.items()}
    return {t: keys for t, keys in out.items() if keys}


def _snapshot(url: str) -> dict[str, set[tuple[Any, ...]]]:
    return {
        t: set(_query(url, f"SELECT * FROM {t}"))  # noqa: S608 - fixed table names
        for t in ("husstand", "kunde", "faktura", "fakturalinje", "klage")
    }


def _bookkeeping(spec: TableSpec, row: Row) -> str | None:
    """Keep invoices until five years after the end of their year (bokføringsloven § 13)."""
    if spec.name == "faktura" and dt.date.fromisoformat(row["fakturadato"]).year + 5 >= (
        generate.TODAY.year
    ):
        return "Art. 17(3)(b): bokføringsloven § 13"
    return None


def test_access_matches_hand_written_sql(company: tuple[str, Any]) -> None:
    url, facts = company
    conn = SqlConnector(generate.system(url), url=url)
    try:
        records = conn.find({"email": [facts.subject.email]})
        loner = conn.export(conn.find({"national_id": [facts.loner.fnr]}))
        package = conn.export(records)
    finally:
        conn.close()
    assert {t: set(records.keys(t)) for t in records.tables} == _expected(url, facts.subject.email)
    # 1 customer, the shared household, 3 invoices of 2 lines, 1 complaint (fixed by the
    # generator whatever the seed).
    assert {t: len(r) for t, r in records.tables.items()} == {
        "kunde": 1,
        "husstand": 1,
        "faktura": 3,
        "fakturalinje": 6,
        "klage": 1,
    }
    assert records.identities["national_id"] == [facts.subject.fnr]
    assert records.identities["customer_number"] == [str(facts.subject.kundenr)]
    # reservert_reklame: 0 for customer 1, 1 for customer 3, on every database a boolean.
    assert package["kunde"][0]["reservert_reklame"] is False
    assert package["kunde"][0]["begrenset"] is False
    assert loner["kunde"][0]["reservert_reklame"] is True


def test_erasure_keeps_foreign_keys_and_other_customers(company: tuple[str, Any]) -> None:
    url, facts = company
    before = _snapshot(url)
    mine = _expected(url, facts.subject.email)
    conn = SqlConnector(generate.system(url), url=url)
    try:
        records = conn.find({"email": [facts.subject.email]})
        plan = conn.plan_erasure(records, keep=_bookkeeping)
        counts = conn.apply(plan)
        assert all(c.total == 0 for c in conn.apply(plan).values())
        loner = conn.find({"email": [facts.loner.email]})
        loner_counts = conn.apply(conn.plan_erasure(loner, keep=_bookkeeping))
    finally:
        conn.close()
    text = plan.dry_run()
    assert "husstand: shared with 1 other row(s) in kunde" in text
    assert "kunde.navn: NOT NULL, masked" in text
    assert "faktura.belop: NOT NULL and not text, value left unchanged" in text
    # The complaint goes; the two invoices past the bookkeeping period are anonymised, the
    # recent one and all lines are kept; the customer stays (kept invoices point at them).
    assert {t: (c.deleted, c.updated) for t, c in counts.items()} == {
        "klage": (1, 0),
        "faktura": (0, 2),
        "kunde": (0, 1),
        "husstand": (0, 1),
    }
    assert {(k.table, k.reason[:15]) for k in plan.kept} == {
        ("faktura", "Art. 17(3)(b): "),
        ("fakturalinje", "the policy keep"),
    }
    # Customer 3: no invoices, a household of their own: both rows deleted, customer first.
    assert {t: (c.deleted, c.updated) for t, c in loner_counts.items()} == {
        "kunde": (1, 0),
        "husstand": (1, 0),
    }
    for sql in ORPHANS:
        assert _query(url, sql) == [(0,)], sql
    after = _snapshot(url)
    (subject,) = _query(
        url,
        "SELECT fnr, epost, navn, reservert_reklame FROM kunde WHERE kundenr = :k",
        k=facts.subject.kundenr,
    )
    assert subject[:3] == (None, None, "***")
    (home,) = _query(url, "SELECT gateadresse, postnummer, poststed FROM husstand WHERE id = 1")
    assert home == ("***", "***", "***")
    amounts = _query(
        url,
        "SELECT mottaker, belop FROM faktura WHERE kundenr = :k ORDER BY fakturadato",
        k=facts.subject.kundenr,
    )
    assert [a[0] for a in amounts] == ["***", "***", amounts[2][0]] and amounts[2][0] != "***"
    # Nobody else's row changed: every row outside the subject's and customer 3's is as before.
    gone = {("kunde", facts.loner.kundenr), ("husstand", facts.loner.household)}
    for table, rows in before.items():
        width = 2 if table == "fakturalinje" else 1
        own = mine.get(table, set())
        others = {r for r in rows if tuple(r[:width]) not in own and (table, r[0]) not in gone}
        assert others <= after[table], table
    assert len(after["kunde"]) == facts.customers - 1


def test_the_plan_reads_each_foreign_key_once(company: tuple[str, Any]) -> None:
    """The check that no row to delete is still pointed at is set-based: each foreign key
    into a table erasure may delete from (kunde <- faktura, husstand <- kunde: two) is asked
    once, for all of the subject's rows at once, however many rounds the plan takes (the
    shared household makes it decide again). Their keys are integers, so both are asked in
    one statement (a UNION ALL of the two joins). The declared reference and the database's
    own foreign key are one dependency, not two."""
    url, facts = company
    conn = SqlConnector(generate.system(url), url=url)
    statements: list[str] = []
    try:
        conn.plan_erasure(conn.find({"email": [facts.loner.email]}))  # warm: tables reflected
        records = conn.find({"email": [facts.subject.email]})
        sa.event.listen(
            conn.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
        )
        plan = conn.plan_erasure(records, keep=_bookkeeping)
    finally:
        conn.close()
    assert "husstand: shared with 1 other row(s) in kunde" in plan.dry_run()
    assert len(statements) == 1, statements
    (sql,) = statements
    assert sql.lstrip().upper().startswith("SELECT") and "UNION ALL" in sql.upper(), sql
    joins = " ".join(sql.replace("INNER JOIN", "JOIN").split())
    assert "FROM kunde JOIN husstand" in joins and "FROM faktura JOIN kunde" in joins, sql


def test_one_statement_for_all_foreign_keys_decides_as_one_per_key(
    company: tuple[str, Any],
) -> None:
    """The foreign keys asked together in one UNION ALL (integer keys fitting one chunk)
    and asked one by one in chunks of a single key (chunk_size=1: nothing can be merged)
    give the same plan: the same statements, rows kept, and notes on shared rows."""
    url, facts = company
    merged = SqlConnector(generate.system(url), url=url)
    single = SqlConnector(generate.system(url), url=url, chunk_size=1)
    statements: list[str] = []

    def shown(plan: Any) -> list[tuple[Any, ...]]:
        return [(s.table, s.op, s.rows, s.sql, s.actions) for s in plan.statements]

    try:
        sa.event.listen(
            single.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
        )
        for who in (facts.subject, facts.loner):
            records = merged.find({"email": [who.email]})
            one = merged.plan_erasure(records, keep=_bookkeeping)
            other = single.plan_erasure(records, keep=_bookkeeping)
            assert shown(one) == shown(other)
            assert one.kept == other.kept and one.notes == other.notes
    finally:
        merged.close()
        single.close()
    # One by one: no statement of the merged form ("SELECT 0 AS fk, ... UNION ALL ...").
    assert statements and not any(" AS fk" in s for s in statements), statements


def test_rectify_a_row_by_its_composite_key(company: tuple[str, Any]) -> None:
    url, facts = company
    conn = SqlConnector(generate.system(url), url=url)
    try:
        records = conn.find({"email": [facts.subject.email]})
        invoice, line = sorted(records.keys("fakturalinje"))[1]
        for key in ([invoice, line], (invoice, line), f"[{invoice}, {line}]"):
            result = conn.rectify("fakturalinje", key, {"tekst": f"Fjernvarme {key!s}"[:60]})
            assert result.pk == (invoice, line)
            assert result.new == {"tekst": f"Fjernvarme {key!s}"[:60]}
        with pytest.raises(InvalidInput, match="one value per key column"):
            conn.rectify("fakturalinje", invoice, {"tekst": "x"})
        with pytest.raises(NotFound):
            conn.rectify("fakturalinje", [invoice, 99], {"tekst": "x"})
    finally:
        conn.close()
    (text,) = _query(
        url,
        "SELECT tekst FROM fakturalinje WHERE faktura_nr = :f AND linje_nr = :n",
        f=invoice,
        n=line,
    )
    assert text == (f"Fjernvarme [{invoice}, {line}]",)
    # Only that line changed: its sibling keeps the generator's text.
    assert _query(
        url,
        "SELECT tekst FROM fakturalinje WHERE faktura_nr = :f AND linje_nr <> :n",
        f=invoice,
        n=line,
    ) == [(f"Fjernvarme {3 - line}",)]


def test_a_foreign_key_only_the_database_knows_protects_the_row(
    company: tuple[str, Any],
) -> None:
    """A table the policy does not list (signed contracts) points at customer 3: the customer
    row is not deleted (the contract would point at nothing), only its personal fields go."""
    url, facts = company
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    sa.Table("kunde", meta, autoload_with=engine)
    avtale = sa.Table(
        "avtale",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kundenr", sa.Integer, sa.ForeignKey("kunde.kundenr"), nullable=False),
    )
    meta.create_all(engine, tables=[avtale])
    with engine.begin() as c:
        c.execute(avtale.insert(), [{"id": 1, "kundenr": facts.loner.kundenr}])
    engine.dispose()
    conn = SqlConnector(generate.system(url), url=url)
    try:
        plan = conn.plan_erasure(conn.find({"email": [facts.loner.email]}))
        counts = conn.apply(plan)
    finally:
        conn.close()
    assert "kunde: shared with 1 other row(s) in avtale" in plan.dry_run()
    assert {t: (c.deleted, c.updated) for t, c in counts.items()} == {
        "kunde": (0, 1),
        "husstand": (0, 1),  # the household the kept row points at stays
    }
    assert _query(
        url,
        "SELECT count(*) FROM avtale a JOIN kunde k ON k.kundenr = a.kundenr "
        "WHERE k.epost IS NULL AND k.navn = '***'",
    ) == [(1,)]


def test_the_same_company_reads_the_same_on_every_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Built from one seed on SQLite, PostgreSQL and MariaDB, the subject's export is the same
    JSON everywhere: dates as ISO text, amounts as exact decimals, yes/no as booleans."""
    packages = {}
    for kind in KINDS:
        with fresh_database(request, kind, tmp_path) as url:
            facts = generate.build(url, seed=5)
            conn = SqlConnector(generate.system(url), url=url)
            try:
                records = conn.find({"email": [facts.subject.email]})
                packages[kind] = conn.export(records)
            finally:
                conn.close()
    assert packages["sqlite"] == packages["postgres"] == packages["mariadb"]
    invoice = packages["mariadb"]["faktura"][0]
    assert isinstance(invoice["belop"], str) and invoice["belop"].count(".") == 1
    assert invoice["fakturadato"] == "2018-03-01"


def test_conformance_kit_on_composite_keys(company: tuple[str, Any]) -> None:
    """The shared behavioural kit (find by each identity, hostile strings, export, restriction,
    rectify, erasure counts, bystander, idempotency) on a schema with composite keys."""
    url, facts = company

    def person(p: generate.Person) -> Subject:
        expected = {
            t: {k[0] if len(k) == 1 else k for k in keys}
            for t, keys in _expected(url, p.email).items()
        }
        return Subject(
            identities={
                "email": [p.email],
                "customer_number": [str(p.kundenr)],
                "national_id": [p.fnr],
            },
            expected=expected,
        )

    conn = SqlConnector(generate.system(url), url=url)
    try:
        passed = run_conformance(
            conn,
            Case(
                subject=person(facts.subject),
                bystander=person(facts.neighbour),
                rectify=("kunde", "navn"),
                min_depth=3,
                keep=_bookkeeping,
            ),
        )
    finally:
        conn.close()
    assert "erasure counts, bystander, idempotency" in passed
