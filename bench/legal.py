"""Benchmark: legal deadline computations per second, next to naive baselines in the same run.

Rows:
- baseline `add_months` (pure, no validation, no holidays) — the floor;
- steward `add_months` (validated);
- steward `due_date` (Reg. 1182/71 Art. 3 + cached holiday calendars, DK/NO/SE/GB mixed);
- naive `due_date` that builds a `holidays` calendar on every call (what caching saves);
- steward `request_deadlines` (one month, three months, stop-the-clock dates);
- steward `breach_deadline` (Art. 33(1), 72 h in UTC).

Usage: python bench/legal.py [--n 20000] [--repeat 3]. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import calendar
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

try:
    import steward  # noqa: F401
except ModuleNotFoundError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import holidays

from steward.legal.breach_clock import breach_deadline
from steward.legal.dsr_deadlines import request_deadlines
from steward.legal.periods import add_months, due_date

JURISDICTIONS: tuple[tuple[str, str | None], ...] = (
    ("DK", None),
    ("NO", None),
    ("SE", None),
    ("GB", "ENG"),
    ("GB", "SCT"),
)


def naive_add_months(start: date, months: int) -> date:
    """The baseline: same date N months later, clamped to month end; nothing else."""
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(start.day, calendar.monthrange(year, month0 + 1)[1]))


def naive_due_date(received: date, months: int, country: str, subdiv: str | None) -> date:
    """Rolls over weekends and holidays, building the calendar on every call (no cache)."""
    end = naive_add_months(received, months)
    categories = ("public", "de_facto") if country == "SE" else ("public",)
    cal = holidays.country_holidays(
        country, subdiv=subdiv, years={end.year, end.year + 1}, categories=categories
    )
    while end.weekday() >= 5 or end in cal:
        end += timedelta(days=1)
    return end


def measure(fn: Callable[[int], object], n: int, repeat: int) -> float:
    """Best-of-`repeat` operations per second for `n` calls of fn(i)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        best = min(best, time.perf_counter() - t0)
    return n / best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="calls per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    n, repeat = args.n, args.repeat

    rng = random.Random(1182)
    start = date(2023, 1, 1)
    received = [start + timedelta(days=rng.randrange(5 * 365)) for _ in range(n)]
    where = [JURISDICTIONS[rng.randrange(len(JURISDICTIONS))] for _ in range(n)]
    aware = [
        datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(2 * 525_600))
        for _ in range(n)
    ]
    # The uncached baseline is ~1000x slower: run it on a slice so the default stays quick.
    n_slow = max(1, n // 50)

    # Sanity: the baselines and steward agree on every input measured.
    for i in range(min(n, 2_000)):
        c, s = where[i]
        assert add_months(received[i], 1) == naive_add_months(received[i], 1)
        assert due_date(received[i], 1, country=c, subdiv=s) == naive_due_date(received[i], 1, c, s)

    rows = [
        ("baseline: pure add_months, no holidays", n,
         measure(lambda i: naive_add_months(received[i], 1), n, repeat)),
        ("steward add_months (validated)", n,
         measure(lambda i: add_months(received[i], 1), n, repeat)),
        ("steward due_date, 1 month, cached calendars", n,
         measure(lambda i: due_date(received[i], 1, country=where[i][0], subdiv=where[i][1]),
                 n, repeat)),
        ("steward due_date, 3 months, cached calendars", n,
         measure(lambda i: due_date(received[i], 3, country=where[i][0], subdiv=where[i][1]),
                 n, repeat)),
        ("naive due_date, `holidays` calendar built per call", n_slow,
         measure(lambda i: naive_due_date(received[i], 1, *where[i]), n_slow, repeat)),
        ("steward request_deadlines (full clock)", n,
         measure(lambda i: request_deadlines(received[i], where[i][0], subdiv=where[i][1]),
                 n, repeat)),
        ("steward breach_deadline (72 h, UTC)", n,
         measure(lambda i: breach_deadline(aware[i]), n, repeat)),
    ]  # fmt: skip
    base = rows[0][2]
    print(f"n={n}, best of {repeat}, Python {sys.version.split()[0]}, holidays "
          f"{holidays.__version__}\n")  # fmt: skip
    print("| operation | calls | ops/s | vs baseline |")
    print("|---|---:|---:|---:|")
    for name, calls, ops in rows:
        ratio = ops / base
        print(f"| {name} | {calls:,} | {ops:,.0f} | {ratio:.{2 if ratio >= 0.1 else 4}f}x |")


if __name__ == "__main__":
    main()
