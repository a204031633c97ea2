"""Data-subject requests across the demo company's SQL systems (crm, portal, support,
recruiting), on SQLite and PostgreSQL, next to hand-written SQL fetching / erasing the same
rows in the same run.

    .venv/bin/python bench/dsr.py [--customers 10000] [--requests 50] [--pg URL] [--no-pg]
                                  [--mem-sizes 1000,10000] [--demo-dir DIR]
                                  [--pg-demo PREFIX] [--offset K] [--only access|erasure]

--demo-dir reuses a SQLite demo built beforehand (e.g. `steward demo --customers 1000000
--dir DIR`) instead of building one for the SQLite run (a 1M-customer build takes minutes);
the customer count is read from its CRM and its peak memory is reported too. The erasure cases
change that demo: rebuild it before the next run.

--pg-demo PREFIX keeps the PostgreSQL demo in the databases `<PREFIX>crm`, `<PREFIX>portal`, ...:
built when missing, reused when there, never dropped (a 1M-customer build takes ~5 minutes).
Each run erases the customers it picks; --offset K picks other customers (ids shifted by K), so
that repeated runs on one kept demo never measure already-erased people. --only runs one kind.

Measured per request:
- "access (find+export)": Steward's identity discovery in rounds over every system plus the
  JSON-safe export (what an access answer contains), vs hand-written joins selecting the same
  rows with the same identities;
- "access (full request)": the whole `execute_request` (store, package zip, encryption, mail to
  the outbox), for the record;
- "erasure": discovery + dry-run plan (keep hook for the bookkeeping rule) + apply, vs
  hand-written UPDATE/DELETE statements for other customers of the same size;
- "erasure (full request)": the whole `execute_request` of an erasure, for the record.
The hand-written SQL starts from the same input as Steward, the e-mail address: it first looks
up the person's customer numbers by e-mail, then selects (or erases) by e-mail or customer
number, so both sides do the same work (the row counts are printed and compared).
For the erasure case the CPU time (`time.process_time`) and the statements sent per request
are printed too, for both sides (medians): they do not depend on the machine's load.
Memory: tracemalloc peak of one access request at two database sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from steward.config import Settings  # noqa: E402
from steward.demo.build import DemoLocation, build, drop, exists, in_dir, on_server  # noqa: E402
from steward.policy.loader import load_policy  # noqa: E402
from steward.requests import execute, workflow  # noqa: E402
from steward.requests.plan import Systems, discover, erasure_plans  # noqa: E402
from steward.store.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from steward.store.migrate import upgrade_engine  # noqa: E402

# The hand-written baseline starts from the same input as Steward: the verified e-mail. An
# engineer would first look up the person's customer numbers by that e-mail (in the CRM, the
# portal and the support desk, as Steward's discovery does), then select every row by e-mail or
# customer number with joins. Bound parameters only; `:cnos` is an expanding IN list.
HAND_IDS = {
    "crm": "SELECT customer_no FROM customers WHERE email = :email",
    "portal": "SELECT customer_no FROM logins WHERE email = :email",
    "support": "SELECT customer_no FROM tickets WHERE requester_email = :email",
}
HAND = {
    "crm": [
        "SELECT * FROM customers WHERE email = :email OR customer_no IN :cnos",
        "SELECT c.* FROM contacts c JOIN customers k ON k.id = c.customer_id "
        "WHERE k.email = :email OR k.customer_no IN :cnos",
        "SELECT o.* FROM orders o JOIN customers k ON k.id = o.customer_id "
        "WHERE k.email = :email OR k.customer_no IN :cnos",
        "SELECT l.* FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "JOIN customers k ON k.id = o.customer_id "
        "WHERE k.email = :email OR k.customer_no IN :cnos",
        "SELECT i.* FROM invoices i JOIN customers k ON k.id = i.customer_id "
        "WHERE k.email = :email OR k.customer_no IN :cnos",
    ],
    "portal": [
        "SELECT * FROM logins WHERE email = :email OR customer_no IN :cnos",
        "SELECT a.* FROM activity_log a JOIN logins l ON l.id = a.login_id "
        "WHERE l.email = :email OR l.customer_no IN :cnos",
    ],
    "support": [
        "SELECT * FROM tickets WHERE requester_email = :email OR customer_no IN :cnos",
        "SELECT m.* FROM messages m JOIN tickets t ON t.id = m.ticket_id "
        "WHERE t.requester_email = :email OR t.customer_no IN :cnos",
    ],
    "recruiting": [
        "SELECT * FROM applications WHERE email = :email",
        "SELECT e.* FROM application_emails e JOIN applications a ON a.id = e.application_id "
        "WHERE a.email = :email",
    ],
}
HAND_ERASE = {
    "crm": [
        "DELETE FROM order_lines WHERE order_id IN (SELECT o.id FROM orders o JOIN customers k "
        "ON k.id = o.customer_id WHERE k.email = :email OR k.customer_no IN :cnos)",
        "DELETE FROM contacts WHERE customer_id IN (SELECT id FROM customers WHERE "
        "email = :email OR customer_no IN :cnos)",
        "UPDATE orders SET order_no = NULL, ordered_at = NULL, product = NULL, amount = NULL "
        "WHERE customer_id IN (SELECT id FROM customers WHERE email = :email "
        "OR customer_no IN :cnos)",
        "UPDATE customers SET company_name = NULL, contact_name = NULL, title = NULL, "
        "email = NULL, phone = NULL, street = NULL, postal_code = NULL, city = NULL, "
        "country = NULL WHERE email = :email OR customer_no IN :cnos",
    ],
    "portal": [
        "DELETE FROM activity_log WHERE login_id IN (SELECT id FROM logins WHERE email = :email "
        "OR customer_no IN :cnos)",
        "DELETE FROM logins WHERE email = :email OR customer_no IN :cnos",
    ],
    "support": [
        "DELETE FROM messages WHERE ticket_id IN (SELECT id FROM tickets WHERE "
        "requester_email = :email OR customer_no IN :cnos)",
        "DELETE FROM tickets WHERE requester_email = :email OR customer_no IN :cnos",
    ],
    "recruiting": [
        "DELETE FROM application_emails WHERE application_id IN (SELECT id FROM applications "
        "WHERE email = :email)",
        "DELETE FROM applications WHERE email = :email",
    ],
}


def _q(sql: str) -> sa.TextClause:
    q = sa.text(sql)
    return q.bindparams(sa.bindparam("cnos", expanding=True)) if ":cnos" in sql else q


HAND_IDS_Q = {k: _q(v) for k, v in HAND_IDS.items()}
HAND_Q = {k: [_q(v) for v in vs] for k, vs in HAND.items()}
HAND_ERASE_Q = {k: [_q(v) for v in vs] for k, vs in HAND_ERASE.items()}


def hand_customer_numbers(conns: dict[str, sa.Connection], email: str) -> list[str]:
    """Step one of the hand-written search: the person's customer numbers, by e-mail."""
    cnos: set[str] = set()
    for key, query in HAND_IDS_Q.items():
        cnos |= {r[0] for r in conns[key].execute(query, {"email": email}) if r[0]}
    return sorted(cnos)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def people(url: str, ids: list[int]) -> list[tuple[str, str]]:
    """E-mail and customer number of the customers `ids`; a customer an earlier run erased
    (row gone, or kept for the bookkeeping rule with its e-mail emptied) is left out."""
    eng = sa.create_engine(url)
    query = sa.text(
        "SELECT email, customer_no FROM customers WHERE id IN :ids AND email IS NOT NULL"
    ).bindparams(sa.bindparam("ids", expanding=True))
    with eng.connect() as c:
        rows = c.execute(query, {"ids": ids}).all()
    eng.dispose()
    return [(r[0], r[1]) for r in rows]


