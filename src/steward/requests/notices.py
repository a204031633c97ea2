"""Answer mails that must not be lost: "your answer is ready" (Art. 12(3): the subject must
learn of the answer) is queued on the request in the same transaction as the answer, sent after
the commit, and cleared only once the mail server has taken it.

- `queue(req)`: mark the notice pending (inside the answering transaction).
- `announce(sm, settings, policy, request_id)`: try to send a pending notice now; a failure
  (SMTP down) is recorded on the request (`notice_pending`, attempts, error, next try) and in
  the audit log, and the console shows it.
- `retry_pending_mail(sm, settings, policy)`: the plain function the job runner schedules:
  sends every pending notice whose next try has come, and finishes Art. 18(3) restriction lifts
  whose notice could not be sent before (`steward.requests.lifting`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.errors import Unavailable
from steward.policy.models import Policy
from steward.requests import delivery
from steward.requests.states import record
from steward.requests.tables import DsrRequest
from steward.store.db import as_utc, transaction

READY = "ready"
RETRY_MINUTES = (5, 15, 60, 240, 720)
# The inline send right after the commit gets this long before a scheduled retry may pick the
# notice up, so the subject does not get the same mail twice.
GRACE = timedelta(minutes=2)
ACTOR = "steward"


def queue(req: DsrRequest, kind: str = READY, now: datetime | None = None) -> None:
    """Mark the answer mail pending; call inside the transaction that answers the request."""
    now = now or datetime.now(UTC)
    if not req.email:
        return  # entered by an officer without an e-mail: the officer hands the answer over
    req.notice_pending = kind
    req.notice_attempts = 0
    req.notice_next_at = now + GRACE
    req.notice_error = None


def _send(settings: Settings, policy: Policy, req: DsrRequest) -> None:
    # Only one kind today; the column names the kind so later mails can join the same queue.
    if req.controller:
        # Art. 28(3)(e): an assisted request's answer is the controller's, told to its contact.
        from steward.requests import assisted_texts

        assisted_texts.send_ready(settings, policy, controller=req.controller, email=req.email,
                                  public_id=req.public_id)
        return
    delivery.send_ready(
        settings, policy, email=req.email, public_id=req.public_id, lang=req.language
    )


def announce(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    request_id: int,
    now: datetime | None = None,
) -> bool:
    """Send the request's pending notice. True when sent (or none was pending); False when the
    mail server is down: the failure is recorded and the notice stays pending for
    `retry_pending_mail`."""
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        if not req.notice_pending:
            return True
        s.expunge(req)
    return deliver(sm, settings, policy, req, now)


def deliver(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    req: DsrRequest,
    now: datetime | None = None,
) -> bool:
    """`announce` for a request the caller has just committed with its notice queued (a
    detached copy): saves reading it back."""
    kind = req.notice_pending or READY
    request_id = req.id
    try:
        _send(settings, policy, req)
    except Unavailable as err:
        now = now or datetime.now(UTC)
        with transaction(sm) as s:
            r = s.get_one(DsrRequest, request_id)
            r.notice_attempts = (r.notice_attempts or 0) + 1
            delay = RETRY_MINUTES[min(r.notice_attempts - 1, len(RETRY_MINUTES) - 1)]
            r.notice_next_at = now + timedelta(minutes=delay)
            r.notice_error = err.detail[:200]
            record(
                s,
                r,
                "notice_failed",
                ACTOR,
                f"{kind} mail not sent: {err.detail[:200]}; next try in {delay} min",
                details={"kind": kind, "attempts": r.notice_attempts, "retry_in_min": delay},
            )
        return False
    with transaction(sm) as s:
        r = s.get_one(DsrRequest, request_id)
        r.notice_pending = None
        r.notice_next_at = None
        r.notice_error = None
        record(s, r, "notice_sent", ACTOR, f"{kind} mail sent", details={"kind": kind})
    return True


def pending(session: Session, now: datetime | None = None) -> list[int]:
    """Requests whose pending notice is due for a (re)try."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(DsrRequest.id, DsrRequest.notice_next_at)
        .where(DsrRequest.notice_pending.is_not(None))
        .where(or_(DsrRequest.notice_next_at.is_(None), DsrRequest.notice_next_at <= now))
        .order_by(DsrRequest.id)
    )
    # SQLite compares the stored text; check again with aware datetimes.
    return [rid for rid, at in rows if at is None or as_utc(at) <= now]


def retry_pending_mail(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    *,
    now: datetime | None = None,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> dict[str, int]:
    """Send every due pending notice and finish pending restriction lifts. Returns counts
    (`sent`, `failed`, and the lift outcomes). Safe to run at any time, as often as wanted."""
    from steward.requests import lifting

    now = now or datetime.now(UTC)
    with transaction(sm) as s:
        due = pending(s, now)
    out = {"sent": 0, "failed": 0}
    for rid in due:
        out["sent" if announce(sm, settings, policy, rid, now) else "failed"] += 1
    for outcome, n in lifting.retry_lifts(sm, settings, policy, env=env, base_dir=base_dir).items():
        out[f"lift_{outcome}"] = n
    return out
