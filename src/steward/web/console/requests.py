"""The officer's request queue and request pages (GDPR Arts. 12-22): due dates, filters,
timeline, plan, result, and the actions (verify with evidence, plan, approve (an erasure or a
rectification after a confirmation page showing what it changes), run, review and send the
answer (`steward.requests.drafts`), extend,
refuse, decide, lift a restriction (Art. 18(3)), send a pending answer mail again, confirm or
waive a recipient's notification (Art. 19)). Viewers
read; officers act. Every form is CSRF-protected."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.errors import Conflict, InvalidInput, NotFound, Unavailable
from steward.i18n import gettext as _
from steward.policy.identities import accepted_types
from steward.policy.models import Policy
from steward.requests import (
    delivery,
    drafts,
    execute,
    fees,
    history,
    lifting,
    notices,
    notifications,
    pauses,
    queries,
    workflow,
)
from steward.requests.deadlines import clock_for
from steward.requests.intake import RECEIVED_VIA
from steward.requests.plan import readable_plan
from steward.requests.states import State
from steward.store.db import transaction
from steward.web.api.requests import actor
from steward.web.console import desk as desk_web
from steward.web.console import request_messages
from steward.web.console.dashboard import Card
from steward.web.deps import Officer, PolicyDep, SessionDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/requests", dependencies=[Depends(csrf_protect)])


def _back(req_id: int, msg: str | None = None) -> Response:
    suffix = f"?msg={msg}" if msg else ""
    return RedirectResponse(f"/console/requests/{req_id}{suffix}", status_code=303)


def _new_context(policy: Policy, error: str | None, v: dict[str, Any]) -> dict[str, Any]:
    lang = policy.policy.default_language
    return {
        "types": [r.value for r in policy.rights.offered],
        "identity_types": [
            {"key": t.key, "label": policy.text(t.label, lang), "kind": t.kind.value,
             "alone": t.alone}
            for t in accepted_types(policy).values()
        ],
        "vias": RECEIVED_VIA,
        "languages": policy.policy.languages,
        "error": error,
        "v": v,
    }


@router.get("/new")
def new_form(request: Request, user: Officer, policy: PolicyDep) -> Response:
    return render(request, "console/requests/new.html", _new_context(policy, None, {}))


@router.post("/new")
async def new(
    request: Request,
    user: Officer,
    type: Annotated[str, Form()],
    name: Annotated[str, Form()],
    evidence: Annotated[str, Form()],
    email: Annotated[str, Form()] = "",
    received: Annotated[str, Form(max_length=40)] = "",
    received_via: Annotated[str, Form(max_length=20)] = "",
    country: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
    details: Annotated[str, Form()] = "",
    changes: Annotated[str, Form()] = "",
    objection_scope: Annotated[str, Form()] = "",
) -> Response:
    """An officer enters a request for someone, recording how the identity was checked."""
    st = request.app.state
    v: dict[str, Any] = {
        "type": type,
        "name": name,
        "email": email,
        "evidence": evidence,
        "country": country,
        "details": details,
        "changes": changes,
        "received": received,
        "received_via": received_via,
        "language": language,
    }
    form = await request.form()
    # One input per identity type the policy accepts: `identity_<key>`.
    given = [
        (key[len("identity_"):], str(value))
        for key, value in form.multi_items()
        if key.startswith("identity_") and str(value).strip()
    ]
    v["identities"] = dict(given)
    try:
        parsed: dict[str, Any] = {}
        for line in changes.splitlines():
            if line.strip():
                if "=" not in line:
                    raise InvalidInput("changes: one system.table.field=value per line")
                k, val = line.split("=", 1)
                parsed[k.strip()] = val.strip()
        out = await run_in_threadpool(
            workflow.submit_request,
            st.sessionmaker,
            st.settings,
            st.policy,
            type=type,
            name=name,
            email=email,
            identities=given,
            received=received or None,
            received_via=received_via or None,
            country=country,
            language=language,
            details=details or None,
            changes=parsed,
            objection_scope=objection_scope or None,
            channel="officer",
            actor=actor(user),
            evidence=evidence,
        )
    except InvalidInput as err:
        return render(
            request, "console/requests/new.html", _new_context(st.policy, err.detail, v),
            status_code=422,
        )
    if out.run:
        await run_in_threadpool(
            execute.execute_request, st.sessionmaker, st.settings, st.policy, out.id
        )
    return _back(out.id)


@router.get("/{req_id}")
def page(
    request: Request,
    user: Viewer,
    session: SessionDep,
    policy: PolicyDep,
    req_id: int,
    msg: str | None = None,
) -> Response:
    req = workflow.by_ref(session, str(req_id))
    sealer = workflow.sealer_for(request.app.state.settings)
    data = queries.as_dict(req, policy, private=True, sealer=sealer)
    letter = sealer.open_text(req.letter)
    return render(
        request,
        "console/requests/page.html",
        {
            "r": data,
            "clock": clock_for(policy, req),
            "timeline": history.entries(session, req, desk_web.staff(session), policy),
            "desk": desk_web.panel(session, sealer, req),
            "letter": letter,
            "states": desk_web.state_labels(),
            "msg": msg,
            "officer": user.role in ("officer", "admin"),
            "plan_json": json.dumps(data["plan"], indent=1, ensure_ascii=False)
            if data["plan"]
            else None,
            # ensure_ascii=False: Jinja's tojson would show "Bogf\u00f8ringsloven" to officers
            "result_json": json.dumps(data["result"], indent=1, ensure_ascii=False)
            if data["result"]
            else None,
            "package": delivery.current_package(session, req) is not None,
            "draft": drafts.preview(session, sealer, policy, req),
            "readable": readable_plan(policy, data["plan"]) if data["plan"] else [],
            "restriction": lifting.status(session, req),
            "notifications": notifications.outcomes(session, req.id, policy),
            **request_messages.context(session, request.app.state.settings, req, user),
        },
    )


async def _act(request: Request, req_id: int, fn: Any, by: str = execute.ACTOR) -> Response:
    st = request.app.state
    try:
        with transaction(st.sessionmaker) as s:
            req = workflow.by_ref(s, str(req_id))
            fn(s, req)
            run = req.state == State.in_progress.value
    except (Conflict, InvalidInput, Unavailable) as err:
        return _back(req_id, err.detail)
    if run:
        await run_in_threadpool(
            lambda: execute.execute_request(
                st.sessionmaker, st.settings, st.policy, req_id, actor=by
            )
        )
    return _back(req_id)


@router.post("/{req_id}/verify")
async def verify(
    request: Request, user: Officer, req_id: int, evidence: Annotated[str, Form(max_length=500)]
) -> Response:
    st = request.app.state
    sealer = workflow.sealer_for(st.settings)
    return await _act(
        request,
        req_id,
        lambda s, r: workflow.officer_verify(
            s, st.policy, r, evidence, actor(user), sealer=sealer
        ),
    )


@router.post("/{req_id}/plan")
async def plan(request: Request, user: Officer, req_id: int) -> Response:
    st = request.app.state
    try:
        await run_in_threadpool(
            execute.prepare_plan, st.sessionmaker, st.settings, st.policy, req_id
        )
    except (Unavailable, Conflict, InvalidInput) as err:
        return _back(req_id, err.detail)
    return _back(req_id)


# Executions that change the person's data in the company's systems: approved only from the
# confirmation page, which shows what will change (the plan) before anything runs.
DESTRUCTIVE = ("erasure", "rectification")


@router.get("/{req_id}/confirm")
def confirm(
    request: Request, user: Officer, session: SessionDep, policy: PolicyDep, req_id: int
) -> Response:
    """What approving an erasure (from its plan) or a rectification (the fields) will change,
    with the button that does it."""
    req = workflow.by_ref(session, str(req_id))
    if req.type not in DESTRUCTIVE:
        return _back(req_id)  # approved with one click: nothing in it is destroyed
    sealer = workflow.sealer_for(request.app.state.settings)
    data = queries.as_dict(req, policy, private=True, sealer=sealer)
    changes = sorted(json.loads(sealer.open_text(req.changes_enc) or "{}"))
    return render(
        request,
        "console/requests/confirm.html",
        {
            "r": data,
            "readable": readable_plan(policy, data["plan"]) if data["plan"] else [],
            "changes": changes,
            "ready": req.state == State.awaiting_approval.value
            and (req.type != "erasure" or bool(req.plan_json)),
        },
    )


@router.post("/{req_id}/approve")
async def approve(
    request: Request,
    user: Officer,
    req_id: int,
    confirmed: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    with transaction(request.app.state.sessionmaker) as s:
        type_ = workflow.by_ref(s, str(req_id)).type
    if type_ in DESTRUCTIVE and confirmed != "yes":
        return RedirectResponse(f"/console/requests/{req_id}/confirm", status_code=303)
    return await _act(
        request, req_id, lambda s, r: workflow.approve(s, r, actor(user)), by=actor(user)
    )


@router.post("/{req_id}/run")
async def run(request: Request, user: Officer, req_id: int) -> Response:
    st = request.app.state
    try:
        await run_in_threadpool(
            lambda: execute.execute_request(
                st.sessionmaker, st.settings, st.policy, req_id, actor=actor(user)
            )
        )
    except Conflict as err:
        return _back(req_id, err.detail)
    return _back(req_id)


@router.post("/{req_id}/draft")
async def save_draft(
    request: Request,
    user: Officer,
    req_id: int,
    greeting: Annotated[str, Form(max_length=drafts.GREETING_MAX)] = "",
    note: Annotated[str, Form(max_length=drafts.NOTE_MAX)] = "",
) -> Response:
    """Save the free fields of the answer letter; the page shows the letter as it now reads."""
    st = request.app.state
    sealer = workflow.sealer_for(st.settings)
    try:
        fields = drafts.checked(greeting, note)
        with transaction(st.sessionmaker) as s:
            drafts.edit(s, sealer, workflow.by_ref(s, str(req_id)), fields, actor(user))
    except (Conflict, InvalidInput, NotFound) as err:
        return _back(req_id, err.detail)
    return _back(req_id, _("Draft saved: read the letter below, then send it."))


@router.post("/{req_id}/send")
async def send(
    request: Request,
    user: Officer,
    req_id: int,
    greeting: Annotated[str, Form(max_length=drafts.GREETING_MAX)] = "",
    note: Annotated[str, Form(max_length=drafts.NOTE_MAX)] = "",
) -> Response:
    """Send the answer as shown (with the free fields as typed): letter, package, mail."""
    st = request.app.state
    try:
        fields = drafts.checked(greeting, note)
        await run_in_threadpool(
            drafts.send, st.sessionmaker, st.settings, st.policy, req_id, actor(user), fields
        )
    except (Conflict, InvalidInput, NotFound) as err:
        return _back(req_id, err.detail)
    return _back(req_id, _("The answer was sent."))


@router.post("/{req_id}/extend")
async def extend(
    request: Request, user: Officer, req_id: int, reason: Annotated[str, Form(max_length=2000)]
) -> Response:
    st = request.app.state
    return await _act(
        request,
        req_id,
        lambda s, r: workflow.extend(s, st.settings, st.policy, r, reason, actor(user)),
    )


@router.post("/{req_id}/refuse")
async def refuse(
    request: Request,
    user: Officer,
    req_id: int,
    reason: Annotated[str, Form(max_length=4000)],
    kind: Annotated[str, Form()] = "refused",
    fee: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    st = request.app.state
    resp = await _act(
        request,
        req_id,
        lambda s, r: workflow.refuse(
            s, st.settings, st.policy, r, reason, actor(user), kind, fee=fee or None
        ),
    )
    _notify(request, req_id)
    return resp


def _day(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("the date must be YYYY-MM-DD") from None


@router.post("/{req_id}/ask")
async def ask(
    request: Request,
    user: Officer,
    req_id: int,
    kind: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
    on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Art. 12(6): identification or clarification asked for (stops a UK clock)."""
    st = request.app.state
    return await _act(
        request, req_id,
        lambda s, r: pauses.ask(s, st.policy, r, kind, actor(user), note=note or None,
                                on=_day(on)),
    )