def setup(loc: DemoLocation, customers: int, tmp: Path, reuse: bool = False):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    if not reuse:
        build(loc, customers=customers, seed=7, today=dt.date(2026, 11, 26), replace=True)
    built = time.perf_counter() - t0
    for k, v in loc.urls.items():
        os.environ[f"PROMARK_{k.upper()}_URL"] = v
    policy = load_policy(ROOT / "examples" / "promark")
    policy = policy.model_copy(
        update={"systems": [s for s in policy.systems if s.connector == "sql"]}
    )
    store = make_engine(f"sqlite:///{tmp / f'steward-{uuid.uuid4().hex[:6]}.db'}")
    upgrade_engine(store)
    settings = Settings(
        database_url=str(store.url),
        data_dir=tmp / "var",
        secret_key="b" * 40,
        policy=ROOT / "examples" / "promark",
    )
    return policy, make_sessionmaker(store), settings, built


def bench_access(loc: DemoLocation, policy, subjects):  # type: ignore[no-untyped-def]
    systems = Systems(policy)
    engines = {k: sa.create_engine(u) for k, u in loc.urls.items()}
    ours, hand, rows_ours, rows_hand = [], [], 0, 0
    try:
        discover(policy, systems, {"email": [subjects[0][0]]})  # warm connections
        for email, _ in subjects:
            t0 = time.perf_counter()
            found = discover(policy, systems, {"email": [email]})
            for key, rec in found.records.items():
                rows_ours += sum(len(r) for r in systems.get(key).export(rec).values())
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            conns = {k: e.connect() for k, e in engines.items()}
            try:
                cnos = hand_customer_numbers(conns, email)
                params = {"email": email, "cnos": cnos}
                for key, queries in HAND_Q.items():
                    for q in queries:
                        rows_hand += len(conns[key].execute(q, params).all())
            finally:
                for c in conns.values():
                    c.close()
            hand.append(time.perf_counter() - t0)
    finally:
        systems.close()
        for e in engines.values():
            e.dispose()
    return ours, hand, rows_ours, rows_hand


