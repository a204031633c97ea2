"""Where rate-limit counters live: in this process, or in Redis shared by every process.

A backend counts hits in fixed windows: `hit(key, window)` adds one to the window that holds
now and returns (hits so far in it, seconds until it ends). `RateLimiter` (web/security.py)
decides what is too many. One server process can keep counters in memory; several processes
(`steward serve --workers N`, or several machines behind a proxy) must share them, or each
process would allow the full limit and a client would get N times as many tries. With
`STEWARD_REDIS_URL` set every process counts in the same Redis keys.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Protocol

from steward.errors import Unavailable


class CounterBackend(Protocol):
    def hit(self, key: str, window: float) -> tuple[int, float]:
        """Count one hit; return (hits in the current window, seconds until it ends)."""

    def reset(self, key: str) -> None:
        """Forget the hits of `key` (a successful sign-in clears its failures)."""


class MemoryCounters:
    """Counters of one process (the default: one server process on a laptop)."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: float) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            count, start = self._hits.get(key, (0, now))
            if now - start >= window:
                count, start = 0, now
            count += 1
            self._hits[key] = (count, start)
            if len(self._hits) > self.MAX_KEYS:  # bound memory under a flood of clients
                cutoff = now - window
                self._hits = {k: v for k, v in self._hits.items() if v[1] >= cutoff}
        return count, window - (now - start)

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


class RedisCounters:
    """Counters in Redis, shared by every process and machine using the same server.

    A window starts at a key's first hit: `SET key 0 PX window NX`, `INCR`, `PTTL` run as one
    transaction, so every process counts in the same window and a counter never outlives it.
    Keys are a hash of the bucket and the client address or account name the caller passes:
    no address or e-mail is readable in Redis, and each key expires with its window.
    """

    def __init__(self, url: str, *, prefix: str = "steward:rl:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix
        self._errors = redis.RedisError

    def _name(self, key: str) -> str:
        return self._prefix + hashlib.sha256(key.encode()).hexdigest()[:32]

    def hit(self, key: str, window: float) -> tuple[int, float]:
        name = self._name(key)
        pipe = self._redis.pipeline(transaction=True)
        pipe.set(name, 0, px=max(int(window * 1000), 1), nx=True)
        pipe.incr(name)
        pipe.pttl(name)
        try:
            _, count, ttl_ms = pipe.execute()
        except self._errors as err:
            raise _down() from err
        return int(count), max(int(ttl_ms), 0) / 1000

    def reset(self, key: str) -> None:
        try:
            self._redis.delete(self._name(key))
        except self._errors as err:
            raise _down() from err


def _down() -> Unavailable:
    # Refused rather than let through: a limit that silently stops holding is the flaw
    # rate limits exist to close (login guessing, request floods).
    return Unavailable("the shared rate-limit store (Redis, STEWARD_REDIS_URL) cannot be reached")


def counters_for(redis_url: str | None, namespace: str = "steward") -> CounterBackend:
    """Redis counters when a Redis URL is configured, else this process's memory.
    `namespace` (the installation's `jobs_name`) keeps installations sharing a Redis apart."""
    if redis_url:
        return RedisCounters(redis_url, prefix=f"{namespace}:rl:")
    return MemoryCounters()
