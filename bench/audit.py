"""Audit-log appends per second on SQLite and PostgreSQL, next to a plain INSERT of the same
rows in the same run (one row per transaction, as the workflows append).

    .venv/bin/python bench/audit.py [--rows 2000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from steward import audit
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine

PLAIN = """CREATE TABLE plain_events (seq BIGINT PRIMARY KEY, at TIMESTAMP,
actor VARCHAR(200), action VARCHAR(100), subject_ref VARCHAR(200), details TEXT,
prev_hash VARCHAR(64), hash VARCHAR(64))"""


def run(url: str, rows: int) -> tuple[float, float]:
    engine = make_engine(url)
    upgrade_engine(engine)
    sm = make_sessionmaker(engine)
    with engine.begin() as c:
        c.execute(text(PLAIN))
    details = [{"request": i, "systems": 5, "tables": 12} for i in range(rows)]
    insert = text(
        "INSERT INTO plain_events VALUES (:seq, :at, :actor, :action, :subject_ref, "
        ":details, :prev_hash, :hash)"
    )
    t0 = time.perf_counter()
    for i in range(rows):
        with transaction(sm) as s:
            s.execute(
                insert,
                {
                    "seq": i + 1,
                    "at": datetime.now(UTC),
                    "actor": "officer:1",
                    "action": "dsr.completed",
                    "subject_ref": f"dsr:{i}",
                    "details": json.dumps(details[i]),
                    "prev_hash": "0" * 64,
                    "hash": "f" * 64,
                },
            )
    plain = rows / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(rows):
        with transaction(sm) as s:
            audit.append(
                s,
                actor="officer:1",
                action="dsr.completed",
                subject_ref=f"dsr:{i}",
                details=details[i],
            )
    chained = rows / (time.perf_counter() - t0)
    with transaction(sm) as s:
        assert audit.verify(s).ok
    engine.dispose()
    return plain, chained


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument(
        "--pg",
        default=os.environ.get(
            "STEWARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as d:
        results.append(("SQLite (WAL)", *run(f"sqlite:///{d}/bench.db", args.rows)))
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        results.append(("PostgreSQL", *run(f"{args.pg.rsplit('/', 1)[0]}/{name}", args.rows)))
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"Audit appends, {args.rows} rows, one per transaction; {platform.python_version()}")
    print("| store | plain INSERT rows/s | audit.append rows/s | ratio |")
    print("|---|---:|---:|---:|")
    for store, plain, chained in results:
        print(f"| {store} | {plain:,.0f} | {chained:,.0f} | {chained / plain:.2f} |")


if __name__ == "__main__":
    main()
