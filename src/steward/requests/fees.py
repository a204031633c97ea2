"""Art. 12(5)(a): a reasonable fee for a manifestly unfounded or excessive request.

Asking for a fee is not a refusal (Art. 12(5)(b) stays `refuse`): the request waits in
`awaiting_payment` until an officer records the payment (it then continues where it was) or
the person withdraws it. The letter says the fee, why, and that the person may complain to a
supervisory authority and seek a judicial remedy; the controller carries the burden of proof,
so the reason is recorded. The wait is a `DsrPause` of kind `fee`: it stops the clock only
where the jurisdiction's rule stops it (`steward.requests.deadlines`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from steward.config import Settings
from steward.errors import Conflict, InvalidInput
from steward.policy.models import Policy
from steward.requests import deadlines, delivery, letters, pauses
from steward.requests.states import FEE_FROM, State, move
from steward.requests.tables import DsrRequest
from steward.store.sealing import Sealer

ARTICLE = "GDPR Art. 12(5)(a)"


def fee_letter(policy: Policy, req_name: str, type_: str, received: str, lang: str,
               jurisdiction: str, amount: str, reason: str) -> str:
    """The letter asking for the fee: amount, reason, and the rights to complain and to a
    judicial remedy (Art. 12(4)), through the shared letter template."""
    why = (
        f"{reason} The fee is {amount} ({ARTICLE}). We will act on your request once it is "
        "paid; you may also withdraw your request."
    )
    return letters.render_letter(
        policy, name=req_name, type_=type_, received=received, lang=lang,
        jurisdiction=jurisdiction, result={"refused": "fee", "reason": why},
    )


def ask_fee(
    session: Session,
    settings: Settings,
    policy: Policy,
    req: DsrRequest,
    *,
    amount: str,
    reason: str,
    actor: str,
    sealer: Sealer,
    now: datetime | None = None,
    today: date | None = None,
) -> bool:
    """Ask for a fee; the request waits for the payment. Returns whether the letter went out
    within the month (Art. 12(4)/(5), recorded either way). The letter is mailed in the same
    step: no letter, no fee request."""
    now = now or datetime.now(UTC)
    amount = " ".join((amount or "").split())
    reason = (reason or "").strip()
    if not amount or len(amount) > 40:
        raise InvalidInput("fee: the amount asked for, e.g. '25 EUR' (GDPR Art. 12(5)(a))",
                           field="fee")
    if not reason:
        raise InvalidInput(
            "reason: say why the request is manifestly unfounded or excessive (the controller "
            "carries the burden of proof, GDPR Art. 12(5))", field="reason",
        )
    if State(req.state) not in FEE_FROM:
        raise Conflict(f"a request that is {req.state} cannot be charged a fee")
    if deadlines.assisting(req):
        raise Conflict(
            "a fee (GDPR Art. 12(5)(a)) is the controller's to ask of its data subject, not "
            "the processor's assisting it (Art. 28(3)(e))"
        )
    today = today or deadlines.local_day(policy, req.jurisdiction, now)
    in_time = today <= deadlines.answer_by(policy, req)
    req.fee_amount = amount
    req.fee_paid_at = None
    pauses.ask(session, policy, req, "fee", actor, note=reason, on=today, now=now)
    text = fee_letter(policy, req.name, req.type, req.received_on.isoformat(), req.language,
                      req.jurisdiction, amount, reason)
    req.letter = sealer.seal_text(text)
    move(session, req, State.awaiting_payment, actor, reason, fee=amount, in_time=in_time,
         article=ARTICLE)
    if req.email:
        delivery.send_fee(settings, policy, email=req.email, lang=req.language, text=text)
    return in_time


def record_payment(
    session: Session,
    policy: Policy,
    req: DsrRequest,
    *,
    actor: str,
    paid_on: date | None = None,
    now: datetime | None = None,
) -> str:
    """The fee was paid: the request continues (to verification if it was not yet verified,
    else to approval or execution). Returns the new state."""
    from steward.requests.workflow import route

    now = now or datetime.now(UTC)
    if req.state != State.awaiting_payment.value:
        raise Conflict(f"the request is {req.state}, not awaiting payment")
    req.fee_paid_at = now
    if pauses.open_pause(session, req) is not None:
        pauses.answered(session, policy, req, actor, on=paid_on, now=now)
    if req.verified_at is None:
        move(session, req, State.awaiting_verification, actor, "fee paid", article=ARTICLE)
    else:
        route(session, policy, req, actor)
    return req.state


def withdraw(
    session: Session, policy: Policy, req: DsrRequest, *, actor: str, now: datetime | None = None
) -> None:
    """The person withdrew the request (e.g. rather than pay the fee)."""
    now = now or datetime.now(UTC)
    if req.state != State.awaiting_payment.value:
        raise Conflict(f"the request is {req.state}, not awaiting payment")
    if pauses.open_pause(session, req) is not None:
        pauses.answered(session, policy, req, actor, now=now)
    req.completed_at = now
    move(session, req, State.withdrawn, actor, "withdrawn by the person")
