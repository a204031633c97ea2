"""Retention plans with a trigger over child rows and a condition read from the consent ledger,
next to hand-written SQL counting the same rows.

--people candidates, three applications each (a tenth with one still open); --consented of
them have given consent in Steward's ledger. Timed: a hand-written GROUP BY count of
"6 months after the last application closed", Steward's own count statement for it, the whole
plan of that rule (six statements: due, empty dates, due soon, oldest, sample, ...), and the
plan of the same rule "unless the person consented to the talent pool" (addresses read in one
streamed scan, hashed, looked up in the ledger).

    .venv/bin/python bench/retention_conditions.py            # 100k people, SQLite + PostgreSQL
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from steward.connectors.engines import SystemEngines
from steward.consent import ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.policy.models import Policy
from steward.retention.plan import plan_rule
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-secret-0123456789abcdef0123456789"
TODAY = date(2025, 9, 1)

md = sa.MetaData()
candidates = sa.Table("candidates", md, sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("email", sa.String(200)))
applications = sa.Table(
    "applications", md, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("candidate_id", sa.Integer, sa.ForeignKey("candidates.id"), index=True),
    sa.Column("closed_at", sa.DateTime))


def policy(url: str, consent: bool) -> Policy:
    rule: dict[str, Any] = {
        "key": "candidates", "description": "6 months after the last application",
        "system": "hr", "table": "candidates",
        "trigger": {"field": "applications.closed_at", "of": "latest"}, "period": {"months": 6}}
    if consent:
        rule["condition"] = {"not": {"consent": {"purpose": "talent_pool", "state": "given"}}}
    return Policy.model_validate({
        "policy": {"id": "bench", "version": "1", "effective": "2026-01-01"},
        "controller": {"name": "Bench ApS", "lead_authority": "DK", "address": {
            "street": "Vej 1", "postal_code": "2800", "city": "Lyngby", "country": "DK"}},
        "subject_categories": [{"key": "s", "name": "S"}],
        "data_categories": [{"key": "user.contact.email", "name": "E-mail"}],
        "purposes": [{"key": "p", "title": "P", "description": "P", "legal_bases": ["b"]}],
        "consent": {"purposes": [{"key": "talent_pool", "title": "Talent pool", "purpose": "p",
                                  "mode": "opt_in", "legal_basis": "a", "channels": ["email"]}]},
        "systems": [{"key": "hr", "name": "HR", "connector": "sql", "url": url,
                     "storage_country": "DK", "tables": [
                         {"name": "candidates", "identities": {"email": "email"}},
                         {"name": "applications", "fields": [{"name": "closed_at"}],
                          "references": [{"field": "candidate_id", "to": "candidates.id"}]}]}],
        "retention_rules": [rule],
    })


def fill(url: str, people: int) -> None:
    eng = sa.create_engine(url)
    md.drop_all(eng)
    md.create_all(eng)
    base = datetime(2024, 1, 1, 12, 0)
    with eng.begin() as c:
        for start in range(0, people, 10_000):
            ids = range(start + 1, min(start + 10_000, people) + 1)
            c.execute(candidates.insert(), [{"id": i, "email": f"p{i}@example.com"} for i in ids])
            c.execute(applications.insert(), [
                {"id": i * 3 + k, "candidate_id": i,
                 "closed_at": None if (k == 2 and i % 10 == 0)
                 else base + timedelta(days=(i * 7 + k * 90) % 600)}
                for i in ids for k in range(3)])
    eng.dispose()


def consented_baseline(url: str, every: int) -> int:
    """The same count without the consented people (ids 1, 1 + every, ...), by hand."""
    eng = sa.create_engine(url)
    sql = sa.text(
        "SELECT count(*) FROM candidates c JOIN (SELECT candidate_id, max(closed_at) AS d, "
        "count(*) - count(closed_at) AS open FROM applications GROUP BY candidate_id) a "
        "ON a.candidate_id = c.id WHERE a.open = 0 AND a.d < :cutoff AND c.id % :every <> 1")
    with eng.connect() as c:
        n = int(c.execute(sql, {"cutoff": date(2025, 3, 2), "every": every}).scalar_one())
    eng.dispose()
    return n


def baseline(url: str) -> tuple[int, float]:
    eng = sa.create_engine(url)
    sql = sa.text(
        "SELECT count(*) FROM candidates c JOIN (SELECT candidate_id, max(closed_at) AS d, "
        "count(*) - count(closed_at) AS open FROM applications GROUP BY candidate_id) a "
        "ON a.candidate_id = c.id WHERE a.open = 0 AND a.d < :cutoff")
    t = time.perf_counter()
    with eng.connect() as c:
        n = int(c.execute(sql, {"cutoff": date(2025, 3, 2)}).scalar_one())
    eng.dispose()
    return n, time.perf_counter() - t


def timed_plan(url: str, store: Any, consent: bool) -> tuple[int, float]:
    engines = SystemEngines(urls={"hr": url})
    t = time.perf_counter()
    with transaction(store) as s:
        p = plan_rule(policy(url, consent), "candidates", engines=engines, session=s,
                      today=TODAY, secret=SECRET)
    took = time.perf_counter() - t
    engines.dispose()
    assert p.error is None, p.error
    return p.expired, took


def timed_count(url: str, store: Any) -> tuple[int, float]:
    """Steward's own statement for the expired count alone (like for like with `baseline`)."""
    from steward.retention.cutoff import cutoff
    from steward.retention.rules import resolve
    from steward.retention.statements import reflect

    pol = policy(url, False)
    rr = resolve(pol, "candidates")
    eng = sa.create_engine(url)
    with eng.connect() as c:
        sql = reflect(c, rr)
        t = time.perf_counter()
        n = int(c.execute(sql.count_expired(cutoff(rr.rule.period, TODAY))).scalar_one())
        took = time.perf_counter() - t
    eng.dispose()
    return n, took


