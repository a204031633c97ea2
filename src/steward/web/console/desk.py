"""The officer's queue (GDPR Arts. 12-22): search, filters, days left, assignees, internal notes
and bulk actions (assign; extend with reasons where Art. 12(3) allows it). Viewers read;
officers act. Every form is CSRF-protected."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.auth.tables import User
from steward.errors import InvalidInput
from steward.i18n import gettext as _
from steward.requests import desk, queue, workflow
from steward.requests.tables import DsrRequest
from steward.store.db import transaction
from steward.store.sealing import Sealer
from steward.web.api.requests import actor
from steward.web.codes import words_of
from steward.web.deps import Officer, PolicyDep, SessionDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/requests", dependencies=[Depends(csrf_protect)])
FILTER_KEYS = ("q", "type", "state", "jurisdiction", "assignee", "due", "page")


def state_labels() -> dict[str, str]:
    """Each request state as officers read it, in the language in force (`steward.web.codes`)."""
    return words_of("request_state")


def type_labels() -> dict[str, str]:
    """Each request type (the right exercised) with its article (`steward.web.codes`)."""
    return words_of("request_type")


def staff(session: Session) -> dict[str, str]:
    """`user:<id>` -> e-mail of every console user (how actors and assignees read)."""
    return {f"user:{uid}": email for uid, email in session.execute(select(User.id, User.email))}


def assignable(session: Session) -> dict[str, str]:
    """Officers and admins who may be handed a request (enabled accounts only)."""
    rows = session.execute(
        select(User.id, User.email)
        .where(User.role.in_(("officer", "admin")), User.disabled.is_(False))
        .order_by(User.email)
    )
    return {f"user:{uid}": email for uid, email in rows}


@router.get("")
def queue_page(
    request: Request,
    user: Viewer,
    session: SessionDep,
    policy: PolicyDep,
    q: str = "",
    type: str = "",
    state: str = "",
    jurisdiction: str = "",
    assignee: str = "",
    due: str = "",
    page: int = 1,
    msg: str | None = None,
) -> Response:
    f = queue.Filters(
        q=q[:200], type=type, state=state, jurisdiction=jurisdiction, assignee=assignee, due=due
    )
    sealer = workflow.sealer_for(request.app.state.settings)
    error = None
    try:
        result = queue.search(session, policy, sealer, f, page=page)
    except InvalidInput as err:
        error = err.detail
        result = queue.search(session, policy, sealer, queue.Filters(), page=1)
    params = {k: v for k, v in vars(f).items() if v}
    return render(
        request,
        "console/requests/queue.html",
        {
            "result": result,
            "f": f,
            "error": error,
            "msg": msg,
            "types": [r.value for r in policy.rights.offered],
            "type_labels": type_labels(),
            "states": state_labels(),
            "jurisdictions": sorted(policy.authorities),
            "people": staff(session),
            "assignable": assignable(session),
            "officer": user.role in ("officer", "admin"),
            "query": urlencode(params),
        },
        status_code=422 if error else 200,
    )


def _ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise InvalidInput("ids: request numbers only", field="ids") from None


def _summary(outcomes: list[desk.Outcome]) -> str:
    done = sum(o.done for o in outcomes)
    parts = [_("%(n)s of %(total)s done") % {"n": done, "total": len(outcomes)}]
    parts += [f"#{o.request_id}: {o.reason}" for o in outcomes if not o.done]
    return "; ".join(parts)


@router.post("/bulk")
async def bulk(
    request: Request,
    user: Officer,
    action: Annotated[str, Form(max_length=20)],
    ids: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI reads the default
    assignee: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Assign, or extend (Art. 12(3)), every chosen request; each is its own transaction, so
    one refusal leaves the others done, and the page lists what was refused and why."""
    st = request.app.state
    # The queue's filters to return to, re-encoded from the known keys only.
    query = urlencode([(k, v) for k, v in parse_qsl(back) if k in FILTER_KEYS])
    try:
        chosen = _ids(ids)
        if action == "assign":
            who = assignee or None
            if who is not None:
                with transaction(st.sessionmaker) as s:
                    if who not in assignable(s):
                        raise InvalidInput(
                            "assignee: not an officer of this console", field="assignee"
                        )
            outcomes = await run_in_threadpool(
                desk.bulk_assign, st.sessionmaker, chosen, who, actor(user)
            )
        elif action == "extend":
            outcomes = await run_in_threadpool(
                desk.bulk_extend,
                st.sessionmaker,
                st.settings,
                st.policy,
                chosen,
                reason,
                actor(user),
            )
        else:
            raise InvalidInput("action: assign or extend", field="action")
        msg = _summary(outcomes)
    except InvalidInput as err:
        msg = err.detail
    sep = "&" if query else ""
    return RedirectResponse(
        f"/console/requests?{query}{sep}{urlencode({'msg': msg})}", status_code=303
    )


def _back(req_id: int, msg: str | None = None) -> Response:
    suffix = f"?{urlencode({'msg': msg})}" if msg else ""
    return RedirectResponse(f"/console/requests/{req_id}{suffix}", status_code=303)


@router.post("/{req_id}/assign")
async def assign(
    request: Request,
    user: Officer,
    req_id: int,
    assignee: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    st = request.app.state
    try:
        with transaction(st.sessionmaker) as s:
            if assignee and assignee not in assignable(s):
                raise InvalidInput("assignee: not an officer of this console", field="assignee")
            desk.assign(s, workflow.by_ref(s, str(req_id)), assignee or None, actor(user))
    except InvalidInput as err:
        return _back(req_id, err.detail)
    return _back(req_id)


@router.post("/{req_id}/notes")
async def add_note(
    request: Request,
    user: Officer,
    req_id: int,
    note: Annotated[str, Form(max_length=desk.MAX_NOTE)],
) -> Response:
    """An internal note for the team; never shown to the person."""
    st = request.app.state
    sealer = workflow.sealer_for(st.settings)
    try:
        with transaction(st.sessionmaker) as s:
            desk.add_note(s, sealer, workflow.by_ref(s, str(req_id)), note, actor(user))
    except InvalidInput as err:
        return _back(req_id, err.detail)
    return _back(req_id)


def panel(session: Session, sealer: Sealer, req: DsrRequest) -> dict[str, Any]:
    """What the request page shows of the team's side: assignee, who may be chosen, notes."""
    people = staff(session)
    who = desk.assignees(session, [req.id]).get(req.id)
    return {
        "assignee": who,
        "assignee_name": people.get(who, who) if who else None,
        "assignable": assignable(session),
        "notes": [
            {"author": people.get(n.author, n.author), "at": n.at, "text": n.text}
            for n in desk.notes(session, sealer, req)
        ],
    }
