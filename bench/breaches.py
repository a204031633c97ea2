"""Benchmark: the breach affected-people lookup over N support tickets on SQLite, next to
hand-written SQL for the same selection in the same run.

    .venv/bin/python bench/breaches.py              # 100,000 tickets
    .venv/bin/python bench/breaches.py --tickets 1000000

Two selections: a 10% time window over tickets.opened_at (the address is on the row), and the
same window over messages.sent_at (the address comes from the parent ticket through the
policy's reference). The baseline is the hand-written SQL an engineer would write for the same
answer — rows selected, rows without an address, and each person (address de-duplicated
case-insensitively, sorted) with their number of rows — fetched over an engine made once, as an
application would. Both answers are checked equal. Prints a Markdown table: median wall time
and median process CPU time (the machine may be shared) of --repeat rounds after a warm-up,
each round running Steward and every baseline once in turn. Three hand-written variants, each
right for some data: fetch every row's address and count in Python; GROUP BY lower(trim())
in SQL; GROUP BY the raw address and merge spellings in Python. Ratios are taken against
the fastest of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


def timed_together(fns: list[Any], repeat: int) -> list[tuple[float, float, object]]:
    """Median wall time and median process CPU time of each function over `repeat` rounds
    (after one warm-up round). Each round runs every function once, in turn, so a burst of
    load on a shared machine falls on all of them alike."""
    outs = [fn() for fn in fns]
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0, c0 = time.perf_counter(), time.process_time()
            outs[i] = fn()
            walls[i].append(time.perf_counter() - t0)
            cpus[i].append(time.process_time() - c0)
    return [(statistics.median(w), statistics.median(c), o)
            for w, c, o in zip(walls, cpus, outs, strict=True)]


Output = tuple[int, int, list[tuple[str, int]]]  # records, without address, [(address, rows)]


def hand_written(engine: sa.Engine, sql: str, lo: datetime, hi: datetime) -> Output:
    """What an engineer would write: group by the normalized address in SQL, sorted."""
    records = without = 0
    people: list[tuple[str, int]] = []
    with engine.connect() as c:
        for email, n in c.execute(sa.text(sql), {"lo": lo, "hi": hi}):
            records += n
            if email is None or "@" not in email:
                without += n
            else:
                people.append((email, n))
    return records, without, people


def steward(policy: object, sel: Selection) -> Output:
    found = find_affected(policy, sel, secret="bench")  # type: ignore[arg-type]
    return found.records, found.without_address, [(e, n) for e, _, n in found.found]


def hand_written_py(engine: sa.Engine, sql: str, lo: datetime, hi: datetime) -> Output:
    """The other way to write it: group the raw addresses in SQL, normalize them in Python
    (str.lower is right for any alphabet; SQL lower() is not everywhere)."""
    records = without = 0
    rows: dict[str, int] = {}
    with engine.connect() as c:
        for email, n in c.execute(sa.text(sql), {"lo": lo, "hi": hi}):
            records += n
            key = email.strip().lower() if email else ""
            if "@" not in key:
                without += n
            else:
                rows[key] = rows.get(key, 0) + n
    return records, without, [(k, rows[k]) for k in sorted(rows)]


def hand_written_rows(engine: sa.Engine, sql: str, lo: datetime, hi: datetime) -> Output:
    """The plainest way: fetch each selected row's address and count people in Python."""
    records = without = 0
    rows: dict[str, int] = {}
    with engine.connect() as c:
        for (email,) in c.execute(sa.text(sql), {"lo": lo, "hi": hi}):
            records += 1
            key = email.strip().lower() if email else ""
            if "@" not in key:
                without += 1
            else:
                rows[key] = rows.get(key, 0) + 1
    return records, without, [(k, rows[k]) for k in sorted(rows)]


TICKETS_ROWS = (
    "SELECT requester_email FROM tickets WHERE opened_at >= :lo AND opened_at < :hi")
MESSAGES_ROWS = (
    "SELECT t.requester_email FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id "
    "WHERE m.sent_at >= :lo AND m.sent_at < :hi")
TICKETS_RAW = (
    "SELECT requester_email, count(*) FROM tickets "
    "WHERE opened_at >= :lo AND opened_at < :hi GROUP BY requester_email")
MESSAGES_RAW = (
    "SELECT t.requester_email, count(*) FROM messages m "
    "LEFT JOIN tickets t ON t.id = m.ticket_id "
    "WHERE m.sent_at >= :lo AND m.sent_at < :hi GROUP BY t.requester_email")
TICKETS_SQL = (
    "SELECT lower(trim(requester_email)) AS e, count(*) FROM tickets "
    "WHERE opened_at >= :lo AND opened_at < :hi GROUP BY e ORDER BY e")
MESSAGES_SQL = (
    "SELECT lower(trim(t.requester_email)) AS e, count(*) FROM messages m "
    "LEFT JOIN tickets t ON t.id = m.ticket_id "
    "WHERE m.sent_at >= :lo AND m.sent_at < :hi GROUP BY e ORDER BY e")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--people", type=int, default=0, help="default: tickets / 5")
    ap.add_argument("--repeat", type=int, default=9)
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
    variants = (hand_written_rows, hand_written, hand_written_py)
    results = []
    for label, sel, sqls in (
        ("tickets, 10% window (address on row)", sel_t,
         (TICKETS_ROWS, TICKETS_SQL, TICKETS_RAW)),
        ("messages, 10% window (address via ticket)", sel_m,
         (MESSAGES_ROWS, MESSAGES_SQL, MESSAGES_RAW)),
    ):
        fns: list[Any] = [lambda s=sel: steward(policy, s)]
        fns += [lambda f=f, q=q: f(engine, q, lo, hi) for f, q in zip(variants, sqls, strict=True)]
        (ours_wall, ours_cpu, got), *hand = timed_together(fns, args.repeat)
        assert all(got == out for _, _, out in hand), "Steward and the hand-written SQL disagree"
        records, _, persons = got  # type: ignore[misc]
        # Ratios against the fastest hand-written variant, by wall and by CPU time.
        best_wall = min(w for w, _, _ in hand)
        best_cpu = min(c for _, c, _ in hand)
        results.append((label, records, len(persons), (ours_wall, ours_cpu),
                        [(w, c) for w, c, _ in hand], ours_wall / best_wall, ours_cpu / best_cpu))
    engine.dispose()
    print(f"\nAffected-people lookup, SQLite, {n:,} tickets / {2 * n:,} messages / "
          f"{people:,} people (built in {built:.1f} s), median of {args.repeat}; "
          "wall time (process CPU time)\n")
    print("| selection | rows | people | Steward `find_affected` | hand: rows, counted in "
          "Python | hand: GROUP BY lower(trim()) | hand: GROUP BY, merged in Python | "
          "ratio wall | ratio CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    def ms(wc: tuple[float, float]) -> str:
        return f"{wc[0] * 1000:.0f} ms ({wc[1] * 1000:.0f})"

    for label, records, subjects, ours, hand_times, rw, rc in results:
        print(f"| {label} | {records:,} | {subjects:,} | {ms(ours)} | "
              f"{' | '.join(ms(h) for h in hand_times)} | {rw:.2f}× | {rc:.2f}× |")
    print("\nRatios are against the fastest hand-written variant of each row.")

if __name__ == "__main__":
    main()