def bench_full_access(policy, sm, settings, subjects, kind="access"):  # type: ignore[no-untyped-def]
    """The whole `execute_request` (store transactions, audit, package or erasure, mail)."""
    times = []
    for email, _ in subjects:
        with transaction(sm) as s:
            out = workflow.submit(
                s,
                policy,
                workflow.sealer_for(settings),
                type=kind,
                name="Bench",
                email=email,
                channel="officer",
                evidence="benchmark",
                actor="bench",
            )
            workflow.move(s, out.request, workflow.State.in_progress, "bench")
            rid = out.request.id
        t0 = time.perf_counter()
        execute.execute_request(sm, settings, policy, rid)
        times.append(time.perf_counter() - t0)
    return times


def bench_erasure(loc: DemoLocation, policy, settings, ours_subjects, hand_subjects, warm=()):  # type: ignore[no-untyped-def]
    systems = Systems(policy)
    engines = {k: sa.create_engine(u) for k, u in loc.urls.items()}
    ours, hand = [], []
    # Load-independent figures beside the wall times: the process's CPU time (every thread,
    # `time.process_time`) and the statements sent, per erasure, for each side.
    cpu: dict[str, list[float]] = {"ours": [], "hand": []}
    sent: dict[str, list[int]] = {"ours": [], "hand": []}
    count = [0]

    def counted(*_args: object) -> None:
        count[0] += 1

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", counted)
    today = dt.date(2026, 11, 26)
    try:
        # Warm-up, as a server process is after its first requests: connections open and each
        # system's tables reflected (dry-run plans for other people, nothing applied).
        for email, _ in warm:
            erasure_plans(
                policy, systems, discover(policy, systems, {"email": [email]}), today, "salt"
            )
        for e in engines.values():  # the hand-written side's connections too
            e.connect().close()
        # Alternately one of each, so that both sides meet the same machine (a shared machine's
        # load moves within a run; measured one side after the other, the ratio moved with it).
        for (email, _), (hand_email, _) in zip(ours_subjects, hand_subjects, strict=True):
            n0, c0, t0 = count[0], time.process_time(), time.perf_counter()
            found = discover(policy, systems, {"email": [email]})
            for key, plan in erasure_plans(policy, systems, found, today, "salt").items():
                systems.get(key).apply(plan)
            ours.append(time.perf_counter() - t0)
            cpu["ours"].append(time.process_time() - c0)
            sent["ours"].append(count[0] - n0)
            n0, c0, t0 = count[0], time.process_time(), time.perf_counter()
            conns = {k: e.connect() for k, e in engines.items()}
            try:
                params = {"email": hand_email, "cnos": hand_customer_numbers(conns, hand_email)}
                for key, stmts in HAND_ERASE_Q.items():
                    for q in stmts:  # one transaction per system, as Steward's apply
                        conns[key].execute(q, params)
                    conns[key].commit()
            finally:
                for c in conns.values():
                    c.close()
            hand.append(time.perf_counter() - t0)
            cpu["hand"].append(time.process_time() - c0)
            sent["hand"].append(count[0] - n0)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", counted)
        systems.close()
        for e in engines.values():
            e.dispose()
    mine, theirs = pct(cpu["ours"], 0.5) * 1000, pct(cpu["hand"], 0.5) * 1000
    print(
        f"erasure CPU ms per request, median: steward {mine:.1f}, hand-written {theirs:.1f} "
        f"({mine / theirs:.2f}x); statements, median: steward {pct(sent['ours'], 0.5):.0f} "
        f"(range {min(sent['ours'])}-{max(sent['ours'])}), hand-written "
        f"{pct(sent['hand'], 0.5):.0f}",
        file=sys.stderr,
    )
    return ours, hand


