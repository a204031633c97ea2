"""Fan-out: one request's work on several systems runs at the same time, so the request takes
as long as its slowest system, not the sum of all of them.

`each_system(keys, work)` calls `work(key)` for every key on a thread pool and returns the
results in the order of `keys`. Calls into one system are bounded process-wide (at most
`per_system` at once, across every request this process runs), so a burst of requests never
opens more than that many connections' worth of work on a single company database.

Each call keeps its own transaction: the connectors commit per system, and callers record
progress per system as before. The first error (for example `Unavailable`) is raised once
every started call has ended, so nothing runs on behind the caller's back.

The threads are kept: one set per process, started on first use (starting threads for every
round of every request cost more than the work on a loaded machine), and the calling thread
runs the first system's call itself. A fan-out started from one of the pool's own threads runs
its calls one after the other, so the pool can never wait on itself.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

MAX_THREADS = 16  # kept threads per process, shared by the requests it runs at once
PER_SYSTEM = 2  # concurrent calls into one system, across the requests of this process
THREAD_PREFIX = "steward-fanout"


class _Workers:
    """The kept threads: each takes the next call from one queue and runs it. A thread is
    started when a fan-out finds fewer idle threads than calls to hand out, up to
    MAX_THREADS; beyond that, calls wait in the queue for the next free thread. The queues
    are the standard library's C ones (`queue.SimpleQueue`): handing out and collecting a
    round's calls through `concurrent.futures` cost about three times the CPU."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.idle = 0
        self.started = 0

    def run(self, calls: list[Callable[[], None]]) -> None:
        with self.lock:
            missing = min(len(calls) - self.idle, MAX_THREADS - self.started)
            for _ in range(max(0, missing)):
                self.started += 1
                threading.Thread(
                    target=self._loop, name=f"{THREAD_PREFIX}-{self.started}", daemon=True
                ).start()
                self.idle += 1  # counted idle from now, so the next fan-out sees it
        for call in calls:
            self.jobs.put(call)

    def _loop(self) -> None:
        # Counted idle from its start (`run`); busy from taking a call until it has run.
        while True:
            call = self.jobs.get()
            with self.lock:
                self.idle -= 1
            call()
            with self.lock:
                self.idle += 1


_LOCK = threading.Lock()
_SLOTS: dict[str, queue.SimpleQueue[bool]] = {}
_WORKERS: _Workers | None = None


def _workers() -> _Workers:
    global _WORKERS
    with _LOCK:
        if _WORKERS is None:
            _WORKERS = _Workers()
        return _WORKERS


def _forget_pool() -> None:
    """In a forked child the parent's threads do not exist: make new ones when needed."""
    global _WORKERS, _LOCK, _SLOTS
    _WORKERS, _LOCK, _SLOTS = None, threading.Lock(), {}


os.register_at_fork(after_in_child=_forget_pool)


def _slot(key: str, per_system: int) -> queue.SimpleQueue[bool]:
    """The system's tokens: a call takes one before it starts and gives it back after."""
    with _LOCK:
        slot = _SLOTS.get(key)
        if slot is None:
            slot = _SLOTS[key] = queue.SimpleQueue()
            for _ in range(per_system):
                slot.put(True)
        return slot


def each_system(
    keys: Sequence[str], work: Callable[[str], T], *, per_system: int = PER_SYSTEM
) -> list[T]:
    """`[work(k) for k in keys]`, concurrently; raises the first error (in `keys` order)
    after all calls have finished."""
    if len(keys) <= 1:
        return [_bounded(k, work, per_system) for k in keys]
    outcomes: list[tuple[Any, BaseException | None]] = [(None, None)] * len(keys)
    if threading.current_thread().name.startswith(THREAD_PREFIX):
        for i, k in enumerate(keys):
            outcomes[i] = _outcome(k, work, per_system)
    else:
        done: queue.SimpleQueue[int] = queue.SimpleQueue()

        def call(i: int) -> Callable[[], None]:
            def run() -> None:
                try:
                    outcomes[i] = _outcome(keys[i], work, per_system)
                except BaseException as err:  # noqa: BLE001 - handed to the caller below
                    outcomes[i] = (None, err)
                finally:
                    done.put(i)

            return run

        _workers().run([call(i) for i in range(1, len(keys))])
        # The calling thread runs the first system's call itself.
        outcomes[0] = _outcome(keys[0], work, per_system)
        for _ in range(len(keys) - 1):
            done.get()
    # Every call has ended; now report in a stable order (an interrupt before any error).
    errors = [err for _, err in outcomes if err is not None]
    for err in errors:
        if not isinstance(err, Exception):
            raise err
    if errors:
        raise errors[0]
    return [value for value, _ in outcomes]


def _outcome(key: str, work: Callable[[str], T], per_system: int) -> tuple[Any, Exception | None]:
    try:
        return _bounded(key, work, per_system), None
    except Exception as err:  # noqa: BLE001 - reported once the other calls ended
        return None, err


def _bounded(key: str, work: Callable[[str], T], per_system: int) -> T:
    slot = _slot(key, per_system)
    slot.get()
    try:
        return work(key)
    finally:
        slot.put(True)
