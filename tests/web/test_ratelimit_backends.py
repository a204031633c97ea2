"""Rate-limit counters in Redis (shared by every server process): counting, reset, expiry with
the window, no address readable in the keys, and a refusal (503) when Redis is down."""

from __future__ import annotations

import os
import uuid

import pytest

from steward.errors import TooManyRequests, Unavailable
from steward.web.ratelimit_backends import MemoryCounters, RedisCounters
from steward.web.security import RateLimiter

REDIS_URL = os.environ.get("STEWARD_TEST_REDIS", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_counters() -> RedisCounters:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as err:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {err}")
    return RedisCounters(REDIS_URL, prefix=f"t{uuid.uuid4().hex[:8]}:rl:")


@pytest.mark.redis
def test_redis_counts_resets_and_hides_the_client(redis_counters: RedisCounters) -> None:
    import redis

    key = "login\x1f192.0.2.7"
    assert [redis_counters.hit(key, 60)[0] for _ in range(3)] == [1, 2, 3]
    count, left = redis_counters.hit(key, 60)
    assert count == 4 and 0 < left <= 60
    client = redis.Redis.from_url(REDIS_URL)
    keys = client.keys(redis_counters._prefix + "*")
    assert len(keys) == 1 and b"192.0.2.7" not in keys[0]
    assert 0 < client.pttl(keys[0]) <= 60_000  # the counter expires with its window
    redis_counters.reset(key)
    assert redis_counters.hit(key, 60)[0] == 1
    client.delete(*client.keys(redis_counters._prefix + "*"))


@pytest.mark.redis
def test_two_limiters_on_one_redis_keep_one_limit(redis_counters: RedisCounters) -> None:
    a, b = RateLimiter(redis_counters), RateLimiter(redis_counters)
    for limiter in (a, b, a):
        limiter.hit("requests", "198.51.100.4", limit=3)
    with pytest.raises(TooManyRequests) as err:
        b.hit("requests", "198.51.100.4", limit=3)
    assert err.value.status == 429


def test_memory_counters_are_per_process() -> None:
    a, b = RateLimiter(MemoryCounters()), RateLimiter(MemoryCounters())
    for _ in range(3):
        a.hit("requests", "198.51.100.4", limit=3)
    b.hit("requests", "198.51.100.4", limit=3)  # another process knows nothing of a's hits


def test_redis_down_refuses_rather_than_lets_through() -> None:
    down = RedisCounters("redis://127.0.0.1:1/0")
    with pytest.raises(Unavailable) as err:
        down.hit("login\x1f192.0.2.7", 60)
    assert "192.0.2.7" not in err.value.detail and err.value.status == 503
