"""One hash chain, shared by the audit log and the consent ledger.

The format: an event's hash is the hex SHA-256 of the previous event's hash and the event's
own fields as text, joined by the unit separator (U+001F):

    hash = sha256(prev_hash ␟ part_1 ␟ ... ␟ part_n)

Times are hashed as their UTC wall time at microsecond precision (`iso`), structured values
as canonical JSON (`canonical`). The audit log hashes seven parts (sequence number, time,
actor, action, subject reference, details); the consent ledger hashes one (the canonical
JSON of its event's fields). Rows stored before this module existed hash the same way.

`verify` walks any chain stored as rows with `seq`, `prev_hash` and `hash` columns in
sequence order, recomputes every link, and checks the head row (last `seq` and `hash`), so a
changed, removed or reordered row, or a removed tail, names the first broken event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

SEP = "\x1f"
GENESIS = "0" * 64


def iso(at: datetime) -> str:
    """A time as hashed: SQLite drops tzinfo on the way back, so hash the UTC wall time."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def link(prev_hash: str, *parts: str) -> str:
    """The hash of one event: its predecessor's hash and its own parts."""
    return hashlib.sha256(SEP.join((prev_hash, *parts)).encode()).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_broken: int | None = None
    event_id: str | None = None
    reason: str | None = None


def verify(session: Session, event: type[Any], head: type[Any], rehash: Callable[[str, Any], str],
           *, batch: int = 5000) -> Verdict:
    """Walk the chain of `event` rows in order and recompute every hash with
    `rehash(prev_hash, row)`; compare with the `head` row (id 1). Names the first broken
    event (its `event_id` too, when the rows carry one)."""
    prev, expected, checked, last = GENESIS, 1, 0, 0
    while True:
        rows = session.scalars(
            select(event).where(event.seq > last).order_by(event.seq).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected:
                return Verdict(False, checked, expected, None, f"event {expected} is missing")
            ident = getattr(ev, "event_id", None)
            if ev.prev_hash != prev:
                return Verdict(False, checked, ev.seq, ident, "previous-hash link does not match")
            if rehash(prev, ev) != ev.hash:
                return Verdict(False, checked, ev.seq, ident,
                               "event content does not match its hash")
            prev, expected, checked, last = ev.hash, ev.seq + 1, checked + 1, ev.seq
        session.expunge_all()
    top = session.get(head, 1)
    head_seq = top.seq if top is not None else 0
    if head_seq != checked:
        return Verdict(False, checked, checked + 1, None,
                       f"the head records {head_seq} events, found {checked}")
    if top is not None and top.hash != prev:
        return Verdict(False, checked, checked, None, "the head hash does not match the last event")
    return Verdict(True, checked)
