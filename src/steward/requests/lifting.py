"""Lifting a restriction of processing (GDPR Art. 18(3)): "a data subject who has obtained
restriction of processing ... shall be informed by the controller before the restriction of
processing is lifted."

Three steps, each recorded on the request's timeline and in the audit log:
1. `schedule` (officer, with reasons): the request's active restrictions get a scheduled lift;
   nothing is lifted yet.
2. the notice mail to the subject; only once the mail server has taken it is the notice
   recorded (`lift_noticed_at`). SMTP down: the lift stays scheduled and
   `notices.retry_pending_mail` tries again.
3. the lift: the restriction flag column is cleared in every system that has one (connectors'
   `set_restriction(records, False)`), then Steward's restrictions get `lifted_at`. A system
   that is down leaves the lift noticed but not done; the retry finishes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.errors import Conflict, InvalidInput, Unavailable
from steward.policy.models import Policy
from steward.requests import delivery
from steward.requests.assisted_texts import controller_name
from steward.requests.plan import discover, systems_for
from steward.requests.states import record
from steward.requests.tables import DsrRequest, Restriction
from steward.store.db import transaction

ACTOR = "steward"
ARTICLE = "GDPR Art. 18(3)"


def _active(session: Session, request_id: int) -> list[Restriction]:
    return list(
        session.scalars(
            select(Restriction).where(
                Restriction.request_id == request_id, Restriction.lifted_at.is_(None)
            )
        )
    )


def has_active(session: Session, request_id: int) -> bool:
    """Whether the request has a restriction in force."""
    return bool(_active(session, request_id))


def status(session: Session, req: DsrRequest) -> dict[str, Any]:
    """What the console shows: active restrictions of this request and the lift's progress."""
    rows = _active(session, req.id)
    scheduled = [r for r in rows if r.lift_scheduled_at is not None]
    lifted = session.scalar(
        select(Restriction.lifted_at)
        .where(Restriction.request_id == req.id, Restriction.lifted_at.is_not(None))
        .order_by(Restriction.lifted_at.desc())
        .limit(1)
    )
    return {
        "active": len(rows),
        "scheduled": bool(scheduled),
        "noticed": bool(scheduled) and all(r.lift_noticed_at is not None for r in scheduled),
        "reason": scheduled[0].lift_reason if scheduled else None,
        "lifted_at": lifted,
    }


def schedule(
    session: Session, req: DsrRequest, reason: str, actor: str, now: datetime | None = None
) -> int:
    """Step 1: schedule the lift of the request's active restrictions; returns how many.
    InvalidInput without reasons; Conflict when nothing is restricted or a lift is already
    under way."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            f"reason: say why the restriction can be lifted; the subject is told ({ARTICLE})",
            field="reason",
        )
    rows = _active(session, req.id)
    if not rows:
        raise Conflict("this request has no restriction in force")
    if any(r.lift_scheduled_at is not None for r in rows):
        raise Conflict("the lift of this restriction is already scheduled")
    now = now or datetime.now(UTC)
    for r in rows:
        r.lift_scheduled_at = now
        r.lift_reason = reason[:2000]
        r.lifted_by = actor
    record(
        session,
        req,
        "restriction_lift_scheduled",
        actor,
        reason,
        details={"restrictions": len(rows), "article": ARTICLE},
        at=now,
    )
    return len(rows)


def proceed(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    request_id: int,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> str:
    """Steps 2 and 3 for a scheduled lift. Returns "lifted", "notice_pending" (mail down:
    nothing lifted), "waiting_on_system" (noticed, a system is down) or "nothing"."""
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        rows = [r for r in _active(s, request_id) if r.lift_scheduled_at is not None]
        if not rows:
            return "nothing"
        noticed = all(r.lift_noticed_at is not None for r in rows)
        reason = rows[0].lift_reason or ""
        actor = rows[0].lifted_by or ACTOR
        email, public_id, lang = req.email, req.public_id, req.language
        client = controller_name(policy, req.controller)
    if not noticed:
        try:
            delivery.send_lift_notice(
                settings,
                policy,
                email=email,
                public_id=public_id,
                lang=lang,
                reason=reason,
                client=client,
            )
        except Unavailable as err:
            with transaction(sm) as s:
                record(
                    s,
                    s.get_one(DsrRequest, request_id),
                    "restriction_lift_notice_failed",
                    ACTOR,
                    f"notice not sent ({err.detail[:200]}); nothing lifted yet",
                    details={"article": ARTICLE},
                )
            return "notice_pending"
        with transaction(sm) as s:
            now = datetime.now(UTC)
            for r in _active(s, request_id):
                if r.lift_scheduled_at is not None:
                    r.lift_noticed_at = now
            record(
                s,
                s.get_one(DsrRequest, request_id),
                "restriction_lift_noticed",
                ACTOR,
                "the subject was told before the lift",
                details={"article": ARTICLE},
                at=now,
            )
    return _lift(sm, settings, policy, request_id, email, actor, env=env, base_dir=base_dir)


def _lift(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    request_id: int,
    email: str,
    actor: str,
    *,
    env: Mapping[str, str] | None,
    base_dir: Path | None,
) -> str:
    systems = systems_for(policy, settings, env=env, base_dir=base_dir)
    cleared: dict[str, dict[str, int]] = {}
    try:
        found = discover(policy, systems, {"email": [email]})
        for key, records in found.records.items():
            if records.is_empty():
                continue
            counts = systems.get(key).set_restriction(records, False)
            if any(counts.values()):
                cleared[key] = counts
    except Unavailable as err:
        with transaction(sm) as s:
            record(
                s,
                s.get_one(DsrRequest, request_id),
                "restriction_lift_waiting",
                ACTOR,
                f"{err.detail[:200]}; the lift is retried",
                details={"article": ARTICLE},
            )
        return "waiting_on_system"
    finally:
        systems.close()
    with transaction(sm) as s:
        now = datetime.now(UTC)
        rows = [r for r in _active(s, request_id) if r.lift_noticed_at is not None]
        for r in rows:
            r.lifted_at = now
        record(
            s,
            s.get_one(DsrRequest, request_id),
            "restriction_lifted",
            actor,
            "restriction of processing lifted after the subject was told",
            details={"article": ARTICLE, "restrictions": len(rows), "cleared": cleared},
            at=now,
        )
    return "lifted"


def lift_restriction(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    request_id: int,
    reason: str,
    actor: str,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> str:
    """The officer's action: schedule, tell the subject, lift. See `proceed` for the result."""
    with transaction(sm) as s:
        schedule(s, s.get_one(DsrRequest, request_id), reason, actor)
    return proceed(sm, settings, policy, request_id, env=env, base_dir=base_dir)


def retry_lifts(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> dict[str, int]:
    """Finish every scheduled lift (notice first); returns outcome -> count."""
    with transaction(sm) as s:
        ids = sorted(
            set(
                s.scalars(
                    select(Restriction.request_id).where(
                        Restriction.lifted_at.is_(None), Restriction.lift_scheduled_at.is_not(None)
                    )
                )
            )
        )
    out: dict[str, int] = {}
    for rid in ids:
        outcome = proceed(sm, settings, policy, rid, env=env, base_dir=base_dir)
        out[outcome] = out.get(outcome, 0) + 1
    return out
