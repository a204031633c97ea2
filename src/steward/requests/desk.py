"""The team's side of a request: who handles it and the internal notes on it.

Both are audited (`dsr.assigned`, `dsr.note_added`) and appear on the request's timeline; a
note's text is sealed with the app key and never enters the audit log (it may name the person),
only its length does. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.errors import Conflict, InvalidInput, NotFound, Unavailable
from steward.policy.models import Policy
from steward.requests.states import record
from steward.requests.tables import DsrAssignment, DsrNote, DsrRequest
from steward.store.db import transaction
from steward.store.sealing import Sealer

MAX_NOTE = 4000


@dataclass(frozen=True)
class Note:
    author: str
    at: datetime
    text: str


def assign(session: Session, req: DsrRequest, assignee: str | None, actor: str) -> bool:
    """Hand `req` to `assignee` (`user:<id>`), or to no one with None. Returns False when
    nothing changed (no event is recorded then)."""
    row = session.get(DsrAssignment, req.id)
    current = row.assignee if row is not None else None
    if current == assignee:
        return False
    now = datetime.now(UTC)
    if assignee is None:
        if row is not None:
            session.delete(row)
        record(session, req, "unassigned", actor, details={"previous": current}, at=now)
        return True
    if row is None:
        session.add(
            DsrAssignment(request_id=req.id, assignee=assignee, assigned_by=actor, assigned_at=now)
        )
    else:
        row.assignee, row.assigned_by, row.assigned_at = assignee, actor, now
    record(
        session, req, "assigned", actor, details={"assignee": assignee, "previous": current}, at=now
    )
    return True


def assignees(session: Session, request_ids: list[int]) -> dict[int, str]:
    """The assignee of each request that has one."""
    if not request_ids:
        return {}
    rows = session.execute(
        select(DsrAssignment.request_id, DsrAssignment.assignee).where(
            DsrAssignment.request_id.in_(request_ids)
        )
    )
    return {rid: who for rid, who in rows}


def add_note(session: Session, sealer: Sealer, req: DsrRequest, text: str, actor: str) -> None:
    """An internal note; the audit event records its length, never its text."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("note: write the note first", field="note")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"note: at most {MAX_NOTE} characters", field="note")
    now = datetime.now(UTC)
    session.add(
        DsrNote(request_id=req.id, author=actor, at=now, text_enc=sealer.seal_text(text) or "")
    )
    record(session, req, "note_added", actor, details={"length": len(text)}, at=now)


def notes(session: Session, sealer: Sealer, req: DsrRequest) -> list[Note]:
    """The request's notes, oldest first, opened."""
    rows = session.scalars(select(DsrNote).where(DsrNote.request_id == req.id).order_by(DsrNote.id))
    return [Note(r.author, r.at, sealer.open_text(r.text_enc) or "") for r in rows]


@dataclass(frozen=True)
class Outcome:
    """One request of a bulk action: done, or why not (the request is left as it was)."""

    request_id: int
    done: bool
    reason: str | None = None


MAX_BULK = 200


def _each(
    sm: sessionmaker[Session], ids: list[int], act: Callable[[Session, DsrRequest], object]
) -> list[Outcome]:
    if not ids:
        raise InvalidInput("ids: choose at least one request", field="ids")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"ids: at most {MAX_BULK} requests at once", field="ids")
    out = []
    for rid in dict.fromkeys(ids):
        try:
            # One transaction per request: one refusal leaves the others done.
            with transaction(sm) as s:
                req = s.get(DsrRequest, rid)
                if req is None:
                    raise NotFound("no such request")
                act(s, req)
        except (Conflict, InvalidInput, NotFound, Unavailable) as err:
            out.append(Outcome(rid, False, err.detail))
        else:
            out.append(Outcome(rid, True))
    return out


def bulk_assign(
    sm: sessionmaker[Session], ids: list[int], assignee: str | None, actor: str
) -> list[Outcome]:
    """Assign each request to `assignee` (None: to no one)."""
    return _each(sm, ids, lambda s, r: assign(s, r, assignee, actor))


def bulk_extend(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    ids: list[int],
    reason: str,
    actor: str,
) -> list[Outcome]:
    """GDPR Art. 12(3): extend each request by two further months with the same reasons,
    through `workflow.extend` (which refuses where the law does not allow it: a closed or
    already extended request, or after the first month; the extension notice is sent to each
    person)."""
    from steward.requests import workflow

    if not (reason or "").strip():
        raise InvalidInput(
            "reason: an extension needs its reasons (GDPR Art. 12(3))", field="reason"
        )
    return _each(sm, ids, lambda s, r: workflow.extend(s, settings, policy, r, reason, actor))
