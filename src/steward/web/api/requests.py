"""JSON API for data-subject requests: public intake and verification (rate-limited), the
officer's read access, and the officer's actions (enter a request with evidence, verify with
evidence, dry run, approve, run, extend, refuse, complete, lift a restriction, confirm or
waive a recipient's Art. 19 notification).

Officer actions need the officer role and, as the console session cookie authenticates them,
the session's CSRF token in the `X-CSRF-Token` header. Errors are RFC 9457 problem documents
(422 bad input, 409 not allowed in the request's state, 404 unknown request, 503 a system or
the mail server is down)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from steward.auth.tables import User
from steward.errors import InvalidInput
from steward.requests import (
    drafts,
    execute,
    fees,
    lifting,
    notices,
    notifications,
    pauses,
    queries,
    workflow,
)
from steward.requests.states import State
from steward.requests.tables import DsrRequest
from steward.requests.verification import Check, explain
from steward.store.db import transaction
from steward.web.deps import PUBLIC, Officer, PolicyDep, SessionDep, Viewer
from steward.web.security import check_csrf, client_id

router = APIRouter(prefix="/api/requests", tags=["requests"])

ACCEPTED = (
    "If the address is right, we have e-mailed a code to it. Enter it to confirm the "
    "request; nothing happens before that."
)


class RequestIn(BaseModel):
    type: str = Field(max_length=40)
    name: str = Field(max_length=400)
    email: str = Field(max_length=400)
    country: str | None = Field(default=None, max_length=10)
    language: str | None = Field(default=None, max_length=10)
    details: str | None = Field(default=None, max_length=10000)
    changes: dict[str, str | None] | None = None
    objection_scope: str | None = Field(default=None, max_length=40)
    # Further identities of the types the policy declares (Art. 12(6)), e.g.
    # {"phone": ["+45 20 12 34 56"]}; normalised, and searched only once verified.
    identities: dict[str, list[str]] | None = Field(default=None, max_length=10)


class CodeIn(BaseModel):
    code: str = Field(max_length=40)


class OfficerRequestIn(RequestIn):
    evidence: str = Field(max_length=500)
    # Optional when an identity the policy lets start a request alone is given.
    email: str = Field(default="", max_length=400)
    # Art. 12(3): when and how the request reached the controller (default: now, web).
    received: str | None = Field(default=None, max_length=40)
    received_via: Literal["web", "email", "post", "phone", "in_person"] | None = None


class WaitIn(BaseModel):
    kind: Literal["identification", "clarification"]
    note: str | None = Field(default=None, max_length=2000)
    on: date | None = None


class AnsweredIn(BaseModel):
    on: date | None = None


class EvidenceIn(BaseModel):
    evidence: str = Field(max_length=500)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=2000)


class SendIn(BaseModel):
    """The free fields of the answer letter (`steward.requests.drafts`); empty: the default
    greeting, no additional paragraph."""

    greeting: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class RefuseIn(BaseModel):
    reason: str = Field(max_length=4000)
    kind: Literal["refused", "fee"] = "refused"
    # Art. 12(5)(a): the fee asked for (kind "fee"); the request then awaits payment.
    fee: str | None = Field(default=None, max_length=40)


class ConfirmIn(BaseModel):
    told_on: date


class CompleteIn(BaseModel):
    compelling_grounds: str | None = Field(default=None, max_length=4000)


async def _officer_with_csrf(request: Request, user: Officer) -> User:
    """The officer role first (401 anonymous, 403 lower roles), then the CSRF header: the
    console session cookie authenticates these calls, so a forged cross-site call must fail."""
    await check_csrf(request)
    return user


OfficerAction = Annotated[User, Depends(_officer_with_csrf)]


def actor(user: User) -> str:
    """Staff act in the audit log as `user:<id>`, as elsewhere: never by e-mail address."""
    return f"user:{user.id}"


def _limit(request: Request, bucket: str) -> None:
    s = request.app.state.settings
    request.app.state.limiter.hit(bucket, client_id(request), limit=s.rate_limit_per_minute)


def run_if_ready(app: Any, out: workflow.Outcome) -> str:
    """Execute a request that verification made ready (inline; the job runner retries)."""
    if not out.run:
        return out.state
    st = app.state
    return execute.execute_request(st.sessionmaker, st.settings, st.policy, out.id)


@router.post("", status_code=202, dependencies=[PUBLIC])
async def create(request: Request, body: RequestIn) -> dict[str, Any]:
    """Submit a request. The answer is the same whether or not we hold data about the person,
    and for a repeated submission (GDPR Art. 12(6): nothing before verification)."""
    _limit(request, "dsr-submit")
    st = request.app.state
    out = await run_in_threadpool(
        workflow.submit_request,
        st.sessionmaker,
        st.settings,
        st.policy,
        channel="api",
        actor="api",
        **body.model_dump(),
    )
    return {"public_id": out.public_id, "state": "awaiting_verification", "detail": ACCEPTED}


@router.post("/{public_id}/verify", dependencies=[PUBLIC])
async def verify(request: Request, public_id: str, body: CodeIn) -> dict[str, Any]:
    _limit(request, "dsr-verify")
    st = request.app.state
    result, out = await run_in_threadpool(
        workflow.verify_code, st.sessionmaker, st.settings, st.policy, public_id, body.code
    )
    if result is not Check.ok:
        raise InvalidInput(f"code: {explain(result)}", field="code", reason=result.value)
    state = await run_in_threadpool(run_if_ready, request.app, out)
    return {"public_id": public_id, "state": state}


@router.post("/{public_id}/code", status_code=202, dependencies=[PUBLIC])
async def new_code(request: Request, public_id: str) -> dict[str, str]:
    _limit(request, "dsr-submit")
    st = request.app.state
    await run_in_threadpool(
        workflow.resend_code, st.sessionmaker, st.settings, st.policy, public_id
    )
    return {"detail": ACCEPTED}


@router.get("")
def list_(
    user: Viewer,
    session: SessionDep,
    policy: PolicyDep,
    type: str | None = None,
    state: str | None = None,
    due: str | None = None,
) -> list[dict[str, Any]]:
    return [
        queries.as_dict(r, policy)
        for r in queries.list_requests(session, type_=type, state=state, due=due, policy=policy)
    ]


@router.get("/{ident}")
def show(
    request: Request, user: Viewer, session: SessionDep, policy: PolicyDep, ident: str
) -> dict[str, Any]:
    sealer = workflow.sealer_for(request.app.state.settings)
    return queries.as_dict(workflow.by_ref(session, ident), policy, private=True, sealer=sealer)


# --- officer actions ---------------------------------------------------------------------------


def _view(app: Any, request_id: int) -> dict[str, Any]:
    with transaction(app.state.sessionmaker) as s:
        req = s.get_one(DsrRequest, request_id)
        out = queries.as_dict(
            req, app.state.policy, private=True, sealer=workflow.sealer_for(app.state.settings)
        )
        out["restriction"] = lifting.status(s, req)
        out["notifications"] = notifications.outcomes(s, req.id)
    return out


def _act(app: Any, ident: str, fn: Callable[[Session, DsrRequest], object]) -> dict[str, Any]:
    """One action in one transaction; then run the request if it became ready, and send a
    queued answer mail (a mail outage keeps it pending, shown in `notice_pending`)."""
    st = app.state
    with transaction(st.sessionmaker) as s:
        req = workflow.by_ref(s, ident)
        fn(s, req)
        rid, run = req.id, req.state == State.in_progress.value
    if run:
        execute.execute_request(st.sessionmaker, st.settings, st.policy, rid)
    notices.announce(st.sessionmaker, st.settings, st.policy, rid)
    return _view(app, rid)


@router.post("/officer", status_code=201)
def officer_create(request: Request, user: OfficerAction, body: OfficerRequestIn) -> dict[str, Any]:
    """An officer enters a request for someone whose identity they checked another way
    (GDPR Art. 12(6)); `evidence` says how. No code is sent; the request is routed at once."""
    st = request.app.state
    out = workflow.submit_request(
        st.sessionmaker, st.settings, st.policy, channel="officer", actor=actor(user),
        **body.model_dump(),
    )
    if out.run:
        execute.execute_request(st.sessionmaker, st.settings, st.policy, out.id)
    return _view(request.app, out.id)


@router.post("/{ident}/evidence")
def verify_with_evidence(
    request: Request, user: OfficerAction, ident: str, body: EvidenceIn
) -> dict[str, Any]:
    """Verify a request awaiting verification with the evidence the officer checked."""
    st = request.app.state
    sealer = workflow.sealer_for(st.settings)
    return _act(
        request.app,
        ident,
        lambda s, r: workflow.officer_verify(
            s, st.policy, r, body.evidence, actor(user), sealer=sealer
        ),
    )


@router.post("/{ident}/plan")
def plan(request: Request, user: OfficerAction, ident: str) -> dict[str, Any]:
    """Search the systems and store the dry run (needed before an erasure is approved)."""
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        rid = workflow.by_ref(s, ident).id
    execute.prepare_plan(st.sessionmaker, st.settings, st.policy, rid)
    return _view(request.app, rid)


@router.post("/{ident}/approve")
def approve(request: Request, user: OfficerAction, ident: str) -> dict[str, Any]:
    """Approve and execute across the systems."""
    return _act(request.app, ident, lambda s, r: workflow.approve(s, r, actor(user)))


@router.post("/{ident}/send")
def send(request: Request, user: OfficerAction, ident: str, body: SendIn) -> dict[str, Any]:
    """Send the answer an officer has read (the letter, the package, the mail). Once: a
    second send is a 409 problem."""
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        rid = workflow.by_ref(s, ident).id
    drafts.send(
        st.sessionmaker, st.settings, st.policy, rid, actor(user),
        drafts.checked(body.greeting, body.note),
    )
    return _view(request.app, rid)


@router.post("/{ident}/run")
def run(request: Request, user: OfficerAction, ident: str) -> dict[str, Any]:
    """Execute (or retry) a request that is in progress or waiting on a system."""
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        rid = workflow.by_ref(s, ident).id
    execute.execute_request(st.sessionmaker, st.settings, st.policy, rid)
    return _view(request.app, rid)


@router.post("/{ident}/extend")
def extend(request: Request, user: OfficerAction, ident: str, body: ReasonIn) -> dict[str, Any]:
    """GDPR Art. 12(3): two further months, with reasons, noticed within the first month."""
    st = request.app.state
    return _act(
        request.app,
        ident,
        lambda s, r: workflow.extend(s, st.settings, st.policy, r, body.reason, actor(user)),
    )


@router.post("/{ident}/refuse")
def refuse(request: Request, user: OfficerAction, ident: str, body: RefuseIn) -> dict[str, Any]:
    """GDPR Art. 12(4)/(5): refuse (or ask a fee) with reasons; the letter names the
    supervisory authority and the judicial remedy."""
    st = request.app.state
    return _act(
        request.app,
        ident,
        lambda s, r: workflow.refuse(
            s, st.settings, st.policy, r, body.reason, actor(user), body.kind, fee=body.fee
        ),
    )


@router.post("/{ident}/payment")
def payment(request: Request, user: OfficerAction, ident: str, body: AnsweredIn) -> dict[str, Any]:
    """GDPR Art. 12(5)(a): the fee was paid (on `on`, default today); the request continues."""
    st = request.app.state
    return _act(
        request.app, ident,
        lambda s, r: fees.record_payment(s, st.policy, r, actor=actor(user), paid_on=body.on),
    )


@router.post("/{ident}/withdraw")
def withdraw(request: Request, user: OfficerAction, ident: str) -> dict[str, Any]:
    """The person withdrew a request that awaits payment."""
    st = request.app.state
    return _act(request.app, ident, lambda s, r: fees.withdraw(s, st.policy, r, actor=actor(user)))


@router.post("/{ident}/ask")
def ask(request: Request, user: OfficerAction, ident: str, body: WaitIn) -> dict[str, Any]:
    """GDPR Art. 12(6): record that identification or clarification was asked for; where the
    jurisdiction stops the clock (UK GDPR Art. 12A) it stops until the answer arrives."""
    st = request.app.state
    return _act(
        request.app, ident,
        lambda s, r: pauses.ask(s, st.policy, r, body.kind, actor(user), note=body.note,
                                on=body.on),
    )


@router.post("/{ident}/answered")
def answered(request: Request, user: OfficerAction, ident: str, body: AnsweredIn) -> dict[str, Any]:
    """What was asked for arrived (on `on`, default today): the clock runs again."""
    st = request.app.state
    return _act(
        request.app, ident,
        lambda s, r: pauses.answered(s, st.policy, r, actor(user), on=body.on),
    )


@router.post("/{ident}/complete")
def complete(request: Request, user: OfficerAction, ident: str, body: CompleteIn) -> dict[str, Any]:
    """Answer a request handled by a person (Art. 22 question; Art. 21(1) objection, where
    `compelling_grounds` continues the processing and none stops it)."""
    st = request.app.state
    return _act(
        request.app,
        ident,
        lambda s, r: workflow.decide(
            s, st.settings, st.policy, r, actor(user), body.compelling_grounds
        ),
    )


@router.post("/{ident}/lift-restriction")
def lift_restriction(
    request: Request, user: OfficerAction, ident: str, body: ReasonIn
) -> dict[str, Any]:
    """GDPR Art. 18(3): schedule the lift, tell the subject, then lift (flags cleared in the
    systems). `restriction` in the answer shows how far it got: with the mail server down the
    restriction stays in force until the notice is sent."""
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        rid = workflow.by_ref(s, ident).id
    outcome = lifting.lift_restriction(
        st.sessionmaker, st.settings, st.policy, rid, body.reason, actor(user)
    )
    return {**_view(request.app, rid), "lift": outcome}


def _art19(app: Any, ident: str, recipient: str, actor_: str, **decision: Any) -> dict[str, Any]:
    st = app.state
    with transaction(st.sessionmaker) as s:
        rid = workflow.by_ref(s, ident).id
    if notifications.decide(st.sessionmaker, st.policy, rid, recipient, actor_, **decision):
        execute.execute_request(st.sessionmaker, st.settings, st.policy, rid)
    return _view(app, rid)


@router.post("/{ident}/notifications/{recipient}/confirm")
def confirm_notification(
    request: Request, user: OfficerAction, ident: str, recipient: str, body: ConfirmIn
) -> dict[str, Any]:
    """GDPR Art. 19: the officer told this recipient on `told_on` (a task, or a channel that
    failed and was done by hand). When no notification is left, the request completes."""
    return _art19(request.app, ident, recipient, actor(user), told_on=body.told_on)


@router.post("/{ident}/notifications/{recipient}/waive")
def waive_notification(
    request: Request, user: OfficerAction, ident: str, recipient: str, body: ReasonIn
) -> dict[str, Any]:
    """GDPR Art. 19: this recipient is not told, because it proves impossible or involves
    disproportionate effort; `reason` says why and is quoted in the subject's letter."""
    return _art19(request.app, ident, recipient, actor(user), reason=body.reason)
