"""What the start-date gate of announced purposes costs the consent check's hot path.

`checks.check()` asks `publication.gate` whether the purpose is announced and not yet started
before it reads the subject's state. Measured in-process, in the same run and on the same
store and connection pattern (one short read-only connection per check, as the API runs it):

- **without the gate**: the same check built from the same parts (`resolve`, the keyed hash,
  the one state + restriction query, `decide`), minus the gate;
- **gate, read each time**: `checks.check()` with the gate's cache off (`CACHE_SECONDS = 0`),
  as it was before the cache: one more query per check;
- **gate, kept**: `checks.check()` as shipped.

Each store is measured with no announcement and with one sent, started announcement for the
purpose (the gate then reads a row, decides, and lets the check go on). Rounds alternate the
two variants so that the machine's other load falls on both alike; the median round is given.

    .venv/bin/python bench/consent_gate.py                  # defaults: about a minute
    .venv/bin/python bench/consent_gate.py --checks 20000 --rounds 7
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import consent as base  # noqa: E402  (bench/consent.py: population, PostgreSQL helpers)

PURPOSE = "newsletter"


def without_gate(conn: Any, policy: Any, subject: str) -> Any:
    from steward.consent import checks
    from steward.consent.purposes import resolve
    from steward.consent.subjects import subject_ref

    info = resolve(policy, PURPOSE)
    ref = subject_ref(base.SECRET, subject)
    row = conn.execute(checks._plan(conn).one, {"s": ref, "p": info.key}).one()
    st = row if row.state is not None else None
    return checks.decide(conn, info, ref, st, None, restricted=bool(row.restricted))


def with_gate(conn: Any, policy: Any, subject: str) -> Any:
    from steward.consent import checks

    return checks.check(conn, policy, subject, PURPOSE, secret=base.SECRET)


def uncached_gate(conn: Any, policy: Any, subject: str) -> Any:
    from steward.publication import gate

    kept, gate.CACHE_SECONDS = gate.CACHE_SECONDS, 0.0
    try:
        return with_gate(conn, policy, subject)
    finally:
        gate.CACHE_SECONDS = kept


def announce(url: str, policy: Any) -> None:
    """One announcement of the newsletter's policy purpose, sent and started a day ago."""
    from steward.publication.tables import Announcement, PolicyVersion
    from steward.store.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(url)
    served = policy.consent_purpose(PURPOSE).purpose
    past = datetime.now(UTC) - timedelta(days=1)
    with transaction(make_sessionmaker(engine)) as s:
        v = PolicyVersion(policy_id="bench", version="2", effective=past.date(), sha256="0" * 64,
                          published_at=past, document="{}")
        s.add(v)
        s.flush()
        s.add(Announcement(version_id=v.id, purpose=served, change="added", details="",
                           status="sent", notice_days=30, created_at=past, sending_at=past,
                           starts_at=past, all_on_time=True, subjects=0, without_address=0))
    engine.dispose()


def rate(fn: Any, engine: Any, policy: Any, n: int) -> float:
    t = time.perf_counter()
    for i in range(n):
        with engine.connect() as conn:
            fn(conn, policy, f"person{i % 1000}@example.com")
    return n / (time.perf_counter() - t)


def measure(url: str, policy: Any, args: argparse.Namespace) -> tuple[float, float, float]:
    from steward.store.db import make_engine, make_reader

    engine = make_reader(make_engine(url))
    variants = (without_gate, uncached_gate, with_gate)
    with engine.connect() as conn:  # the variants answer alike before anything is timed
        for i in range(50):
            answers = [f(conn, policy, f"person{i}@example.com").as_dict() for f in variants]
            assert answers[0] == answers[1] == answers[2], answers
    for f in variants:
        rate(f, engine, policy, 500)  # warm-up
    rates: list[list[float]] = [[], [], []]
    for _ in range(args.rounds):
        for i, f in enumerate(variants):
            rates[i].append(rate(f, engine, policy, args.checks))
    engine.dispose()
    plain, read, kept = (statistics.median(r) for r in rates)
    return plain, read, kept


def gate_call(url: str, n: int) -> tuple[float, float]:
    """Microseconds per `gate.not_yet` call on its own: (read each time, kept)."""
    from steward.publication import gate
    from steward.store.db import make_engine, make_reader

    engine = make_reader(make_engine(url))
    at = datetime.now(UTC)
    out = []
    with engine.connect() as conn:
        for seconds in (0.0, gate.CACHE_SECONDS):
            kept, gate.CACHE_SECONDS = gate.CACHE_SECONDS, seconds
            try:
                gate.not_yet(conn, "marketing", "email:x", at, policy_version="bench")
                t = time.perf_counter()
                for _ in range(n):
                    gate.not_yet(conn, "marketing", "email:x", at, policy_version="bench")
                out.append((time.perf_counter() - t) * 1e6 / n)
            finally:
                gate.CACHE_SECONDS = kept
    engine.dispose()
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--checks", type=int, default=5_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from steward.policy.loader import load_policy

    policy = load_policy(base.PROMARK)
    tmp = Path(tempfile.mkdtemp())
    stores: list[tuple[str, str, object]] = [("SQLite", f"sqlite:///{tmp / 'gate.db'}", None)]
    pg = base.pg_database()
    if pg:
        stores.append(("PostgreSQL", pg[0], pg[1]))
    print(f"checks/s, in-process, median of {args.rounds} rounds of {args.checks} checks\n")
    print("| store | announcements | without gate | gate, read each time | cost | gate, kept | "
          "cost |\n|---|---|---:|---:|---:|---:|---:|")
    calls: list[tuple[str, str, float, float]] = []
    try:
        for label, url, _ in stores:
            base.populate(url, args.subjects)
            for state in ("none", "one sent, started"):
                if state != "none":
                    announce(url, policy)
                plain, read, kept = measure(url, policy, args)
                print(f"| {label} | {state} | {plain:,.0f} | {read:,.0f} | "
                      f"{1 - read / plain:.1%} | {kept:,.0f} | {1 - kept / plain:.1%} |",
                      flush=True)
                calls.append((label, state, *gate_call(url, args.checks)))
        print("\nThe gate call on its own, µs per call\n\n| store | announcements | read each "
              "time | kept |\n|---|---|---:|---:|")
        for label, state, read_us, kept_us in calls:
            print(f"| {label} | {state} | {read_us:.1f} | {kept_us:.2f} |")
    finally:
        for _, _, handle in stores:
            if handle is not None:
                base.drop_pg(handle)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
