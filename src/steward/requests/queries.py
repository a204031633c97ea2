"""Reading requests: the queue with filters, due-soon and overdue lists (`counts`, which the
console dashboard shows), the timeline,
and the lookups other capabilities use (`is_restricted`, `has_objection`)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from steward import audit
from steward.policy.models import Policy
from steward.requests import deadlines, suppression
from steward.requests.states import OPEN, State, ref
from steward.requests.tables import DsrEvent, DsrRequest
from steward.store.sealing import Sealer

DUE_SOON_DAYS = 7


def _query(
    type_: str | None, state: str | None, due: str | None, today: date, days: int = DUE_SOON_DAYS
) -> Select[DsrRequest]:
    q = select(DsrRequest)
    if type_:
        q = q.where(DsrRequest.type == type_)
    if state:
        q = q.where(DsrRequest.state == state)
    if due == "soon":
        q = q.where(
            DsrRequest.state.in_(OPEN),
            DsrRequest.due_on >= today,
            DsrRequest.due_on <= today + timedelta(days=days),
        )
    elif due == "overdue":
        q = q.where(DsrRequest.state.in_(OPEN), DsrRequest.due_on < today)
    elif due == "open":
        q = q.where(DsrRequest.state.in_(OPEN))
    return q


def list_requests(
    session: Session,
    *,
    type_: str | None = None,
    state: str | None = None,
    due: str | None = None,
    today: date | None = None,
    limit: int = 200,
    policy: Policy | None = None,
) -> list[DsrRequest]:
    """The queue, soonest due first. `due`: None | "open" | "soon" | "overdue"; today is
    `deadlines.today` (the policy's latest local day) unless given."""
    today = today or deadlines.today(policy)
    q = _query(type_, state, due, today).order_by(DsrRequest.due_on, DsrRequest.id).limit(limit)
    return list(session.scalars(q))


def due_soon(
    session: Session,
    today: date | None = None,
    days: int = DUE_SOON_DAYS,
    policy: Policy | None = None,
) -> list[DsrRequest]:
    """Open requests due within `days` (for reminders)."""
    today = today or deadlines.today(policy)
    return list(
        session.scalars(_query(None, None, "soon", today, days).order_by(DsrRequest.due_on))
    )


def overdue(
    session: Session, today: date | None = None, policy: Policy | None = None
) -> list[DsrRequest]:
    today = today or deadlines.today(policy)
    return list(session.scalars(_query(None, None, "overdue", today).order_by(DsrRequest.due_on)))


def retry_due(session: Session, now: datetime | None = None) -> list[int]:
    """Requests waiting on a system whose retry time has come, and in-progress requests (for
    the job runner: `execute_request` for each)."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(DsrRequest.id, DsrRequest.state, DsrRequest.next_retry_at).where(
            DsrRequest.state.in_([State.waiting_on_system.value, State.in_progress.value])
        )
    )
    out = []
    for rid, state, at in rows:
        if state == State.in_progress.value:
            out.append(rid)
        elif at is None or (at if at.tzinfo else at.replace(tzinfo=UTC)) <= now:
            out.append(rid)
    return out


def counts(
    session: Session, today: date | None = None, policy: Policy | None = None
) -> dict[str, int]:
    today = today or deadlines.today(policy)

    def n(due: str) -> int:
        sub = _query(None, None, due, today).subquery()
        return session.scalar(select(func.count()).select_from(sub)) or 0

    return {"open": n("open"), "due_soon": n("soon"), "overdue": n("overdue")}


def timeline(session: Session, req: DsrRequest) -> list[dict[str, Any]]:
    """Request events and audit events, oldest first."""
    items: list[dict[str, Any]] = []
    for e in session.scalars(
        select(DsrEvent).where(DsrEvent.request_id == req.id).order_by(DsrEvent.id)
    ):
        items.append(
            {"at": e.at, "actor": e.actor, "kind": e.kind, "note": e.note, "source": "request"}
        )
    seen = {(i["kind"]) for i in items}
    for ev in audit.events_for(session, ref(req)):
        kind = ev.action.removeprefix("dsr.")
        if kind in seen:
            continue  # already shown from the request's own events
        items.append(
            {
                "at": ev.at,
                "actor": ev.actor,
                "kind": kind,
                "note": ev.details,
                "source": f"audit #{ev.seq}",
            }
        )
    items.sort(key=lambda i: i["at"].replace(tzinfo=None) if i["at"].tzinfo else i["at"])
    return items


def blocks_marketing(session: Session, subject_ref: str) -> str | None:
    """A reason to deny marketing to this subject (a consent-ledger reference), or None."""
    if suppression.has_objection(session, subject_ref):
        return "objection to direct marketing (GDPR Art. 21(3))"
    if suppression.is_restricted(session, subject_ref):
        return "processing restricted (GDPR Art. 18)"
    return None


def _waits(req: DsrRequest) -> list[dict[str, str | None]]:
    from sqlalchemy.orm import object_session

    from steward.requests.pauses import history

    session = object_session(req)
    return history(session, req) if session is not None else []


def as_dict(
    req: DsrRequest, policy: Policy, *, private: bool = False, sealer: Sealer | None = None
) -> dict[str, Any]:
    """JSON view. `private` adds what only a verified subject or an officer may see; with a
    `sealer` that includes the officer's evidence text, decrypted (else how it was verified)."""
    from steward.requests.deadlines import assisting, clock_for

    clock = clock_for(policy, req)
    out: dict[str, Any] = {
        "id": req.id,
        "public_id": req.public_id,
        "type": req.type,
        "state": req.state,
        "channel": req.channel,
        "received_via": req.received_via,
        "received_at": req.received_at.isoformat(),
        "jurisdiction": req.jurisdiction,
        "received_on": req.received_on.isoformat(),
        "due_on": req.due_on.isoformat(),
        "statutory_due": (clock.extended_due if clock.extended else clock.due).isoformat(),
        "adjusted_due": clock.effective_due.isoformat()
        if clock.stop_the_clock and clock.effective_due
        else None,
        "stop_the_clock": clock.stop_the_clock,
        "clock_status": clock.status,
        "paused_days": clock.paused_days,
        "extended": req.extended,
        "extension_reason": req.extension_reason,
        "refusal_kind": req.refusal_kind,
        "fee_amount": req.fee_amount,
        "fee_paid_at": req.fee_paid_at.isoformat() if req.fee_paid_at else None,
        "retries": req.retries,
        "last_error": req.last_error,
        "notice_pending": req.notice_pending,
        "notice_attempts": req.notice_attempts or 0,
        "notice_error": req.notice_error,
        # Art. 28(3)(e): an assisted request's controller and its own deadline to its subject.
        "controller": req.controller,
        "controller_due_on": req.controller_due_on.isoformat() if req.controller_due_on else None,
        "assistance_due_on": None,
    }
    if assisting(req):
        # Art. 28(3)(e): the company's date is the deadline to assist (`due_on`). The month of
        # Art. 12(3), and any stop of its clock, are the controller's own (`controller_due_on`):
        # none is counted here as if the company answered the data subject itself.
        out.update(
            assistance_due_on=req.due_on.isoformat(),
            statutory_due=None,
            adjusted_due=None,
            stop_the_clock=False,
            clock_status="assisting",
            paused_days=0,
        )
    if private:
        out.update(
            name=req.name,
            email=req.email,
            country=req.country,
            language=req.language,
            refusal_reason=req.refusal_reason,
            verification_evidence=sealer.open_text(req.evidence_enc)
            if sealer is not None and req.evidence_enc
            else req.verification_evidence,
            plan=json.loads(req.plan_json) if req.plan_json else None,
            waits=_waits(req),
            result=json.loads(req.result_json) if req.result_json else None,
        )
    return out
