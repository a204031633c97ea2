"""Counting page views in memory and writing them as hourly totals in batches.

`Collector.offer` takes one raw event with the request headers it needs and, if it counts,
adds to in-memory totals; `flush` writes them with one upsert per key. The raw event, the
address and the browser string are used in memory for the duration of `offer` and then
dropped: none of them is written anywhere (Art. 5(1)(c), data minimisation).

Totals not yet flushed are lost if the process is killed (at most `flush_seconds` of views):
statistics, not records, so losing a few seconds is preferred to writing raw events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from steward.analytics import classify
from steward.analytics.aggregates import CountKey, add_counts, purge
from steward.analytics.events import parse
from steward.analytics.salt import BITS, DailySalt
from steward.policy.models import Analytics


@dataclass(frozen=True)
class Signals:
    """What a request says besides its body: the headers used, then forgotten."""

    ip: str
    user_agent: str
    accept_language: str = ""
    dnt: bool = False
    gpc: bool = False
    origin: str | None = None


class Collector:
    """In-memory totals for one process; thread-safe."""

    def __init__(self, config: Analytics, *, clock: Callable[[], datetime] | None = None,
                 bits: int = BITS, flush_every: int = 5000, flush_seconds: float = 2.0) -> None:
        self.config = config
        self.salt = DailySalt(clock, bits=bits)
        self._sites = {s.key: s for s in config.sites}
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._counts: dict[CountKey, list[int]] = {}
        self._pending = 0
        self._last_flush = time.monotonic()
        self._purged_day: object = None

    def offer(self, raw: bytes, signals: Signals) -> bool:
        """Count one event; False when it is not counted (malformed, bot, a DNT/GPC signal the
        policy honours, a replay). Raises UnknownSite for a site or host not declared."""
        view = parse(raw, self.config, origin=signals.origin, sites=self._sites)
        if view is None or classify.is_bot(signals.user_agent):
            return False
        if (signals.dnt and self.config.honour_dnt) or (signals.gpc and self.config.honour_gpc):
            return False
        now = self.salt.now()
        self.salt.rotate_if_needed(now)
        visitor = self.salt.visitor(view.site, signals.ip, signals.user_agent)
        if self.salt.events.add(self.salt.event(visitor, view.view_id)):
            return False  # this view was counted already today: a replay
        new = 0 if self.salt.visitors.add(visitor) else 1
        hour = now.replace(minute=0, second=0, microsecond=0)
        keys: list[tuple[str, str, int]] = [("total", "", new), ("page", view.path, 0),
                                            ("device", classify.device(signals.user_agent), 0)]
        if view.referrer:
            keys.append(("referrer", view.referrer, 0))
        region = classify.country(signals.accept_language)
        if region:
            keys.append(("country", region, 0))
        with self._lock:
            for dim, value, visitors in keys:
                c = self._counts.setdefault((view.site, hour, dim, value), [0, 0])
                c[0] += 1
                c[1] += visitors
            self._pending += 1
        return True

    def due(self) -> bool:
        """Whether enough has gathered, or enough time passed, for a flush."""
        return self._pending >= self.flush_every or (
            self._pending > 0 and time.monotonic() - self._last_flush >= self.flush_seconds)

    def flush(self, session: Session) -> int:
        """Write what has gathered (the caller commits); returns the rows touched. Old totals
        past the retention are deleted once a day on the way."""
        with self._lock:
            counts, self._counts = self._counts, {}
            self._pending = 0
            self._last_flush = time.monotonic()
        try:
            n = add_counts(session, counts)
        except Exception:
            with self._lock:  # not lost: merged back for the next flush
                for k, v in counts.items():
                    c = self._counts.setdefault(k, [0, 0])
                    c[0] += v[0]
                    c[1] += v[1]
                    self._pending += 1
            raise
        now = self.salt.now()
        if self._purged_day != now.date():
            purge(session, retention_months=self.config.retention_months, now=now)
            self._purged_day = now.date()
        return n
