"""Telling recipients of a rectification, erasure or restriction (GDPR Art. 19).

One `dsr_notifications` row per recipient and request (see `recipients.py` for who):
- `record(...)`: after the change, add the rows not there yet, with the notice sealed;
- `dispatch(...)`: send every pending row through its channel's notifier (mail, http, a
  plug-in's); a `task` row opens for an officer; a failure stays pending, and the request
  waits on it with the execution's own retry schedule (`execute._wait`);
- `confirm(...)` / `waive(...)`: an officer confirms a task with the date the recipient was told,
  or waives a notification with a reason (Art. 19: impossible or disproportionate effort);
- `outstanding(...)`: rows neither sent nor waived: while any is left, the request cannot
  complete (`steward.requests.execute`);
- `outcomes(...)`: what happened, for the letter: every "told" line is a sent row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.errors import Conflict, InvalidInput, NotFound, Unavailable
from steward.notifiers.base import Art19Notice, Outcome
from steward.notifiers.registry import notifier_for
from steward.policy.models import Notify, Policy
from steward.policy.tenancy import find
from steward.requests import deadlines
from steward.requests.recipients import (
    art19_recipients,
    assisted_recipients,
    name_in_words,
    notify_of,
)
from steward.requests.states import record as record_event
from steward.requests.tables import DsrNotification, DsrRequest
from steward.store.db import transaction
from steward.store.sealing import Sealer

PENDING, OPEN, SENT, WAIVED = "pending", "open", "sent", "waived"
# A settled notification keeps no copy of the notice: the subject's identities and corrected
# values are needed only until the recipient is told (Art. 5(1)(c)).
SETTLED = ""
DONE = frozenset({SENT, WAIVED})
TASK = Notify(channel="task")  # a recipient the policy gives no channel: an officer tells it
MIN_REASON = 10
ACTOR = "steward"
ARTICLE = "GDPR Art. 19"


def _rows(s: Session, request_id: int) -> list[DsrNotification]:
    return list(
        s.scalars(
            select(DsrNotification)
            .where(DsrNotification.request_id == request_id)
            .order_by(DsrNotification.id)
        )
    )


def record(
    s: Session,
    sealer: Sealer,
    policy: Policy,
    req: DsrRequest,
    systems: Iterable[str],
    identities: Mapping[str, Iterable[str]],
    changes: Mapping[str, str | None] | None = None,
) -> int:
    """Add a pending row for each recipient of `systems` not recorded yet; return how many.
    The notice (identities, corrected values) is sealed: it is personal data."""
    known = {r.recipient for r in _rows(s, req.id)}
    payload = json.dumps(
        {
            "identities": {k: sorted(set(v)) for k, v in identities.items()},
            "changes": dict(changes or {}),
        }
    )
    now = datetime.now(UTC)
    added = 0
    recipients = (
        # Art. 28(3)(e): the controller's request; the company tells its own sub-processors.
        assisted_recipients(policy, req.controller, systems)
        if req.controller
        else art19_recipients(policy, systems)
    )
    for rec in recipients:
        if rec.key in known:
            continue
        channel = (rec.notify or TASK).channel
        s.add(
            DsrNotification(
                request_id=req.id,
                recipient=rec.key,
                name=rec.name[:400],
                channel=channel,
                status=PENDING,
                attempts=0,
                payload_enc=sealer.seal_text(payload),
                created_at=now,
            )
        )
        added += 1
        record_event(
            s,
            req,
            "art19_recorded",
            ACTOR,
            rec.name,  # the timeline says the rest in words (steward.audit.sentences)
            details={"recipient": rec.key, "channel": channel},
        )
    s.flush()
    return added


def _notice(sealer: Sealer, policy: Policy, req: DsrRequest, row: DsrNotification) -> Art19Notice:
    payload = json.loads(sealer.open_text(row.payload_enc or None) or "{}")
    controller, processor = policy.controller.name, ""
    if req.controller:
        # Whose data it is, and who tells: the company as that controller's processor.
        controller, processor = find(policy, req.controller).controller.name, controller
    return Art19Notice(
        request_ref=req.public_id,
        right=req.type,
        controller=controller,
        recipient=row.name,
        identities=payload.get("identities", {}),
        changes=payload.get("changes", {}),
        processor=processor,
    )


def dispatch(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    request_id: int,
    *,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Send the request's pending notifications, one transaction each (a crash never loses a
    sent mark). Returns counts by outcome (`sent`, `open`, `failed`)."""
    now = now or datetime.now(UTC)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        todo = [
            (row.id, _notice(sealer, policy, req, row), notify_of(policy, row.recipient) or TASK)
            for row in _rows(s, request_id)
            if row.status == PENDING
        ]
    out = {"sent": 0, "open": 0, "failed": 0}
    for row_id, notice, target in todo:
        error = ""
        outcome: Outcome | None = None
        try:
            outcome = notifier_for(target.channel, settings=settings, env=env).send(notice, target)
        except (Unavailable, InvalidInput) as err:
            error = err.detail[:200]
        with transaction(sm) as s:
            row = s.get_one(DsrNotification, row_id)
            req = s.get_one(DsrRequest, request_id)
            row.channel = target.channel
            details: dict[str, object] = {"recipient": row.recipient, "channel": row.channel}
            if outcome is None:
                row.attempts += 1
                row.error = error
                out["failed"] += 1
                record_event(
                    s,
                    req,
                    "art19_failed",
                    ACTOR,
                    f"{row.name} ({error})",
                    details={**details, "attempts": row.attempts},
                )
            elif outcome.sent:
                row.status, row.told_at = SENT, now
                row.told_on = deadlines.local_day(policy, req.country or "", now)
                row.ref, row.error, row.payload_enc = outcome.ref[:200], None, SETTLED
                out["sent"] += 1
                record_event(s, req, "art19_sent", ACTOR, row.name, details=details)
            else:
                row.status, row.error = OPEN, None
                out["open"] += 1
                record_event(
                    s,
                    req,
                    "art19_task_opened",
                    ACTOR,
                    row.name,
                    details=details,
                )
    return out


