"""Assisted requests (GDPR Art. 28(3)(e)): a controller the company serves as a processor
passes on its data subject's request (an employee asking their employer), and the company
helps by searching, copying or changing that controller's data only.

- `submit`: record the request for `controller` (the controller vouches for its employee's
  identity: it is verified at once), route it to the officer as any other request;
- `for_controller` / `listing`: one controller's requests, and nothing of another's;
  `refuse` files an attempt on another controller's request in the audit log;
- `answer`: what the controller gets back: state, both deadlines, the erasure report and
  whether the access package is ready (downloaded through the controller's API or portal).

The request runs through the ordinary workflow and state machine; its execution uses
`steward.policy.tenancy.scoped_policy`, so every query carries the controller's tenant
condition or goes to its own database. The result goes to the controller, never to the subject:
the request's e-mail is the controller's contact, and no code or link is sent to the subject.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.errors import InvalidInput, NotFound
from steward.policy.models import Policy, Right
from steward.policy.tenancy import Served, find, scoped_policy
from steward.requests import deadlines, delivery
from steward.requests import identities as idents
from steward.requests.intake import clean_changes, parse_received
from steward.requests.states import State, move, record
from steward.requests.tables import DsrRequest
from steward.requests.workflow import route
from steward.store.sealing import Sealer

# Art. 28(3)(e): the rights a processor assists with here (portability and objection are
# answered by the controller from what an access request returns).
TYPES = (
    Right.access.value,
    Right.erasure.value,
    Right.rectification.value,
    Right.restriction.value,
)
CHANNEL = "controller"
EVIDENCE = "submitted by the controller served (Art. 28(3)(e))"


def subject_ref(controller: str) -> str:
    return f"controller:{controller}"


def _served(policy: Policy, controller: str) -> Served:
    s = find(policy, controller)
    if not s.controller.scope:
        raise InvalidInput(
            f"controller {controller!r}: the policy declares no systems processed for it (scope)"
        )
    return s


def _identities(
    policy: Policy, controller: str, given: dict[str, list[str]]
) -> dict[str, list[str]]:
    pairs = [(k, v) for k, values in given.items() for v in values if str(v).strip()]
    if not pairs:
        raise InvalidInput(
            "identities: give at least one identifier of the person", field="identities"
        )
    clean = idents.clean_identities(policy, pairs)
    scoped = scoped_policy(policy, controller)
    kinds = {k for spec in scoped.systems for t in spec.tables for k in t.identities}
    if not kinds & set(clean):
        raise InvalidInput(
            f"identities: this controller's data is found by {', '.join(sorted(kinds))}",
            field="identities",
        )
    return clean


def _changes(
    policy: Policy, controller: str, changes: dict[str, Any] | None
) -> dict[str, str | None]:
    """Art. 16 changes (`system.table.field -> value`) in the controller's systems; the tenant
    column is never one of them (a row cannot be moved to another controller)."""
    scoped = scoped_policy(policy, controller)
    out = clean_changes(scoped, changes)
    if not out:
        raise InvalidInput("changes: say which fields to correct, and to what", field="changes")
    for key in out:
        system, table, field = key.split(".")
        spec = next(t for t in scoped.system(system).tables if t.name == table)
        if spec.tenant is not None and spec.tenant.column == field:
            raise InvalidInput(
                f"changes: {key!r} says whose data the row is; it is not changed by a request",
                field="changes",
            )
    return out


def _received_on(policy: Policy, country: str, text: str | None, now: datetime) -> date:
    """Art. 12(3): the day the controller received its subject's request (its month runs from
    then); today when not given; never in the future."""
    today = deadlines.local_day(policy, country, now)
    if not (text or "").strip():
        return today
    parsed = parse_received(text)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    if day is None or day > today:
        raise InvalidInput(
            "received_on: the day the controller received the request, not in the future",
            field="received_on",
        )
    return day


def submit(
    session: Session,
    policy: Policy,
    sealer: Sealer,
    *,
    controller: str,
    type: str,
    name: str,
    identities: dict[str, list[str]],
    received_on: str | None = None,
    details: str | None = None,
    changes: dict[str, Any] | None = None,
    actor: str,
    now: datetime | None = None,
) -> DsrRequest:
    """Record an assisted request of `controller` and route it (approval by an officer when
    the policy asks for one). Raises InvalidInput naming the bad field."""
    now = now or datetime.now(UTC)
    served = _served(policy, controller)
    if type not in TYPES:
        raise InvalidInput(f"type: one of {', '.join(TYPES)}", field="type")
    name_ = " ".join((name or "").split())
    if not name_ or len(name_) > 200:
        raise InvalidInput("name: the person's name, 1-200 characters", field="name")
    if details is not None and len(details) > 4000:
        raise InvalidInput("details: at most 4000 characters", field="details")
    given = _identities(policy, controller, identities)
    changes_ = _changes(policy, controller, changes) if type == Right.rectification.value else {}
    country = deadlines.jurisdiction(policy, served.controller.country)
    received = _received_on(policy, country, received_on, now)
    controller_due = deadlines.due_for(received, country, policy=policy)
    due = controller_due
    if served.controller.assistance_days is not None:
        # The DPA's assistance deadline, counted from the day the controller asked; never
        # later than the controller's own deadline to its subject.
        today = deadlines.local_day(policy, country, now)
        due = min(due, today + timedelta(days=served.controller.assistance_days))
    contact = served.controller.contact
    tz = policy.authorities[country].timezone if country in policy.authorities else "UTC"
    received_at = min(now, datetime.combine(received, time(12), ZoneInfo(tz)).astimezone(UTC))
    req = DsrRequest(
        public_id=secrets.token_urlsafe(18),
        type=type,
        state=State.received.value,
        channel=CHANNEL,
        received_via="web",
        # Every mail about this request goes to the controller's contact, never the subject.
        email=(contact.email if contact is not None and contact.email else ""),
        name=name_,
        country=served.controller.country,
        language=policy.policy.default_language,
        jurisdiction=country,
        details_enc=sealer.seal_text(details or None),
        received_at=received_at,
        received_on=received,
        due_on=due,
        extended=False,
        changes_enc=sealer.seal_text(json.dumps(changes_)) if changes_ else None,
        retries=0,
        controller=controller,
        controller_due_on=controller_due,
    )
    session.add(req)
    session.flush()
    idents.record(session, sealer, req.id, given, source=idents.GIVEN, verified=True)
    record(
        session,
        req,
        "received",
        actor,
        f"via {CHANNEL} {controller}",
        details={
            "channel": CHANNEL,
            "received_on": received.isoformat(),
            "due_on": due.isoformat(),
            "controller_due_on": controller_due.isoformat(),
            "identity_types": sorted(given),
            "changes": sorted(changes_),
        },
    )
    req.verified_at = now
    req.verification_evidence = EVIDENCE
    move(session, req, State.verified, actor, EVIDENCE, method="controller")
    route(session, policy, req, actor)
    audit.append(
        session,
        actor=actor,
        action="controllers.request_submitted",
        subject_ref=subject_ref(controller),
        details={"request": req.public_id, "type": type},
    )
    return req


def listing(session: Session, controller: str) -> list[DsrRequest]:
    """This controller's requests, newest first; never another's."""
    return list(
        session.scalars(
            select(DsrRequest)
            .where(DsrRequest.controller == controller)
            .order_by(DsrRequest.id.desc())
        )
    )


def for_controller(session: Session, controller: str, public_id: str) -> DsrRequest | None:
    """The request `public_id` if it is `controller`'s; None for another's or an unknown one
    (the caller answers both the same: 404, nothing of another controller is revealed)."""
    return session.scalars(
        select(DsrRequest).where(
            DsrRequest.public_id == public_id, DsrRequest.controller == controller
        )
    ).first()


def refuse(session: Session, controller: str, public_id: str, actor: str, what: str) -> None:
    """File an attempt by `controller` on a request that is not its own (or does not exist)."""
    other = session.scalars(
        select(DsrRequest.controller).where(DsrRequest.public_id == public_id)
    ).first()
    audit.append(
        session,
        actor=actor,
        action="controllers.access_refused",
        subject_ref=subject_ref(controller),
        details={"what": what, "request": public_id[:40], "exists": other is not None},
    )


def answer(session: Session, policy: Policy, req: DsrRequest) -> dict[str, Any]:
    """What the controller sees of its request: no personal values beyond what it gave."""
    result = json.loads(req.result_json) if req.result_json else {}
    out: dict[str, Any] = {
        "id": req.public_id,
        "controller": req.controller,
        "type": req.type,
        "state": req.state,
        "received_on": req.received_on.isoformat(),
        # Art. 28(3)(e): the company's deadline to assist (the DPA's, when it sets one) and the
        # controller's own deadline to its data subject (Art. 12(3)).
        "assistance_due_on": req.due_on.isoformat(),
        "controller_due_on": req.controller_due_on.isoformat() if req.controller_due_on else None,
        "completed_at": req.completed_at.isoformat() if req.completed_at else None,
        "refusal_reason": req.refusal_reason if req.state == State.refused.value else None,
        "package": delivery.current_package(session, req) is not None,
    }
    if req.state == State.completed.value:
        out["report"] = {
            k: result[k]
            for k in (
                "systems_found",
                "rows_found",
                "exported",
                "erased",
                "kept",
                "rectified",
                "restricted",
            )
            if k in result
        }
        if "art19" in result:
            # Art. 19 with Art. 28(3)(e): whom the company told of the change, for the controller.
            out["report"]["told"] = [
                {k: o[k] for k in ("name", "status", "told_on", "reason")} for o in result["art19"]
            ]
    return out


def package(
    session: Session, sealer: Sealer, data_dir: Any, req: DsrRequest, actor: str
) -> tuple[str, bytes]:
    """The access package of a completed request, for its controller (audited each time)."""
    from steward.requests import packages

    pkg = delivery.current_package(session, req)
    if pkg is None:
        raise NotFound("there is no package for this request (not ready, or expired)")
    blob = packages.load(sealer, data_dir, pkg.filename)
    record(session, req, "downloaded", actor, "by the controller", details={"bytes": len(blob)})
    audit.append(
        session,
        actor=actor,
        action="controllers.package_downloaded",
        subject_ref=subject_ref(req.controller or ""),
        details={"request": req.public_id},
    )
    return f"{req.type}-{req.public_id[:8]}.zip", blob
