"""Fan-out: one request's work on several systems runs at the same time, so the request takes
as long as its slowest system, not the sum of all of them.

`each_system(keys, work)` calls `work(key)` for every key on a thread pool and returns the
results in the order of `keys`. Calls into one system are bounded process-wide (at most
`per_system` at once, across every request this process runs), so a burst of requests never
opens more than that many connections' worth of work on a single company database.

Each call keeps its own transaction: the connectors commit per system, and callers record
progress per system as before. The first error (for example `Unavailable`) is raised once
every started call has ended, so nothing runs on behind the caller's back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

MAX_THREADS = 8  # per request; the systems of one policy are rarely more
PER_SYSTEM = 2  # concurrent calls into one system, across the requests of this process

_LOCK = threading.Lock()
_SLOTS: dict[str, threading.BoundedSemaphore] = {}


def _slot(key: str, per_system: int) -> threading.BoundedSemaphore:
    with _LOCK:
        slot = _SLOTS.get(key)
        if slot is None:
            slot = _SLOTS[key] = threading.BoundedSemaphore(per_system)
        return slot


def each_system(
    keys: Sequence[str], work: Callable[[str], T], *, per_system: int = PER_SYSTEM
) -> list[T]:
    """`[work(k) for k in keys]`, concurrently; raises the first error (in `keys` order)
    after all calls have finished."""
    if len(keys) <= 1:
        return [_bounded(k, work, per_system) for k in keys]
    with ThreadPoolExecutor(max_workers=min(len(keys), MAX_THREADS),
                            thread_name_prefix="steward-fanout") as pool:
        futures = [pool.submit(_bounded, k, work, per_system) for k in keys]
    # Leaving the `with` waited for every call; now report in a stable order.
    for f in futures:
        err = f.exception()
        if err is not None:
            raise err
    return [f.result() for f in futures]


def _bounded(key: str, work: Callable[[str], T], per_system: int) -> T:
    with _slot(key, per_system):
        return work(key)
