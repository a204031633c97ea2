"""The officer's queue benchmark: one page (50 rows) of `steward.requests.queue.search` (count,
filters, search by name, e-mail or identity hash, then the date due per row in its
jurisdiction) next to the same page read with one hand-written SQL statement and no dates
computed, over the same store in the same run.

    .venv/bin/python bench/officer_queue.py                     # 20,000 requests, SQLite
    .venv/bin/python bench/officer_queue.py --requests 100000 --pg

Requests are generated (fictional names, example.com addresses, DK/NO/SE/GB, received over
the last 18 months, one phone identity each), so the figures are optimistic for real data.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PROMARK = ROOT / "examples" / "promark"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FIRST = ["Anna", "Bo", "Carla", "Dan", "Eva", "Finn", "Greta", "Hans", "Ida", "Jonas"]
LAST = ["Jensen", "Holm", "Berg", "Lund", "Dahl", "Strand", "Vik", "Nord", "Ek", "Lind"]
TODAY = date(2026, 12, 6)


def fill(url: str, n: int) -> None:
    from sqlalchemy import insert

    from steward.policy.loader import load_policy
    from steward.requests.deadlines import due_for
    from steward.requests.tables import DsrIdentity, DsrRequest
    from steward.store.db import make_engine
    from steward.store.migrate import upgrade_engine
    from steward.store.sealing import Sealer

    policy = load_policy(PROMARK)
    sealer = Sealer("bench-secret")
    eng = make_engine(url)
    upgrade_engine(eng)
    rnd = random.Random(5)
    states = [
        "awaiting_verification",
        "verified",
        "awaiting_approval",
        "in_progress",
        "completed",
        "completed",
        "completed",
        "refused",
    ]
    with eng.begin() as c:
        reqs, idents = [], []
        for i in range(1, n + 1):
            received = TODAY - timedelta(days=rnd.randint(0, 540))
            country = rnd.choice(["DK", "DK", "NO", "SE", "GB"])
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {i}"
            reqs.append(
                {
                    "id": i,
                    "public_id": uuid.uuid4().hex,
                    "type": rnd.choice(["access", "erasure", "rectification", "objection"]),
                    "state": rnd.choice(states),
                    "channel": "center",
                    "email": f"person{i}@example.com",
                    "name": name,
                    "country": country,
                    "language": "en",
                    "jurisdiction": country,
                    "received_at": datetime(
                        received.year, received.month, received.day, 9, tzinfo=UTC
                    ),
                    "received_on": received,
                    "due_on": due_for(received, country, policy=policy),
                    "extended": False,
                    "retries": 0,
                    "notice_attempts": 0,
                }
            )
            phone = f"+45{20000000 + i}"
            idents.append(
                {
                    "request_id": i,
                    "kind": "phone",
                    "value_mac": sealer.mac("identity", "phone", phone),
                    "value_enc": "x",
                    "source": "given",
                    "verified": True,
                }
            )
        c.execute(insert(DsrRequest), reqs)
        c.execute(insert(DsrIdentity), idents)
    eng.dispose()


def measure(url: str, runs: int) -> list[tuple[str, float, float, float, float]]:
    from sqlalchemy import text

    from steward.policy.loader import load_policy
    from steward.requests import queue
    from steward.store.db import make_engine, make_sessionmaker
    from steward.store.sealing import Sealer

    policy = load_policy(PROMARK)
    sealer = Sealer("bench-secret")
    eng = make_engine(url)
    sm = make_sessionmaker(eng)
    phone = sealer.mac("identity", "phone", "+4520001234")
    open_states = tuple(sorted(queue.OPEN))
    marks = ", ".join(f":s{i}" for i in range(len(open_states)))
    sv = {f"s{i}": s for i, s in enumerate(open_states)}
    cases = [
        (
            "default page",
            queue.Filters(),
            # only the bind markers are formatted in: every value is a bound parameter
            f"SELECT * FROM dsr_requests ORDER BY state IN ({marks}) DESC, due_on, id "  # noqa: S608
            "LIMIT 50",
            sv,
        ),
        (
            "overdue",
            queue.Filters(due="overdue"),
            f"SELECT * FROM dsr_requests WHERE state IN ({marks}) AND due_on < :t "  # noqa: S608
            "ORDER BY due_on, id LIMIT 50",
            {**sv, "t": TODAY},
        ),
        (
            "name search",
            queue.Filters(q="greta holm"),
            "SELECT * FROM dsr_requests WHERE lower(name) LIKE :q ORDER BY due_on, id LIMIT 50",
            {"q": "%greta holm%"},
        ),
        (
            "identity search",
            queue.Filters(q="20 00 12 34"),
            "SELECT * FROM dsr_requests WHERE id IN (SELECT request_id FROM dsr_identities "
            "WHERE value_mac = :m) LIMIT 50",
            {"m": phone},
        ),
    ]
    out = []
    for label, f, sql, params in cases:
        ours, base = [], []
        for _ in range(runs):
            with sm() as s:
                t = time.perf_counter()
                queue.search(s, policy, sealer, f, today=TODAY)
                ours.append((time.perf_counter() - t) * 1000)
            with eng.connect() as c:
                t = time.perf_counter()
                c.execute(text(sql), params).all()
                base.append((time.perf_counter() - t) * 1000)
        out.append(
            (
                label,
                statistics.median(ours),
                max(ours),
                statistics.median(base),
                statistics.median(ours) / statistics.median(base),
            )
        )
    eng.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--pg", action="store_true")
    args = ap.parse_args()
    targets = []
    tmp = Path(tempfile.mkdtemp())
    targets.append(("SQLite", f"sqlite:///{tmp / 'queue.db'}", None))
    if args.pg:
        from sqlalchemy import create_engine, text

        name = f"steward_bench_queue_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        targets.append(("PostgreSQL", f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", (admin, name)))
    print(f"{args.requests} requests, {args.runs} runs, one page of 50 rows\n")
    print("| store | case | p50 ms | max ms | one SQL statement p50 ms | ratio |")
    print("|---|---|---|---|---|---|")
    for store, url, cleanup in targets:
        try:
            fill(url, args.requests)
            for label, p50, worst, base, ratio in measure(url, args.runs):
                print(
                    f"| {store} | {label} | {p50:.1f} | {worst:.1f} | {base:.1f} | {ratio:.1f}x |"
                )
        finally:
            if cleanup:
                from sqlalchemy import text

                admin, name = cleanup
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