def run(name: str, url: str, people: int, consented: int) -> None:
    t = time.perf_counter()
    fill(url, people)
    print(f"{name}: filled {people} people, {people * 3} applications in "
          f"{time.perf_counter() - t:.1f}s")
    with tempfile.TemporaryDirectory() as tmp:
        store_engine = make_engine(f"sqlite:///{Path(tmp) / 'steward.db'}")
        upgrade_engine(store_engine)
        store = make_sessionmaker(store_engine)
        pol = policy(url, True)
        purpose = resolve(pol, "talent_pool")
        every = max(people // consented, 2)
        t = time.perf_counter()
        with transaction(store) as s:
            for i in range(1, people + 1, every):
                ledger.record(s, pol, subject_ref=email_ref(SECRET, f"p{i}@example.com"),
                              purpose=purpose, action="given", method="bench",
                              recorded_by="bench")
        print(f"{name}: {consented} consents recorded in {time.perf_counter() - t:.1f}s")
        n0, t0 = baseline(url)
        nc, tc = timed_count(url, store)
        n1, t1 = timed_plan(url, store, consent=False)
        n2, t2 = timed_plan(url, store, consent=True)
        store_engine.dispose()
    assert n0 == n1 == nc, (n0, n1, nc)
    assert n2 == consented_baseline(url, every), n2
    print(f"| {people:,} | {name} | hand-written GROUP BY count | {n0:,} | {t0:.2f} |")
    print(f"| {people:,} | {name} | Steward's count statement | {nc:,} | {tc:.2f} |")
    print(f"| {people:,} | {name} | plan, latest child date | {n1:,} | {t1:.2f} |")
    print(f"| {people:,} | {name} | plan, latest child date + consent | {n2:,} | {t2:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--consented", type=int, default=5_000)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'hr.db'}", args.people, args.consented)
    if args.no_pg:
        return
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        run("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args.people,
            args.consented)
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
