"""Benchmark: the breach affected-people lookup over N support tickets on SQLite, next to
hand-written SQL for the same selection in the same run.

    .venv/bin/python bench/breaches.py              # 100,000 tickets
    .venv/bin/python bench/breaches.py --tickets 1000000

Two selections: a 10% time window over tickets.opened_at (the address is on the row), and the
same window over messages.sent_at (the address comes from the parent ticket through the
policy's reference). Prints a Markdown table (median of --repeat runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.breaches.factories import support_metadata, with_support_url  # noqa: E402

from steward.breaches.affected import Selection, find_affected  # noqa: E402
from steward.policy.loader import load_policy  # noqa: E402

START = datetime(2026, 1, 1)


def build(url: str, n: int, people: int) -> None:
    engine = sa.create_engine(url)
    md = support_metadata()
    md.create_all(engine)
    t, m = md.tables["tickets"], md.tables["messages"]
    step = timedelta(seconds=300 * 86400 // n)  # spread over ~300 days
    with engine.begin() as conn:
        for start in range(0, n, 20_000):
            tickets, messages = [], []
            for i in range(start, min(n, start + 20_000)):
                opened = START + step * i
                p = i % people
                tickets.append({"id": i + 1, "customer_no": f"C-{p:06d}",
                                "requester_email": f"person{p}@example.com",
                                "subject": "Question", "status": "open", "opened_at": opened,
                                "closed_at": None})
                for k in range(2):
                    messages.append({"id": (i + 1) * 2 + k, "ticket_id": i + 1,
                                     "author": "Support", "body": "Reply", "sent_at": opened})
            conn.execute(t.insert(), tickets)
            conn.execute(m.insert(), messages)
        conn.exec_driver_sql("CREATE INDEX ix_t_opened ON tickets (opened_at)")
        conn.exec_driver_sql("CREATE INDEX ix_m_sent ON messages (sent_at)")
    engine.dispose()


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    runs, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--people", type=int, default=0, help="default: tickets / 5")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n, people = args.tickets, args.people or max(1, args.tickets // 5)
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'support.db'}"
    t0 = time.perf_counter()
    build(url, n, people)
    built = time.perf_counter() - t0
    policy = with_support_url(load_policy(ROOT / "examples" / "promark"), url)
    since = (START + timedelta(days=100)).replace(tzinfo=UTC)
    until = (START + timedelta(days=130)).replace(tzinfo=UTC)
    engine = sa.create_engine(url)
    lo, hi = since.replace(tzinfo=None), until.replace(tzinfo=None)
    sel_t = Selection(system="support", table="tickets", date_column="opened_at",
                      since=since, until=until)
    sel_m = Selection(system="support", table="messages", date_column="sent_at",
                      since=since, until=until)

    def raw_tickets() -> tuple[int, int]:
        with engine.connect() as c:
            rows = c.execute(sa.text(
                "SELECT requester_email FROM tickets WHERE opened_at >= :lo AND opened_at < :hi"),
                {"lo": lo, "hi": hi}).all()
        return len(rows), len({r[0].lower() for r in rows if r[0]})

    def raw_messages() -> tuple[int, int]:
        with engine.connect() as c:
            rows = c.execute(sa.text(
                "SELECT t.requester_email FROM messages m JOIN tickets t ON t.id = m.ticket_id "
                "WHERE m.sent_at >= :lo AND m.sent_at < :hi"), {"lo": lo, "hi": hi}).all()
        return len(rows), len({r[0].lower() for r in rows if r[0]})

    results = []
    for label, sel, raw in (("tickets, 10% window (address on row)", sel_t, raw_tickets),
                            ("messages, 10% window (address via ticket)", sel_m, raw_messages)):
        ours, found = timed(lambda s=sel: find_affected(policy, s, secret="bench"), args.repeat)
        base, (records, subjects) = timed(raw, args.repeat)  # type: ignore[misc]
        assert found.records == records and len(found.people) == subjects, "results differ"  # type: ignore[attr-defined]
        results.append((label, records, subjects, ours, base))
    engine.dispose()
    print(f"\nAffected-people lookup, SQLite, {n:,} tickets / {2 * n:,} messages / "
          f"{people:,} people (built in {built:.1f} s), median of {args.repeat}\n")
    print("| selection | rows | people | Steward `find_affected` | hand-written SQL | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, records, subjects, ours, base in results:
        print(f"| {label} | {records:,} | {subjects:,} | {ours * 1000:.0f} ms | "
              f"{base * 1000:.0f} ms | {ours / base:.1f}× |")


if __name__ == "__main__":
    main()
