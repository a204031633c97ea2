"""The fan-out's own cost (`steward.requests.fanout.each_system`) next to the standard
library's thread pool doing the same (`concurrent.futures.ThreadPoolExecutor`: submit every
call but the first, run the first on the calling thread, wait for the rest), in one process.

    .venv/bin/python bench/fanout.py [--systems 4] [--rounds 3000] [--sleep-ms 0.2]

Two kinds of call per system: one that does nothing (the cost of handing out and collecting
the calls), and one that sleeps `--sleep-ms` (a round trip to a database, GIL released). For
each, the CPU time (`time.process_time`, every thread) and the wall time per fan-out round,
and the same calls made one after the other for reference.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from steward.requests import fanout  # noqa: E402


def futures_round(
    pool: ThreadPoolExecutor, keys: list[str], work: Callable[[str], str]
) -> list[str]:
    futures = [pool.submit(work, k) for k in keys[1:]]
    first = work(keys[0])
    wait_all(futures)
    return [first] + [f.result() for f in futures]


def measure(rounds: int, run: Callable[[], object]) -> tuple[float, float]:
    """(CPU µs, wall µs) per round, after a warm-up round."""
    run()
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        run()
    return (
        (time.process_time() - c0) / rounds * 1e6,
        (time.perf_counter() - t0) / rounds * 1e6,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--systems", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3000)
    ap.add_argument("--sleep-ms", type=float, default=0.2)
    args = ap.parse_args()
    keys = [f"bench-system-{i}" for i in range(args.systems)]
    pause = args.sleep_ms / 1000

    def nothing(key: str) -> str:
        return key

    def sleeps(key: str) -> str:
        time.sleep(pause)
        return key

    pool = ThreadPoolExecutor(max_workers=fanout.MAX_THREADS)
    print(f"| calls ({args.systems} systems) | way | CPU µs per round | wall µs per round |")
    print("|---|---|---:|---:|")
    for label, work, rounds in (
        ("no work", nothing, args.rounds),
        (f"sleep {args.sleep_ms} ms", sleeps, max(1, args.rounds // 3)),
    ):
        ways: list[tuple[str, Callable[[], object]]] = [
            ("`fanout.each_system`", lambda w=work: fanout.each_system(keys, w)),
            ("`ThreadPoolExecutor`", lambda w=work: futures_round(pool, keys, w)),
            ("one after the other", lambda w=work: [w(k) for k in keys]),
        ]
        for way, run in ways:
            cpu, wall = measure(rounds, run)
            print(f"| {label} | {way} | {cpu:.1f} | {wall:.1f} |")
    pool.shutdown()
    print(f"statistics: python {sys.version.split()[0]}, mean of {args.rounds} rounds "
          f"({max(1, args.rounds // 3)} with sleeps)", file=sys.stderr)


if __name__ == "__main__":
    main()
