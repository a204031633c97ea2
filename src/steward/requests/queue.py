"""The officer's queue: search and filters over requests, one page at a time.

Search finds a request by its number or public id, by the requester's name or e-mail, or by
any identity value given with it or discovered for it (matched by its keyed hash, never
decrypted). Filters: type, state, jurisdiction, assignee and due window. Days left count to
the date the answer is due in the request's jurisdiction (`deadlines.effective_due`: the
statutory date of Art. 12(3), extended or adjusted by a stop-the-clock rule). Every value
reaches the database as a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from steward.errors import InvalidInput
from steward.policy.identities import accepted_types
from steward.policy.models import Policy
from steward.requests import deadlines, desk
from steward.requests.identities import normalise_as
from steward.requests.states import OPEN
from steward.requests.tables import DsrAssignment, DsrIdentity, DsrPause, DsrRequest
from steward.store.sealing import Sealer

PER_PAGE = 50
DUE_WINDOWS = ("overdue", "week", "later")
UNASSIGNED = "none"


@dataclass(frozen=True)
class Filters:
    q: str = ""
    type: str = ""
    state: str = ""
    jurisdiction: str = ""
    assignee: str = ""  # "user:<id>", "none" (unassigned) or "" (anyone)
    due: str = ""  # "", "overdue", "week", "later", and the dashboard's "open", "soon"


@dataclass(frozen=True)
class Row:
    req: DsrRequest
    due: date
    days_left: int | None  # None once the request is closed
    assignee: str | None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int


def _identity_macs(policy: Policy, sealer: Sealer, q: str) -> list[str]:
    """The keyed hash of `q` read as each identity type the policy accepts (where it parses)."""
    macs = []
    for spec in accepted_types(policy).values():
        try:
            value = normalise_as(spec, q, policy.controller.address.country)
        except InvalidInput:
            continue
        macs.append(sealer.mac("identity", spec.key, value))
    return macs


def _statement(f: Filters, policy: Policy, sealer: Sealer, today: date) -> Select[DsrRequest]:
    q = select(DsrRequest)
    text = " ".join(f.q.split())
    if text:
        conditions = [
            func.lower(DsrRequest.name).contains(text.lower(), autoescape=True),
            func.lower(DsrRequest.email) == text.lower(),
            DsrRequest.public_id == text,
        ]
        if text.lstrip("#").isdigit():
            conditions.append(DsrRequest.id == int(text.lstrip("#")))
        macs = _identity_macs(policy, sealer, text)
        if macs:
            conditions.append(
                DsrRequest.id.in_(
                    select(DsrIdentity.request_id).where(DsrIdentity.value_mac.in_(macs))
                )
            )
        q = q.where(or_(*conditions))
    if f.type:
        q = q.where(DsrRequest.type == f.type)
    if f.state:
        q = q.where(DsrRequest.state == f.state)
    if f.jurisdiction:
        q = q.where(DsrRequest.jurisdiction == f.jurisdiction)
    if f.assignee == UNASSIGNED:
        q = q.where(~DsrRequest.id.in_(select(DsrAssignment.request_id)))
    elif f.assignee:
        q = q.where(
            DsrRequest.id.in_(
                select(DsrAssignment.request_id).where(DsrAssignment.assignee == f.assignee)
            )
        )
    week_end = today + timedelta(days=7)
    if f.due == "overdue":
        q = q.where(DsrRequest.state.in_(OPEN), DsrRequest.due_on < today)
    elif f.due in ("week", "soon"):
        q = q.where(
            DsrRequest.state.in_(OPEN), DsrRequest.due_on >= today, DsrRequest.due_on <= week_end
        )
    elif f.due == "later":
        q = q.where(DsrRequest.state.in_(OPEN), DsrRequest.due_on > week_end)
    elif f.due == "open":
        q = q.where(DsrRequest.state.in_(OPEN))
    elif f.due:
        raise InvalidInput("due: overdue, week or later", field="due")
    return q


def search(
    session: Session,
    policy: Policy,
    sealer: Sealer,
    f: Filters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: date | None = None,
) -> Page:
    """One page of the queue, soonest due first (closed requests after the open ones)."""
    fixed = today
    today = today or deadlines.today(policy)
    stmt = _statement(f, policy, sealer, today)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    closed_last = DsrRequest.state.in_(OPEN)
    rows = list(
        session.scalars(
            stmt.order_by(closed_last.desc(), DsrRequest.due_on, DsrRequest.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    who = desk.assignees(session, [r.id for r in rows])
    # Only a request that waited for the person can have a date other than the one stored
    # (`due_on`: Art. 12(3), extended when it was): read the clock for those alone, not one
    # query per row.
    waited = (
        set(
            session.scalars(
                select(DsrPause.request_id).where(DsrPause.request_id.in_([r.id for r in rows]))
            )
        )
        if rows
        else set()
    )
    out = []
    for r in rows:
        due = deadlines.effective_due(policy, r) if r.id in waited else r.due_on
        local_today = fixed or deadlines.local_day(policy, r.jurisdiction, datetime.now(UTC))
        left = (due - local_today).days if r.state in OPEN else None
        out.append(Row(r, due, left, who.get(r.id)))
    return Page(out, total, page, pages)
