"""Fan-out: one request's work on several systems runs at the same time, so the request takes
as long as its slowest system, not the sum of all of them.

`each_system(keys, work)` calls `work(key)` for every key on a thread pool and returns the
results in the order of `keys`. Calls into one system are bounded process-wide (at most
`per_system` at once, across every request this process runs), so a burst of requests never
opens more than that many connections' worth of work on a single company database.

Each call keeps its own transaction: the connectors commit per system, and callers record
progress per system as before. The first error (for example `Unavailable`) is raised once
every started call has ended, so nothing runs on behind the caller's back.

The threads are kept: one pool per process, made on first use (starting threads for every
round of every request cost more than the work on a loaded machine), and the calling thread
runs the first system's call itself. A fan-out started from one of the pool's own threads runs
its calls one after the other, so the pool can never wait on itself.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from typing import TypeVar

T = TypeVar("T")

MAX_THREADS = 16  # kept threads per process, shared by the requests it runs at once
PER_SYSTEM = 2  # concurrent calls into one system, across the requests of this process
THREAD_PREFIX = "steward-fanout"

_LOCK = threading.Lock()
_SLOTS: dict[str, threading.BoundedSemaphore] = {}
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix=THREAD_PREFIX)
        return _POOL


def _forget_pool() -> None:
    """In a forked child the parent's threads do not exist: make a new pool when needed."""
    global _POOL, _LOCK
    _POOL, _LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


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
    results: list[T] = []
    errors: list[BaseException] = []
    if threading.current_thread().name.startswith(THREAD_PREFIX):
        for k in keys:
            _collect(functools.partial(_bounded, k, work, per_system), results, errors)
    else:
        pool = _pool()
        futures = [pool.submit(_bounded, k, work, per_system) for k in keys[1:]]
        # The calling thread runs the first system's call itself.
        _collect(functools.partial(_bounded, keys[0], work, per_system), results, errors)
        wait_all(futures)
        for f in futures:
            _collect(f.result, results, errors)
    # Every call has ended; now report in a stable order.
    if errors:
        raise errors[0]
    return results


def _collect(call: Callable[[], T], results: list[T], errors: list[BaseException]) -> None:
    try:
        results.append(call())
    except Exception as err:  # noqa: BLE001 - reported once the other calls ended
        errors.append(err)


def _bounded(key: str, work: Callable[[str], T], per_system: int) -> T:
    with _slot(key, per_system):
        return work(key)
