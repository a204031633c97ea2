"""The daily salt and what is remembered within one day, in memory only.

A visitor is recognised within one UTC day by `keyed_hash(salt, site, ip, user agent)`. The
salt is 32 random bytes made when the day starts and dropped when it ends; it is never written
anywhere, so after midnight no one (not even the operator) can recompute yesterday's codes, and
the same person gets an unrelated code each day (no following across days, Recital 26: not
reasonably likely to identify). The codes themselves are not kept either: only a fixed-size
Bloom filter of bits derived from them, which answers "seen today?" and cannot be reversed.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

# 2**27 bits = 16 MiB per filter, 4 probes: below one false "seen" in a million at one million
# distinct entries a day. The size is fixed, so memory stays flat however many events arrive.
BITS = 2**27
PROBES = 4


class Seen:
    """A Bloom filter: `add` answers whether the item was (probably) already there."""

    def __init__(self, bits: int = BITS) -> None:
        self.bits = bits
        self._mask = bits - 1
        self._array = bytearray(bits // 8)

    def add(self, digest: bytes) -> bool:
        """Record a 16-byte (or longer) digest; True when every probe bit was already set."""
        present = True
        arr, mask = self._array, self._mask
        n = int.from_bytes(digest[:16], "little")
        for _ in range(PROBES):
            i = n & mask
            n >>= 32
            byte, bit = i >> 3, 1 << (i & 7)
            if not arr[byte] & bit:
                present = False
                arr[byte] |= bit
        return present


class DailySalt:
    """The current day's salt and filters; everything is replaced when the UTC day changes.

    `clock` returns the current UTC time (tests move it across midnight)."""

    def __init__(self, clock: Callable[[], datetime] | None = None, *, bits: int = BITS) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._bits = bits
        self._lock = threading.Lock()
        self._day: date | None = None
        self._salt = b""
        self.visitors = Seen(bits)
        self.events = Seen(bits)

    def now(self) -> datetime:
        return self._clock()

    def rotate_if_needed(self, now: datetime) -> None:
        day = now.astimezone(UTC).date()
        if day == self._day:
            return
        with self._lock:
            if day != self._day:
                # The old salt is dropped here: from now on yesterday's codes cannot be made.
                self._salt = secrets.token_bytes(32)
                self.visitors = Seen(self._bits)
                self.events = Seen(self._bits)
                self._day = day

    @property
    def day(self) -> date | None:
        return self._day

    def visitor(self, site: str, ip: str, user_agent: str) -> bytes:
        """Today's code for this visitor of `site` (keyed BLAKE2b; never stored)."""
        h = hashlib.blake2b(key=self._salt, digest_size=16)
        for part in (site, ip, user_agent):
            h.update(part.encode("utf-8", "replace"))
            h.update(b"\x00")
        return h.digest()

    def event(self, visitor: bytes, event_id: str) -> bytes:
        """Today's code for one page view (the script's random id, per visitor)."""
        h = hashlib.blake2b(visitor, key=self._salt, digest_size=16)
        h.update(event_id.encode("ascii", "replace"))
        return h.digest()
