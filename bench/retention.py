"""Retention sweep benchmark: `run_rule` next to a hand-written batched DELETE of the same rows.

Each backend gets a table of --rows rows of which --expired have expired (spread evenly); the
sweep (keyset batches, a pending/done checkpoint in Steward's store per batch, holds and
evidence) and a bare loop of `DELETE ... WHERE id IN (SELECT id ... LIMIT n)` with a commit per
batch each delete them from a fresh copy. Memory: tracemalloc peak of the sweep at a quarter of
the size and at the full size (flat means it does not grow with the rows swept).

    .venv/bin/python bench/retention.py                     # 200k expired of 1M, SQLite + PG
    .venv/bin/python bench/retention.py --rows 5000000 --expired 1000000
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import sqlalchemy as sa

from steward.connectors.engines import SystemEngines
from steward.policy.models import Policy
from steward.retention.sweep import run_rule
from steward.store.db import make_engine, make_sessionmaker
from steward.store.migrate import upgrade_engine

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
OLD, NEW = "2020-01-15 10:00:00", "2099-01-15 10:00:00"


def policy(url: str) -> Policy:
    return Policy.model_validate({
        "policy": {"id": "bench", "version": "1", "effective": "2026-01-01"},
        "controller": {"name": "Bench ApS", "lead_authority": "DK", "address": {
            "street": "Vej 1", "postal_code": "2800", "city": "Lyngby", "country": "DK"}},
        "subject_categories": [{"key": "s", "name": "S"}],
        "data_categories": [{"key": "user.contact.email", "name": "E-mail"}],
        "purposes": [{"key": "p", "title": "P", "description": "P", "legal_bases": ["b"]}],
        "systems": [{"key": "bench", "name": "Bench", "connector": "sql", "url": url,
                     "storage_country": "DK", "tables": [{"name": "events", "identities": {
                         "email": "email"}, "fields": [{"name": "ended_at"}]}]}],
        "retention_rules": [{"key": "events", "description": "3 months", "system": "bench",
                             "table": "events", "trigger": {"field": "events.ended_at"},
                             "period": {"months": 3}}],
    })


def rows(n: int, expired: int):  # type: ignore[no-untyped-def]
    step = n / expired
    marks = {int(i * step) for i in range(expired)}
    for i in range(n):
        yield i + 1, f"p{i + 1}@example.com", OLD if i in marks else NEW


def fill(url: str, n: int, expired: int) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS events"))
        c.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, email VARCHAR(200), "
                          "ended_at TIMESTAMP)"))
        c.execute(sa.text("CREATE INDEX ix_events_ended_at ON events (ended_at)"))
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
            raw.executemany("INSERT INTO events VALUES (?, ?, ?)", rows(n, expired))
    else:
        raw = eng.raw_connection()
        try:
            copy = "COPY events (id, email, ended_at) FROM STDIN"
            with raw.cursor() as cur, cur.copy(copy) as cp:
                for r in rows(n, expired):
                    cp.write_row(r)
            raw.commit()
        finally:
            raw.close()
        with eng.begin() as c:
            c.execute(sa.text("ANALYZE events"))
    eng.dispose()


def baseline(url: str, batch: int) -> int:
    """A hand-written batched delete, one transaction per batch."""
    eng = sa.create_engine(url)
    total = 0
    stmt = sa.text("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ended_at < "
                   ":cutoff AND id > :after ORDER BY id LIMIT :n)")
    last = 0
    while True:
        with eng.begin() as c:
            ids = [r[0] for r in c.execute(sa.text(
                "SELECT id FROM events WHERE ended_at < :cutoff AND id > :after ORDER BY id "
                "LIMIT :n"), {"cutoff": "2025-01-01", "after": last, "n": batch})]
            if not ids:
                break
            total += c.execute(stmt, {"cutoff": "2025-01-01", "after": last, "n": batch}).rowcount
            last = ids[-1]
    eng.dispose()
    return total


def new_store(tmp: Path) -> sa.Engine:
    store = make_engine(f"sqlite:///{tmp / f'store-{uuid.uuid4().hex[:6]}.db'}")
    upgrade_engine(store)
    return store


def sweep(url: str, batch: int, store: sa.Engine) -> int:
    engines = SystemEngines(urls={"bench": url})
    result = run_rule(make_sessionmaker(store), policy(url), "events", engines=engines,
                      batch_size=batch)
    engines.dispose()
    store.dispose()
    assert result.status == "done", result
    return result.counts.get("events", 0)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    n = fn(*args)
    return n, time.perf_counter() - t0


def backends(tmp: Path, skip_pg: bool):  # type: ignore[no-untyped-def]
    yield "SQLite", lambda: f"sqlite:///{tmp / f'company-{uuid.uuid4().hex[:6]}.db'}", None
    if skip_pg:
        return
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def make() -> str:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + name

    try:
        with admin.connect() as c:
            c.execute(sa.text("SELECT 1"))
    except Exception as err:  # noqa: BLE001
        print(f"PostgreSQL skipped: {err.__class__.__name__}")
        return

    def cleanup() -> None:
        with admin.connect() as c:
            for n in names:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))
        admin.dispose()

    yield "PostgreSQL", make, cleanup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--expired", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (large sizes)")
    a = ap.parse_args()
    print(f"## Retention sweep: {a.expired:,} expired of {a.rows:,} rows, batch {a.batch}\n")
    print("| backend | method | rows deleted | seconds | rows/s | ratio |")
    print("|---|---|---:|---:|---:|---:|")
    peaks: list[tuple[int, int]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, make, cleanup in backends(tmp, a.no_pg):
            if a.no_sqlite and name == "SQLite":
                continue
            try:
                u1, u2 = make(), make()
                fill(u1, a.rows, a.expired)
                fill(u2, a.rows, a.expired)
                nb, tb = timed(baseline, u1, a.batch)
                ns, ts = timed(sweep, u2, a.batch, new_store(tmp))
                assert nb == ns == a.expired, (nb, ns)
                print(f"| {name} | hand-written batched DELETE | {nb:,} | {tb:.1f} | "
                      f"{nb / tb:,.0f} | 1.00 |")
                print(f"| {name} | steward retention run | {ns:,} | {ts:.1f} | {ns / ts:,.0f} | "
                      f"{(ns / ts) / (nb / tb):.2f} |")
                if name == "SQLite":
                    for size in (a.expired // 4, a.expired):
                        u = make()
                        fill(u, size * a.rows // a.expired, size)
                        store = new_store(tmp)
                        tracemalloc.start()
                        sweep(u, a.batch, store)
                        peaks.append((size, tracemalloc.get_traced_memory()[1]))
                        tracemalloc.stop()
            finally:
                if cleanup:
                    cleanup()
    if not peaks:
        return
    print("\n| sweep memory (SQLite, tracemalloc peak) | rows swept | peak MiB |")
    print("|---|---:|---:|")
    for size, peak in peaks:
        print(f"| steward retention run | {size:,} | {peak / 2**20:.1f} |")


if __name__ == "__main__":
    main()
