"""The officer's and the subject's actions on a request, each one transaction, each audited:
submit, verify (code or evidence), route, approve, extend, refuse, decide.

Mail is sent after the change is committed, except the extension notice, which is part of the
extension itself (Art. 12(3): no notice, no extension).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.errors import Conflict, InvalidInput, NotFound
from steward.legal.dsr_deadlines import format_date
from steward.policy.models import Policy, Right
from steward.requests import (
    deadlines,
    delivery,
    drafts,
    fees,
    letters,
    lifting,
    notices,
    objections,
    suppression,
)
from steward.requests import identities as idents
from steward.requests.assisted_texts import controller_name
from steward.requests.intake import OFFICER_CHECKED, submit
from steward.requests.limits import issue_within_limits
from steward.requests.states import State, move, record
from steward.requests.tables import DsrRequest
from steward.requests.verification import Check, check_code
from steward.store.db import transaction
from steward.store.sealing import Sealer

MANUAL = (Right.automated_decisions.value,)  # Art. 22: always answered by a person


@dataclass(frozen=True)
class Outcome:
    """What the caller needs after an action: the request's ids and state, and whether the
    request is ready to execute now."""

    id: int
    public_id: str
    state: str
    created: bool = True
    run: bool = False


def sealer_for(settings: Settings) -> Sealer:
    return Sealer(settings.resolved_secret_key())


def by_public_id(session: Session, public_id: str) -> DsrRequest:
    req = session.scalars(select(DsrRequest).where(DsrRequest.public_id == public_id)).first()
    if req is None:
        raise NotFound("no such request")
    return req


def by_ref(session: Session, ident: str) -> DsrRequest:
    """A request by number or public id (CLI, console)."""
    if ident.isdigit():
        req = session.get(DsrRequest, int(ident))
        if req is not None:
            return req
    return by_public_id(session, ident)


def _outcome(req: DsrRequest, created: bool = True) -> Outcome:
    return Outcome(
        req.id, req.public_id, req.state, created, run=req.state == State.in_progress.value
    )


def route(session: Session, policy: Policy, req: DsrRequest, actor: str) -> None:
    """After verification: to an officer (approval, Art. 22 questions) or straight to
    execution. Objections never wait for an approval: one to direct marketing takes effect at
    once (Art. 21(3)); one under Art. 21(1) first restricts the objected processing while it is
    assessed (Art. 18(1)(d)), then waits for the officer's decision (`decide`)."""
    manual = req.type in MANUAL
    if req.type == Right.objection.value:
        move(session, req, State.in_progress, actor)
    elif manual or Right(req.type) in policy.rights.approval_required:
        move(
            session,
            req,
            State.awaiting_approval,
            actor,
            "routed to a person" if manual else "approval required by the policy",
        )
    else:
        move(session, req, State.in_progress, actor)


def submit_request(
    sm: sessionmaker[Session], settings: Settings, policy: Policy, **fields: Any
) -> Outcome:
    """Record a request and e-mail its code (after the commit, so a mail outage loses no
    request: the subject can ask for a new code)."""
    sealer = sealer_for(settings)
    with transaction(sm) as s:
        sub = submit(s, policy, sealer, **fields)
        req = sub.request
        if req.state == State.verified.value:
            route(s, policy, req, fields.get("actor", "officer"))
        out = _outcome(req, sub.created)
        email, lang = req.email, req.language
    if sub.code:
        delivery.send_code(
            settings, policy, email=email, public_id=out.public_id, code=sub.code, lang=lang
        )
    elif fields.get("channel", "center") != "officer":
        # Held back by the mail limits: render the mail anyway, so the answer to the public
        # takes comparable time whether or not a mail went out (see `steward.requests.intake`).
        delivery.render_code(settings, policy, email=email, public_id=out.public_id, lang=lang)
    return out


def resend_code(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    public_id: str,
    purpose: str = "verify",
) -> None:
    """A new code, mailed only to the request's own address. `verify`: in every state, since
    the same code that verifies a request awaiting it also lets a person who comes back (from
    the "your answer is ready" mail, on another device, after the session ended) see the status
    and the answer again. `download`: once answered. Silently does nothing otherwise, and
    nothing beyond the mail limits (`steward.requests.limits`: per request and per address, in
    the store), when the person's live code stays valid; the caller's answer is the same
    either way, so it never reveals a state."""
    sealer = sealer_for(settings)
    with transaction(sm) as s:
        req = by_public_id(s, public_id)
        ok = purpose == "verify" or (purpose == "download" and req.state == State.completed.value)
        if not ok:
            return
        code = issue_within_limits(s, sealer, req, purpose)
        record(s, req, "code_sent" if code else "code_held_back", "subject", purpose)
        email, lang = req.email, req.language
        client = controller_name(policy, req.controller)
    if code:
        delivery.send_code(
            settings,
            policy,
            email=email,
            public_id=public_id,
            code=code,
            lang=lang,
            client=client,
        )
    else:
        delivery.render_code(
            settings, policy, email=email, public_id=public_id, lang=lang, client=client
        )