def outstanding(s: Session, request_id: int) -> list[DsrNotification]:
    """The request's notifications neither sent nor waived."""
    return [r for r in _rows(s, request_id) if r.status not in DONE]


def _one(s: Session, req: DsrRequest, recipient: str) -> DsrNotification:
    row = s.scalars(
        select(DsrNotification).where(
            DsrNotification.request_id == req.id, DsrNotification.recipient == recipient
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"request {req.public_id} has no notification of {recipient!r}")
    if row.status in DONE:
        raise Conflict(f"the notification of {row.name} is already {row.status}")
    return row


def confirm(
    s: Session,
    policy: Policy,
    req: DsrRequest,
    recipient: str,
    told_on: date,
    actor: str,
    *,
    now: datetime | None = None,
) -> DsrNotification:
    """An officer confirms the recipient was told on `told_on` (not in the future, not before
    the request was received). Both are days in the jurisdiction's time zone, the one the
    receipt day was counted in (Art. 12(3)): just after midnight in Copenhagen the request's day
    is already tomorrow in UTC terms."""
    row = _one(s, req, recipient)
    now = now or datetime.now(UTC)
    if told_on > deadlines.local_day(policy, req.country or "", now):
        raise InvalidInput("told_on: the date the recipient was told cannot be in the future")
    if told_on < req.received_on:
        raise InvalidInput("told_on: the recipient cannot have been told before the request")
    row.status, row.told_on, row.told_at = SENT, told_on, now
    row.decided_by, row.error, row.payload_enc = actor, None, SETTLED
    row.ref = "confirmed by an officer"
    record_event(
        s,
        req,
        "art19_confirmed",
        actor,
        f"{row.name}, {told_on.isoformat()}",
        details={"recipient": row.recipient, "channel": row.channel, "told_on": str(told_on)},
    )
    return row


def waive(s: Session, req: DsrRequest, recipient: str, reason: str, actor: str) -> DsrNotification:
    """An officer decides not to tell a recipient, because it proves impossible or involves
    disproportionate effort (Art. 19), and says why. The reason is kept on the row and shown
    in the letter; the audit log records that a reason was given, not its text."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InvalidInput(
            "reason: say why telling this recipient is impossible or disproportionate "
            f"({ARTICLE}), at least {MIN_REASON} characters"
        )
    row = _one(s, req, recipient)
    row.status, row.waived_reason, row.decided_by = WAIVED, reason, actor
    row.payload_enc = SETTLED
    record_event(
        s,
        req,
        "art19_waived",
        actor,
        row.name,
        details={"recipient": row.recipient, "channel": row.channel, "reason_given": True},
    )
    return row


def decide(
    sm: sessionmaker[Session],
    policy: Policy,
    request_id: int,
    recipient: str,
    actor: str,
    *,
    told_on: date | None = None,
    reason: str | None = None,
) -> bool:
    """Confirm (`told_on`) or waive (`reason`) one notification in its own transaction.
    True when the request was waiting only on notifications and none is left: the caller
    then runs it again so it completes (`steward.requests.execute.execute_request`)."""
    from steward.requests.states import State

    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        if told_on is not None:
            confirm(s, policy, req, recipient, told_on, actor)
        elif reason is not None:
            waive(s, req, recipient, reason, actor)
        else:
            raise InvalidInput("give told_on to confirm or reason to waive")
        return req.state == State.waiting_on_system.value and not outstanding(s, req.id)


def outcomes(s: Session, request_id: int, policy: Policy | None = None) -> list[dict[str, str]]:
    """What happened to each notification, for letters and pages (no personal values). With
    the policy (the console), each also carries the officer's `instructions` for telling the
    recipient, and a sub-processor's name is in the language in force."""

    def instructions(key: str) -> str:
        target = notify_of(policy, key) if policy is not None else None
        return policy.text(target.instructions) if policy and target else ""

    return [
        {
            "recipient": r.recipient,
            "name": name_in_words(policy, r.recipient, r.name) if policy else r.name,
            "channel": r.channel,
            "status": r.status,
            "told_on": r.told_on.isoformat() if r.told_on else "",
            "reason": r.waived_reason or "",
            "error": r.error or "",
            **({"instructions": instructions(r.recipient)} if policy is not None else {}),
        }
        for r in _rows(s, request_id)
    ]
