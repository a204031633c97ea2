"""Waiting for the subject: identification (Art. 12(6)), clarification, a fee (Art. 12(5)(a)).

Each wait is a `DsrPause` with the day it was asked for and the day the answer arrived, so
the console shows when the clock stopped and started again. Whether a wait moves the deadline
is the jurisdiction's rule, applied in `steward.requests.deadlines.clock_for`: under UK GDPR
Art. 12A (Data (Use and Access) Act 2025) the clock starts when requested identification
arrives and stops while asked-for clarification is awaited; in the EU the statutory date stands
unless the authority setting (`stop_the_clock`) says otherwise. Both dates are shown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.errors import Conflict, InvalidInput
from steward.policy.models import Policy
from steward.requests import deadlines
from steward.requests.states import OPEN, record
from steward.requests.tables import DsrPause, DsrRequest

KINDS = ("identification", "clarification", "fee")


def open_pause(session: Session, req: DsrRequest) -> DsrPause | None:
    return session.scalars(
        select(DsrPause)
        .where(DsrPause.request_id == req.id, DsrPause.answered_at.is_(None))
        .order_by(DsrPause.id.desc())
        .limit(1)
    ).first()


def _refresh_due(policy: Policy, req: DsrRequest) -> None:
    # The queue sorts by `due_on`: keep it the date that applies now (the statutory one while
    # the clock is stopped: the stricter reading).
    req.due_on = deadlines.effective_due(policy, req)


def _day(policy: Policy, req: DsrRequest, at: datetime, on: date | None) -> date:
    day = on or deadlines.local_day(policy, req.jurisdiction, at)
    if day < req.received_on:
        raise InvalidInput("the date is before the request was received", field="on")
    if day > deadlines.local_day(policy, req.jurisdiction, at):
        raise InvalidInput("the date is in the future", field="on")
    return day


def ask(
    session: Session,
    policy: Policy,
    req: DsrRequest,
    kind: str,
    actor: str,
    *,
    note: str | None = None,
    on: date | None = None,
    now: datetime | None = None,
) -> DsrPause:
    """Record that the controller asked the subject for identification or clarification
    (Art. 12(6)) on `on` (default today); one wait at a time."""
    now = now or datetime.now(UTC)
    if kind not in KINDS:
        raise InvalidInput(f"kind: one of {', '.join(KINDS)}", field="kind")
    if req.state not in OPEN:
        raise Conflict(f"the request is {req.state}: nothing more can be asked")
    if open_pause(session, req) is not None:
        raise Conflict("an answer from the person is already awaited: record it first")
    day = _day(policy, req, now, on)
    last = session.scalars(
        select(DsrPause.answered_on).where(DsrPause.request_id == req.id)
        .order_by(DsrPause.id.desc()).limit(1)
    ).first()
    if last is not None and day < last:
        raise InvalidInput("a new wait cannot start before the last answer arrived", field="on")
    pause = DsrPause(request_id=req.id, kind=kind, asked_at=now, asked_on=day)
    session.add(pause)
    session.flush()
    _refresh_due(policy, req)
    record(
        session, req, "information_requested", actor, note,
        details={"kind": kind, "asked_on": day.isoformat(), "article": "GDPR Art. 12(6)"},
        at=now,
    )
    return pause


def answered(
    session: Session,
    policy: Policy,
    req: DsrRequest,
    actor: str,
    *,
    on: date | None = None,
    now: datetime | None = None,
) -> DsrPause:
    """Record that what was asked for arrived on `on` (default today); the clock runs again."""
    now = now or datetime.now(UTC)
    pause = open_pause(session, req)
    if pause is None:
        raise Conflict("nothing is awaited from the person")
    day = _day(policy, req, now, on)
    if day < pause.asked_on:
        raise InvalidInput("the answer cannot arrive before it was asked for", field="on")
    pause.answered_at = now
    pause.answered_on = day
    session.flush()
    _refresh_due(policy, req)
    record(
        session, req, "information_received", actor, None,
        details={"kind": pause.kind, "answered_on": day.isoformat(),
                 "due_on": req.due_on.isoformat()},
        at=now,
    )
    return pause


def history(session: Session, req: DsrRequest) -> list[dict[str, str | None]]:
    """The waits of a request, oldest first, for the console and the API."""
    rows = session.scalars(
        select(DsrPause).where(DsrPause.request_id == req.id).order_by(DsrPause.id)
    )
    return [
        {
            "kind": p.kind,
            "asked_on": p.asked_on.isoformat(),
            "answered_on": p.answered_on.isoformat() if p.answered_on else None,
        }
        for p in rows
    ]