def memory_peak(loc: DemoLocation, policy, email: str) -> float:  # type: ignore[no-untyped-def]
    systems = Systems(policy)
    discover(policy, systems, {"email": [email]})
    tracemalloc.start()
    found = discover(policy, systems, {"email": [email]})
    for key, rec in found.records.items():
        systems.get(key).export(rec)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    systems.close()
    return peak / 1024


def row(name: str, ours: list[float], hand: list[float] | None) -> str:
    p50, p95 = pct(ours, 0.5) * 1000, pct(ours, 0.95) * 1000
    rps = len(ours) / sum(ours)
    if hand:
        h50 = pct(hand, 0.5) * 1000
        return (
            f"| {name} | {p50:.1f} | {pct(ours, 0.95) * 1000:.1f} | {rps:.0f} | {h50:.1f} | "
            f"{pct(hand, 0.95) * 1000:.1f} | {p50 / h50:.2f}× |"
        )
    return f"| {name} | {p50:.1f} | {p95:.1f} | {rps:.0f} | – | – | – |"


def demo_customers(loc: DemoLocation) -> int:
    """The number of customers in an existing demo (ids run 1..n)."""
    eng = sa.create_engine(loc.urls["crm"])
    with eng.connect() as c:
        n = int(c.execute(sa.text("SELECT max(id) FROM customers")).scalar_one() or 0)
    eng.dispose()
    return n


