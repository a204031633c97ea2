"""Request states and the transitions allowed between them; every transition is audited.

received → awaiting_verification → verified → (awaiting_approval) → in_progress →
(awaiting_review →) completed | refused; in_progress ⇄ waiting_on_system while a system is
down. An executed request waits in awaiting_review until an officer has read its answer (the
letter and the package) and sent it, unless the policy sends that type without review. An
Art. 12(5)(a) fee puts an open request in awaiting_payment until the payment is recorded (back
to where it was) or the person withdraws the request (withdrawn).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from steward import audit
from steward.errors import Conflict
from steward.requests.tables import DsrEvent, DsrRequest


class State(StrEnum):
    received = "received"
    awaiting_verification = "awaiting_verification"
    verified = "verified"
    awaiting_approval = "awaiting_approval"
    in_progress = "in_progress"
    awaiting_review = "awaiting_review"  # executed; the answer waits for an officer to send it
    waiting_on_system = "waiting_on_system"
    completed = "completed"
    refused = "refused"
    awaiting_payment = "awaiting_payment"  # Art. 12(5)(a): a reasonable fee was asked for
    withdrawn = "withdrawn"  # the person withdrew the request


CLOSED = frozenset({State.completed, State.refused, State.withdrawn})
OPEN = frozenset(s.value for s in State if s not in CLOSED)
# States from which a fee may be asked for (before the answer is given).
FEE_FROM = frozenset(
    {State.received, State.awaiting_verification, State.verified, State.awaiting_approval,
     State.in_progress, State.waiting_on_system}
)

_ALLOWED: dict[State, set[State]] = {
    State.received: {State.awaiting_verification, State.verified, State.refused},
    State.awaiting_verification: {State.verified, State.refused},
    State.verified: {State.awaiting_approval, State.in_progress, State.refused},
    State.awaiting_approval: {State.in_progress, State.refused, State.completed},
    State.in_progress: {
        State.waiting_on_system,
        State.awaiting_review,
        State.completed,
        State.refused,
        State.awaiting_approval,
    },
    State.waiting_on_system: {
        State.in_progress, State.awaiting_review, State.completed, State.refused
    },
    # Sent by an officer (`drafts.send`), or refused instead of sent.
    State.awaiting_review: {State.completed, State.refused},
    # Paid: back to verification or routing (`workflow.record_payment`); never completed
    # without the answer.
    State.awaiting_payment: {
        State.awaiting_verification,
        State.awaiting_approval,
        State.in_progress,
        State.refused,
        State.withdrawn,
    },
    State.completed: set(),
    State.refused: set(),
    State.withdrawn: set(),
}
for _state in FEE_FROM:
    _ALLOWED[_state].add(State.awaiting_payment)



def ref(req: DsrRequest) -> str:
    """The audit subject reference of a request (never the person's identity)."""
    return f"dsr:{req.public_id}"


def record(
    session: Session,
    req: DsrRequest,
    kind: str,
    actor: str,
    note: str | None = None,
    *,
    details: dict[str, object] | None = None,
    at: datetime | None = None,
) -> None:
    """Add a timeline event and the matching audit event (`dsr.<kind>`)."""
    at = at or datetime.now(UTC)
    session.add(DsrEvent(request_id=req.id, at=at, actor=actor, kind=kind, note=note))
    audit.append(
        session,
        actor=actor,
        action=f"dsr.{kind}",
        subject_ref=ref(req),
        # An assisted request's every step names its controller (Art. 28(3)(e)): the audit
        # trail of one controller served is a filter on this field.
        details={
            "type": req.type,
            "state": req.state,
            **({"controller": req.controller} if req.controller else {}),
            **(details or {}),
        },
        at=at,
    )


def move(
    session: Session,
    req: DsrRequest,
    to: State,
    actor: str,
    note: str | None = None,
    **details: object,
) -> None:
    """Change the state, refusing transitions the workflow does not allow."""
    current = State(req.state)
    if to not in _ALLOWED[current]:
        raise Conflict(f"a request that is {current.value} cannot become {to.value}")
    req.state = to.value
    session.flush()
    record(session, req, to.value, actor, note, details={"from": current.value, **details})