def verify_code(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    public_id: str,
    code: str,
    purpose: str = "verify",
) -> tuple[Check, Outcome]:
    """Check a code. For `verify`, a right code verifies the request and routes it."""
    sealer = sealer_for(settings)
    with transaction(sm) as s:
        req = by_public_id(s, public_id)
        result = check_code(s, sealer, req, purpose, code)
        if result is not Check.ok:
            record(s, req, "code_rejected", "subject", result.value)
        elif purpose == "verify" and req.state == State.awaiting_verification.value:
            req.verified_at = datetime.now(UTC)
            req.verification_evidence = "confirmed with the one-time code e-mailed to the address"
            # The code proves the e-mail address only; other values typed in stay unproven.
            idents.mark_verified(s, req.id, idents.email_kinds(policy))
            move(s, req, State.verified, "subject", req.verification_evidence, method="code")
            route(s, policy, req, "steward")
        return result, _outcome(req)


def officer_verify(
    session: Session,
    policy: Policy,
    req: DsrRequest,
    evidence: str,
    actor: str,
    *,
    sealer: Sealer,
) -> None:
    """Art. 12(6): the officer verified the person another way. The evidence text (it may hold
    ID numbers) is kept encrypted on the request only; the audit log, which cannot be edited
    later, records that evidence was given, never its words."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise InvalidInput("evidence: say how the identity was verified")
    if req.state != State.awaiting_verification.value:
        raise Conflict(f"the request is {req.state}, not awaiting verification")
    req.verified_at = datetime.now(UTC)
    req.verification_evidence = OFFICER_CHECKED
    req.evidence_enc = sealer.seal_text(evidence[:500])
    idents.mark_verified(session, req.id)
    move(
        session, req, State.verified, actor, OFFICER_CHECKED, evidence_given=True, method="officer"
    )
    route(session, policy, req, actor)


def approve(session: Session, req: DsrRequest, actor: str) -> None:
    if req.state != State.awaiting_approval.value:
        raise Conflict(f"the request is {req.state}, not awaiting approval")
    if req.type in MANUAL or req.objection_scope == "legitimate_interest":
        raise Conflict("this request is answered by a person: use decide/complete")
    if req.type == Right.erasure.value and not req.plan_json:
        raise Conflict("build the erasure plan (dry run) first, then approve it")
    req.approved_by = actor
    req.approved_at = datetime.now(UTC)
    move(session, req, State.in_progress, actor, "approved")


def extend(
    session: Session,
    settings: Settings,
    policy: Policy,
    req: DsrRequest,
    reason: str,
    actor: str,
    today: date | None = None,
) -> date:
    """Art. 12(3): extend by two months with reasons, notice e-mailed within month one.
    Later: Conflict, and the deadline stays."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason: an extension needs its reasons (GDPR Art. 12(3))")
    if req.state not in (
        State.verified.value,
        State.awaiting_approval.value,
        State.in_progress.value,
        State.waiting_on_system.value,
        State.awaiting_verification.value,
        State.received.value,
    ):
        raise Conflict(f"a request that is {req.state} cannot be extended")
    if deadlines.assisting(req):
        raise Conflict(
            "an assisted request is due on the deadline to assist the controller (GDPR Art. "
            "28(3)(e)); only the controller extends its own deadline to its data subject "
            "(Art. 12(3))"
        )
    if req.extended:
        raise Conflict("the request is already extended (at most two further months)")
    today = today or deadlines.local_day(policy, req.jurisdiction, datetime.now(UTC))
    clock = deadlines.clock_for(policy, req)
    if not clock.extension_allowed(today):
        limit = clock.one_month_due or clock.due
        raise Conflict(
            f"too late to extend: the notice had to be sent within the first month "
            f"(by {limit.isoformat()}, GDPR Art. 12(3)); the deadline stays "
            f"{req.due_on.isoformat()}"
        )
    req.extended = True
    req.extension_reason = reason
    req.extension_noticed_on = today
    req.due_on = deadlines.due_for(req.received_on, req.jurisdiction, extended=True, policy=policy)
    record(
        session,
        req,
        "extended",
        actor,
        reason,
        details={"due_on": req.due_on.isoformat(), "noticed_on": today.isoformat()},
    )
    delivery.send_extension(
        settings,
        policy,
        email=req.email,
        lang=req.language,
        text=letters.phrase("extension", req.language, due=format_date(req.due_on), reason=reason),
    )
    return req.due_on