@router.post("/{req_id}/answered")
async def answered(
    request: Request, user: Officer, req_id: int, on: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    st = request.app.state
    return await _act(
        request, req_id, lambda s, r: pauses.answered(s, st.policy, r, actor(user), on=_day(on))
    )


@router.post("/{req_id}/paid")
async def paid(
    request: Request, user: Officer, req_id: int, on: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """Art. 12(5)(a): the fee was paid; the request continues."""
    st = request.app.state
    return await _act(
        request, req_id,
        lambda s, r: fees.record_payment(s, st.policy, r, actor=actor(user), paid_on=_day(on)),
    )


@router.post("/{req_id}/withdraw")
async def withdraw(request: Request, user: Officer, req_id: int) -> Response:
    st = request.app.state
    return await _act(
        request, req_id, lambda s, r: fees.withdraw(s, st.policy, r, actor=actor(user))
    )


@router.post("/{req_id}/complete")
async def complete(
    request: Request,
    user: Officer,
    req_id: int,
    compelling_grounds: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    st = request.app.state
    resp = await _act(
        request,
        req_id,
        lambda s, r: workflow.decide(
            s, st.settings, st.policy, r, actor(user), compelling_grounds or None
        ),
    )
    _notify(request, req_id)
    return resp


def _notify(request: Request, req_id: int) -> None:
    """Send the answer mail queued by refuse/decide; a mail outage leaves it pending (shown on
    the page, retried by `notices.retry_pending_mail`)."""
    st = request.app.state
    notices.announce(st.sessionmaker, st.settings, st.policy, req_id)


@router.post("/{req_id}/notice")
async def resend_notice(request: Request, user: Officer, req_id: int) -> Response:
    """Try now what waits on the mail server: the "your answer is ready" mail, and the Art.
    18(3) notice of a scheduled restriction lift (then the lift itself)."""
    st = request.app.state
    sent = await run_in_threadpool(
        notices.announce, st.sessionmaker, st.settings, st.policy, req_id
    )
    outcome = await run_in_threadpool(
        lifting.proceed, st.sessionmaker, st.settings, st.policy, req_id
    )
    if not sent or outcome == "notice_pending":
        return _back(req_id, "the mail server is still unavailable; retried automatically")
    return _back(req_id)


@router.post("/{req_id}/lift-restriction")
async def lift_restriction(
    request: Request, user: Officer, req_id: int, reason: Annotated[str, Form(max_length=2000)]
) -> Response:
    """GDPR Art. 18(3): tell the subject, then lift the restriction."""
    st = request.app.state
    try:
        outcome = await run_in_threadpool(
            lifting.lift_restriction, st.sessionmaker, st.settings, st.policy, req_id, reason,
            actor(user),
        )
    except (Conflict, InvalidInput, Unavailable) as err:
        return _back(req_id, err.detail)
    msgs = {
        "notice_pending": "the notice could not be sent: the restriction stays until it is",
        "waiting_on_system": "the subject was told; a system is down, the lift is retried",
    }
    return _back(req_id, msgs.get(outcome))


async def _art19(request: Request, req_id: int, recipient: str, actor_: str, **kw: Any) -> Response:
    st = request.app.state
    try:
        finish = await run_in_threadpool(
            notifications.decide, st.sessionmaker, st.policy, req_id, recipient, actor_, **kw
        )
        if finish:
            await run_in_threadpool(
                execute.execute_request, st.sessionmaker, st.settings, st.policy, req_id
            )
    except (Conflict, InvalidInput, NotFound, Unavailable) as err:
        return _back(req_id, err.detail)
    return _back(req_id)


@router.post("/{req_id}/notifications/{recipient}/confirm")
async def confirm_notification(
    request: Request,
    user: Officer,
    req_id: int,
    recipient: str,
    told_on: Annotated[date, Form()],
) -> Response:
    """GDPR Art. 19: the recipient was told on `told_on`; the request completes when none is
    left."""
    return await _art19(request, req_id, recipient, actor(user), told_on=told_on)


@router.post("/{req_id}/notifications/{recipient}/waive")
async def waive_notification(
    request: Request,
    user: Officer,
    req_id: int,
    recipient: str,
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    """GDPR Art. 19: not telling this recipient (impossible or disproportionate), with why."""
    return await _art19(request, req_id, recipient, actor(user), reason=reason)


def cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard provider (`steward.web.console.dashboard.PROVIDERS`)."""
    c = queries.counts(session, policy=policy)
    return [
        Card(_("Open requests"), str(c["open"]), "/console/requests?due=open",
             note=_("GDPR Arts. 15-22")),
        Card(_("Due in 7 days"), str(c["due_soon"]), "/console/requests?due=soon",
             tone="warn" if c["due_soon"] else "ok"),
        Card(_("Overdue requests"), str(c["overdue"]), "/console/requests?due=overdue",
             tone="bad" if c["overdue"] else "ok",
             note=_("Art. 12(3): one month; assisting a controller: Art. 28(3)(e)")),
    ]
