"""The audit event's stored form, computed here independently of `steward.audit.log`: the
canonical JSON of the details, the SHA-256 over the documented payload, the head row, and each
verdict's exact reason (an auditor re-checking the chain with their own tools relies on these)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.audit.tables import GENESIS, AuditEvent, AuditHead
from steward.store.db import transaction

AT = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _sha(*parts: str) -> str:
    # Fields joined by the ASCII unit separator, the time as UTC wall time to microseconds.
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def test_canonical_details_are_sorted_compact_utf8() -> None:
    assert audit.log.canonical({"b": 1, "a": "æø ✓", "c": [1, 2]}) == \
        '{"a":"æø ✓","b":1,"c":[1,2]}'
    assert audit.log.canonical({}) == "{}"
    assert audit.log.canonical({"when": AT}) == '{"when":"2026-03-01 12:30:15.123456+00:00"}'


def test_appended_events_carry_what_was_given_and_an_independent_hash(
    sm: sessionmaker[Session],
) -> None:
    with transaction(sm) as s:
        first = audit.append(s, actor="officer:7", action="dsr.verified", subject_ref="dsr:3",
                             details={"z": 1, "a": "x"}, at=AT)
        second = audit.append(s, actor="system", action="retention.swept", at=AT)
    h1 = _sha(GENESIS, "1", "2026-03-01T12:30:15.123456", "officer:7", "dsr.verified",
              "dsr:3", '{"a":"x","z":1}')
    h2 = _sha(h1, "2", "2026-03-01T12:30:15.123456", "system", "retention.swept", "", "{}")
    for returned, (seq, actor, action, ref, details, prev, digest) in zip(
        (first, second),
        [(1, "officer:7", "dsr.verified", "dsr:3", '{"a":"x","z":1}', GENESIS, h1),
         (2, "system", "retention.swept", None, "{}", h1, h2)], strict=True,
    ):
        with transaction(sm) as s:
            stored = s.get_one(AuditEvent, seq)
            for ev in (returned, stored):
                assert (ev.seq, ev.actor, ev.action, ev.subject_ref, ev.details, ev.prev_hash,
                        ev.hash) == (seq, actor, action, ref, details, prev, digest)
    with transaction(sm) as s:
        head = s.get_one(AuditHead, 1)
        assert (head.seq, head.hash) == (2, h2)
        v = audit.verify(s)
    assert (v.ok, v.checked, v.first_broken, v.reason) == (True, 2, None, None)


def test_each_break_has_its_exact_verdict(sm: sessionmaker[Session]) -> None:
    for i in range(4):
        with transaction(sm) as s:
            audit.append(s, actor="officer:1", action="dsr.noted", details={"i": i}, at=AT)

    def verdict() -> tuple[bool, int, int | None, str | None]:
        with transaction(sm) as s:
            v = audit.verify(s, batch=2)  # several batches: the walk continues across them
        return v.ok, v.checked, v.first_broken, v.reason

    assert verdict() == (True, 4, None, None)
    with transaction(sm) as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(prev_hash="0" * 64))
    assert verdict() == (False, 2, 3, "previous-hash link does not match")
    with transaction(sm) as s:
        good = s.scalars(select(AuditEvent.hash).where(AuditEvent.seq == 2)).one()
        s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(prev_hash=good,
                                                                       action="dsr.forged"))
    assert verdict() == (False, 2, 3, "event content does not match its hash")
    with transaction(sm) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= 3))
    assert verdict() == (False, 2, 3, "the head records 4 events, found 2")
    with transaction(sm) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 1))
    assert verdict() == (False, 0, 1, "event 1 is missing")