def refuse(
    session: Session,
    settings: Settings,
    policy: Policy,
    req: DsrRequest,
    reason: str,
    actor: str,
    kind: str = "refused",
    today: date | None = None,
    fee: str | None = None,
) -> bool:
    """Art. 12(4)/(5)(b): refuse with reasons, the complaint authority and the judicial remedy.
    `kind="fee"` (Art. 12(5)(a)) is not a refusal: it asks for the fee `fee` and the request
    waits for the payment (`steward.requests.fees`). Returns False when it is later than the
    month allows (recorded)."""
    if kind == "fee":
        return fees.ask_fee(
            session,
            settings,
            policy,
            req,
            amount=fee or "",
            reason=reason,
            actor=actor,
            sealer=sealer_for(settings),
            today=today,
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "reason: a refusal needs its reasons (the controller carries the "
            "burden of proof, GDPR Art. 12(5))"
        )
    if kind not in ("refused", "fee"):
        raise InvalidInput("kind: refused or fee")
    today = today or deadlines.local_day(policy, req.jurisdiction, datetime.now(UTC))
    in_time = today <= deadlines.answer_by(policy, req)
    req.refusal_kind = kind
    req.refusal_reason = reason
    drafts.discard(session, req)  # refused after execution: the held answer is never sent
    sealer = sealer_for(settings)
    req.letter = sealer.seal_text(
        letters.render_letter(
            policy,
            name=req.name,
            type_=req.type,
            received=req.received_on.isoformat(),
            lang=req.language,
            jurisdiction=req.jurisdiction,
            result={"refused": kind, "reason": reason},
        )
    )
    req.result_json = json.dumps({"refused": kind, "in_time": in_time})
    req.completed_at = datetime.now(UTC)
    notices.queue(req)  # the caller sends it after the commit: `notices.announce`
    move(
        session,
        req,
        State.refused,
        actor,
        reason,
        kind=kind,
        in_time=in_time,
        article="GDPR Art. 12(5)" if kind == "fee" else "GDPR Art. 12(4)",
    )
    return in_time


def decide(
    session: Session,
    settings: Settings,
    policy: Policy,
    req: DsrRequest,
    actor: str,
    compelling_grounds: str | None = None,
) -> None:
    """Complete a request answered by a person: an Art. 22 question (the policy's statement),
    or an Art. 21(1) objection (continue only on recorded compelling grounds; else stop)."""
    if req.state != State.awaiting_approval.value:
        raise Conflict(f"the request is {req.state}, not awaiting a decision")
    result: dict[str, Any] = {"systems_found": []}
    if req.type == Right.objection.value and req.objection_scope == "legitimate_interest":
        result.update(_decide_objection(session, settings, policy, req, actor, compelling_grounds))
    elif req.type not in MANUAL:
        raise Conflict("this request is executed, not decided: approve it")
    req.letter = sealer_for(settings).seal_text(
        letters.render_letter(
            policy,
            name=req.name,
            type_=req.type,
            received=req.received_on.isoformat(),
            lang=req.language,
            jurisdiction=req.jurisdiction,
            result=result,
        )
    )
    req.result_json = json.dumps(result)
    req.completed_at = datetime.now(UTC)
    notices.queue(req)  # the caller sends it after the commit: `notices.announce`
    move(
        session,
        req,
        State.completed,
        actor,
        "answered by a person",
        compelling_grounds=bool(compelling_grounds),
    )


def _decide_objection(
    session: Session,
    settings: Settings,
    policy: Policy,
    req: DsrRequest,
    actor: str,
    compelling_grounds: str | None,
) -> dict[str, Any]:
    """Art. 21(1): stop the objected processing, or continue it on compelling legitimate
    grounds, which are recorded (on the request, in the audit log, in the letter). Either way
    the restriction of the assessment (Art. 18(1)(d)) has served its purpose: its lift is
    scheduled, and the subject is told before it happens (Art. 18(3), `lifting.proceed`).
    When the processing stops, the objection stays in force in the consent ledger first."""
    grounds = (compelling_grounds or "").strip()
    assessed = json.loads(req.plan_json or "{}")
    objected = assessed.get("objected") or objections.assessment(policy, [])
    req.compelling_grounds = grounds or None
    refs = suppression.subject_refs(settings.resolved_secret_key(), {"email": [req.email]})
    suppression.record_objection(
        session,
        policy,
        req.id,
        refs,
        "legitimate_interest",
        overridden=bool(grounds),
        actor=actor,
    )
    record(
        session,
        req,
        "objection_decided",
        actor,
        "continued on compelling legitimate grounds" if grounds else "processing stopped",
        details={
            "article": objections.ARTICLE,
            "continued": bool(grounds),
            "purposes": objected["purposes"],
        },
    )
    lifted = False
    if lifting.has_active(session, req.id):
        reason = (
            f"we continue the processing on compelling legitimate grounds ({objections.ARTICLE})"
            if grounds
            else f"the objected processing has stopped for good ({objections.ARTICLE})"
        )
        lifting.schedule(session, req, reason, actor)
        lifted = True
    return {
        "scope": "legitimate_interest",
        "compelling_grounds": grounds or None,
        "objected": objected,
        "restriction_lifted": lifted,
    }