def run_backend(
    label: str, loc: DemoLocation, args: argparse.Namespace, tmp: Path, reuse: bool = False
) -> list[str]:
    policy, sm, settings, built = setup(loc, args.customers, tmp, reuse)
    n = args.requests
    # Six candidates per five people needed, spread over the whole table: on a kept demo,
    # customers an earlier run erased are skipped (`people`).
    step = max(1, args.customers // (6 * n + 1))
    ids = [(i + args.offset - 1) % args.customers + 1 for i in range(1, args.customers + 1, step)][
        : 6 * n
    ]
    subjects = people(loc.urls["crm"], ids)[: 5 * n]
    if len(subjects) < 5 * n:
        sys.exit(
            f"error: only {len(subjects)} of the {5 * n} customers picked are not erased yet "
            "(a kept demo erased by earlier runs): pick others with another --offset"
        )
    out = []
    if args.only in (None, "access"):
        ours, hand, r1, r2 = bench_access(loc, policy, subjects[:n])
        full = bench_full_access(policy, sm, settings, subjects[n : 2 * n])
        print(f"{label}: rows fetched steward={r1} hand={r2}", file=sys.stderr)
        out += [
            row(f"{label}: access (find+export)", ours, hand),
            row(f"{label}: access (full request, zip, encrypt)", full, None),
        ]
    if args.only in (None, "erasure"):
        er_ours, er_hand = bench_erasure(
            loc,
            policy,
            settings,
            subjects[2 * n : 3 * n],
            subjects[3 * n : 4 * n],
            warm=subjects[:n],
        )
        full_erasure = bench_full_access(policy, sm, settings, subjects[4 * n : 5 * n], "erasure")
        out += [
            row(f"{label}: erasure (plan+apply)", er_ours, er_hand),
            row(f"{label}: erasure (full request, audit, letter)", full_erasure, None),
        ]
    print(f"{label}: {args.customers} customers, built in {built:.1f} s", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (large sizes)")
    ap.add_argument("--mem-sizes", default="1000,10000")
    ap.add_argument("--demo-dir", type=Path, help="reuse the SQLite demo in this folder")
    ap.add_argument("--pg-demo", help="keep the PostgreSQL demo in databases <PREFIX><system>")
    ap.add_argument("--offset", type=int, default=0, help="shift the customers picked")
    ap.add_argument("--only", choices=["access", "erasure"])
    args = ap.parse_args()
    prebuilt = in_dir(args.demo_dir) if args.demo_dir else None
    if prebuilt is not None:
        if not exists(prebuilt):
            sys.exit(f"error: no complete demo in {args.demo_dir}")
        args.customers = demo_customers(prebuilt)
    lines = [
        "| case | p50 ms | p95 ms | req/s | hand SQL p50 ms | hand SQL p95 ms | ratio p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if prebuilt is not None:
            lines += run_backend("SQLite", prebuilt, args, tmp, reuse=True)
        elif not args.no_sqlite:
            lines += run_backend("SQLite", in_dir(tmp / "demo"), args, tmp)
        if not args.no_pg:
            prefix = args.pg.rsplit("/", 1)[0] + "/"
            if args.pg_demo:
                news = Path(tempfile.gettempdir()) / f"{args.pg_demo}news"
                news.mkdir(exist_ok=True)
                loc = on_server(prefix, newsletter_dir=news, name_prefix=args.pg_demo)
                kept = exists(loc)
                if kept:
                    args.customers = demo_customers(loc)
                lines += run_backend("PostgreSQL", loc, args, tmp, reuse=kept)
            else:
                loc = on_server(
                    prefix,
                    newsletter_dir=tmp / "pgnews",
                    name_prefix=f"bench_{uuid.uuid4().hex[:6]}_",
                )
                try:
                    lines += run_backend("PostgreSQL", loc, args, tmp)
                finally:
                    drop(loc)
        mem = []
        if prebuilt is not None:
            policy = setup(prebuilt, args.customers, tmp, reuse=True)[0]
            email = people(prebuilt.urls["crm"], [args.customers // 2])[0][0]
            peak = memory_peak(prebuilt, policy, email)
            mem.append(f"{args.customers} customers (prebuilt demo): {peak:.0f} KiB")
        for size in [int(x) for x in args.mem_sizes.split(",") if x]:
            loc = in_dir(tmp / f"mem{size}")
            policy, _, _, _ = setup(loc, size, tmp)
            email = people(loc.urls["crm"], [size // 2])[0][0]
            mem.append(f"{size} customers: {memory_peak(loc, policy, email):.0f} KiB")
    print(f"\nDSR benchmark, {args.customers} customers, {args.requests} requests per case\n")
    print("\n".join(lines))
    print("\nPeak memory of one access request (tracemalloc): " + "; ".join(mem))
    print(
        f"statistics: python {sys.version.split()[0]}, median of {args.requests}", file=sys.stderr
    )


if __name__ == "__main__":
    main()
