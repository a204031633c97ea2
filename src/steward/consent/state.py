"""Reading the current-state projection and the history; expiring old consents.

A `given` state whose `valid_until` has passed counts as `expired` at once, before the
expiry sweep (`expire_all_due`, in batches of `expire_due`) has written its `expired` event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.consent import ledger
from steward.consent.purposes import all_purposes, now
from steward.consent.tables import ConsentEvent, ConsentState
from steward.policy.models import Policy
from steward.store.db import as_utc, transaction


def get(session: Session, subject_ref: str, purpose: str) -> ConsentState | None:
    return session.get(ConsentState, (subject_ref, purpose))


def effective(state: Any, at: datetime | None = None) -> str | None:
    """The state as it stands at `at`: `given` past its validity reads as `expired`."""
    if state is None:
        return None
    until = as_utc(state.valid_until)
    if state.state == "given" and until is not None and until <= (at or now()):
        return "expired"
    return str(state.state)


def for_subject(session: Session, subject_ref: str) -> dict[str, ConsentState]:
    rows = session.scalars(select(ConsentState).where(ConsentState.subject_ref == subject_ref))
    return {r.purpose: r for r in rows}


def for_subjects(session: Session, refs: list[str], purpose: str) -> dict[str, ConsentState]:
    """States of many subjects for one purpose, in chunks (bounded parameter lists)."""
    out: dict[str, ConsentState] = {}
    for i in range(0, len(refs), 500):
        chunk = refs[i:i + 500]
        rows = session.scalars(select(ConsentState).where(
            ConsentState.purpose == purpose, ConsentState.subject_ref.in_(chunk)))
        out.update({r.subject_ref: r for r in rows})
    return out


def history(session: Session, subject_ref: str, purpose: str | None = None) -> list[ConsentEvent]:
    q = select(ConsentEvent).where(ConsentEvent.subject_ref == subject_ref)
    if purpose:
        q = q.where(ConsentEvent.purpose == purpose)
    return list(session.scalars(q.order_by(ConsentEvent.seq)))


def expire_due(session: Session, policy: Policy, *, at: datetime | None = None,
               limit: int = 1000) -> int:
    """Write an `expired` event for up to `limit` consents whose validity ran out
    (`expire_all_due` calls this until it returns less than `limit`); returns how many.
    Idempotent: an expired state is no longer `given`. Purposes removed from the policy keep
    their history untouched (and are not selected, so a batch never fills up with them)."""
    at = at or now()
    infos = {p.key: p for p in all_purposes(policy)}
    due = session.execute(
        select(ConsentState.subject_ref, ConsentState.purpose)
        .where(ConsentState.state == "given", ConsentState.valid_until.is_not(None),
               ConsentState.valid_until <= at, ConsentState.purpose.in_(list(infos)))
        .order_by(ConsentState.valid_until).limit(limit)
    ).all()
    for subject, purpose in due:
        ledger.record(session, policy, subject_ref=subject, purpose=infos[purpose],
                      action="expired", method="system", recorded_by="steward:expiry", at=at)
    return len(due)


def expire_all_due(sm: sessionmaker[Session], policy: Policy, *, at: datetime | None = None,
                   batch: int = 1000) -> int:
    """Every consent whose validity ran out by `at` (default: now) gets its `expired` event,
    one committed transaction per batch of `batch`, so a large backlog never holds the store's
    write lock for long and a stop after any batch keeps what was written; returns how many.
    Run again, it finds what is left (idempotent)."""
    at = at or now()
    total = 0
    while True:
        with transaction(sm) as s:
            n = expire_due(s, policy, at=at, limit=batch)
        total += n
        if n < batch:
            return total


# The state table checked against the event log (part of `ledger.verify`).
mismatches = ledger.mismatches
