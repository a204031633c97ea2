"""A request's timeline as sentences: each audit event of the request (`audit.events_for`)
with the note of the matching request event (same kind, same moment), read by
`steward.audit.sentences`; the raw event stays available for the officer's toggle."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.audit.sentences import actor_name, sentence
from steward.policy.models import Policy
from steward.requests.recipients import name_in_words
from steward.requests.states import ref
from steward.requests.tables import DsrEvent, DsrRequest


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str  # as read ("anna@example.com", "Steward", "The person")
    sentence: str
    raw: str  # the stored event: action, note and details as JSON
    source: str  # "audit #<seq>" or "request"


def _key(at: datetime) -> str:
    return at.replace(tzinfo=None).isoformat(timespec="seconds")


def entries(
    session: Session,
    req: DsrRequest,
    names: Mapping[str, str] | None = None,
    policy: Policy | None = None,
) -> list[Entry]:
    """Oldest first. Several events of one kind in one second (one Art. 19 event per
    recipient) are paired with their request events in the order both were written. With the
    policy, an Art. 19 recipient's name in a note is in the language in force."""
    pending: dict[tuple[str, str], list[DsrEvent]] = {}
    events = list(
        session.scalars(select(DsrEvent).where(DsrEvent.request_id == req.id).order_by(DsrEvent.id))
    )
    for e in events:
        pending.setdefault((e.kind, _key(e.at)), []).append(e)
    out = []
    for ev in audit.events_for(session, ref(req)):
        kind = ev.action.removeprefix("dsr.")
        twins = pending.get((kind, _key(ev.at)))
        note = twins.pop(0).note if twins else None
        details = json.loads(ev.details) if ev.details else {}
        raw = {"action": ev.action, "actor": ev.actor, "details": details}
        if note:
            raw["note"] = note
        shown = note
        if note and policy is not None and isinstance(details.get("recipient"), str):
            shown = name_in_words(policy, details["recipient"], note)
        out.append(
            Entry(
                ev.at,
                actor_name(ev.actor, names),
                sentence(ev.action, ev.actor, details, note=shown, names=names),
                f"{ev.action}: {note}\n" * bool(note)
                + json.dumps(raw, ensure_ascii=False, indent=1),
                f"audit #{ev.seq}",
            )
        )
    for e in events:  # request events without an audit twin (none expected)
        if e in pending.get((e.kind, _key(e.at)), []):
            out.append(
                Entry(
                    e.at,
                    actor_name(e.actor, names),
                    sentence(f"dsr.{e.kind}", e.actor, None, note=e.note, names=names),
                    f"dsr.{e.kind}: {e.note or ''}",
                    "request",
                )
            )
    out.sort(key=lambda i: i.at.replace(tzinfo=None))
    return out
