"""Benchmark: find + export one subject across the demo company's SQL systems (crm, portal,
support, recruiting), with Steward's connectors next to hand-written SQL fetching the same rows
in the same run, on SQLite and PostgreSQL. Prints a Markdown table of p50/p95 per lookup.

    .venv/bin/python bench/connectors.py                      # 5,000 customers, 300 lookups
    .venv/bin/python bench/connectors.py --customers 1000000  # the big size (~14M rows)

The baseline knows the schema: it looks the customer up by e-mail, then fetches every table
with joins (one query per table), as an engineer would write it by hand. Steward knows only the
policy: rounds of set-based queries until no new identity appears, then export.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from steward.connectors.rounds import find_everywhere  # noqa: E402
from steward.connectors.sql import SqlConnector  # noqa: E402
from steward.demo import build  # noqa: E402
from steward.policy.models import SystemSpec  # noqa: E402

SQL_SYSTEMS = ("crm", "portal", "support", "recruiting")
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"

# Hand-written: the customer by e-mail, then each table by joins on what that row holds.
HAND = {
    "crm": {
        "customers": "SELECT * FROM customers WHERE email = :email",
        "contacts": "SELECT c.* FROM contacts c JOIN customers k ON k.id = c.customer_id "
        "WHERE k.email = :email",
        "orders": "SELECT o.* FROM orders o JOIN customers k ON k.id = o.customer_id "
        "WHERE k.email = :email",
        "order_lines": "SELECT l.* FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "JOIN customers k ON k.id = o.customer_id WHERE k.email = :email",
        "invoices": "SELECT i.* FROM invoices i JOIN customers k ON k.id = i.customer_id "
        "WHERE k.email = :email",
    },
    "portal": {
        "logins": "SELECT * FROM logins WHERE email = :email OR customer_no = :customer_no",
        "activity_log": "SELECT a.* FROM activity_log a JOIN logins l ON l.id = a.login_id "
        "WHERE l.email = :email OR l.customer_no = :customer_no",
    },
    "support": {
        "tickets": "SELECT * FROM tickets WHERE requester_email = :email "
        "OR customer_no = :customer_no",
        "messages": "SELECT m.* FROM messages m JOIN tickets t ON t.id = m.ticket_id "
        "WHERE t.requester_email = :email OR t.customer_no = :customer_no",
    },
    "recruiting": {
        "applications": "SELECT * FROM applications WHERE email = :email OR phone = :phone",
        "application_emails": "SELECT e.* FROM application_emails e JOIN applications a "
        "ON a.id = e.application_id WHERE a.email = :email OR a.phone = :phone",
    },
}


def systems() -> dict[str, SystemSpec]:
    doc = YAML(typ="safe").load((ROOT / "examples/promark/systems.yaml").read_text())
    return {s["key"]: SystemSpec.model_validate(s) for s in doc["systems"]}


def hand_lookup(engines: dict[str, sa.Engine], email: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with engines["crm"].connect() as c:
        row = c.execute(sa.text("SELECT phone, customer_no FROM customers WHERE email = :e"),
                        {"e": email}).one()
        params = {"email": email, "phone": row[0], "customer_no": row[1]}
        for table, q in HAND["crm"].items():
            counts[table] = len([dict(r._mapping) for r in c.execute(sa.text(q), params)])
    for system in SQL_SYSTEMS[1:]:
        with engines[system].connect() as c:
            for table, q in HAND[system].items():
                counts[table] = len([dict(r._mapping) for r in c.execute(sa.text(q), params)])
    return {t: n for t, n in counts.items() if n}


def steward_lookup(conns: dict[str, SqlConnector], email: str) -> dict[str, int]:
    results, _ = find_everywhere(conns, {"email": [email]})
    counts: dict[str, int] = {}
    for key, records in results.items():
        for table, rows in conns[key].export(records).items():
            counts[table] = len(rows)
    return counts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_backend(name: str, loc: build.DemoLocation, emails: list[str]) -> list[str]:
    specs = systems()
    conns = {k: SqlConnector(specs[k], url=loc.urls[k]) for k in SQL_SYSTEMS}
    engines = {k: sa.create_engine(loc.urls[k]) for k in SQL_SYSTEMS}
    # Warm up both (pools, reflection, statement caches) and check they agree row for row.
    for email in emails[:20]:
        a, b = steward_lookup(conns, email), hand_lookup(engines, email)
        assert a == b, f"Steward and hand-written SQL disagree: {a} != {b}"
    times: dict[str, list[float]] = {"steward": [], "hand": []}
    for email in emails:
        for label, fn in (("hand", hand_lookup), ("steward", steward_lookup)):
            t0 = time.perf_counter()
            fn(engines if label == "hand" else conns, email)  # type: ignore[arg-type]
            times[label].append((time.perf_counter() - t0) * 1000)
    for c in conns.values():
        c.close()
    for e in engines.values():
        e.dispose()
    h50, h95 = percentile(times["hand"], 0.5), percentile(times["hand"], 0.95)
    s50, s95 = percentile(times["steward"], 0.5), percentile(times["steward"], 0.95)
    return [
        f"| {name} | hand-written SQL (baseline) | {h50:.2f} | {h95:.2f} | 1.0x |",
        f"| {name} | Steward connectors (find + export, rounds) | {s50:.2f} | {s95:.2f} | "
        f"{s50 / h50:.1f}x |",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--lookups", type=int, default=300)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    rng = random.Random(42)
    out = [
        f"customers: {args.customers:,}; lookups: {args.lookups} random customers, each "
        "searched by e-mail across 4 SQL systems (11 tables)",
        "",
        "| backend | method | p50 ms | p95 ms | p50 vs baseline |",
        "|---|---|---|---|---|",
    ]
    builds: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[tuple[str, build.DemoLocation]] = [("SQLite", build.in_dir(Path(tmp)))]
        if not args.no_postgres:
            try:
                targets.append(("PostgreSQL", build.on_server(
                    PG, newsletter_dir=Path(tmp) / "pg", name_prefix=f"b{uuid.uuid4().hex[:6]}_"
                )))
            except Exception as err:  # noqa: BLE001
                print(f"PostgreSQL skipped: {err}", file=sys.stderr)
        for name, loc in targets:
            t0 = time.perf_counter()
            try:
                summary = build.build(loc, customers=args.customers, seed=1)
            except Exception as err:  # noqa: BLE001 - a server that is down: skip, say so
                print(f"{name} skipped: {err}", file=sys.stderr)
                continue
            secs = time.perf_counter() - t0
            rows = sum(summary.counts.values())
            builds.append(f"- demo build on {name}: {rows:,} rows in {secs:.1f} s "
                          f"({rows / secs:,.0f} rows/s)")
            engine = sa.create_engine(loc.urls["crm"])
            with engine.connect() as c:
                ids = rng.sample(range(1, args.customers + 1), min(args.lookups, args.customers))
                emails = [c.execute(sa.text("SELECT email FROM customers WHERE id = :i"),
                                    {"i": i}).scalar_one() for i in ids]
            engine.dispose()
            try:
                out += run_backend(name, loc, emails)
            finally:
                if loc.server is not None:
                    build.drop(loc)
    print("\n".join(out + [""] + builds))


if __name__ == "__main__":
    main()
