"""Deadline reminders for data-subject requests (GDPR Art. 12(3): one month, extendable).

Open requests due within 7 days, within 1 day, and overdue are reminded once per stage: one
mail per stage to the officer (`settings.officer_email`) listing the requests that entered it,
and an audit event per request (`dsr.deadline_reminder`, shown on the request's timeline in the
console). The audit event is also how a stage already reminded is recognised, so the hourly job
never mails the same stage of a request twice. The mails name requests by their reference and
due date only, never the person.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from steward import audit
from steward.config import Settings
from steward.mail import Mailer
from steward.policy.models import Policy

ACTION = "dsr.deadline_reminder"
STAGES = ("overdue", "1 day", "7 days")  # the most urgent mail first
SUBJECTS = {
    "overdue": "{n} data-subject request(s) overdue",
    "1 day": "{n} data-subject request(s) due within a day",
    "7 days": "{n} data-subject request(s) due within 7 days",
}


def _stage(due: date, today: date) -> str | None:
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days <= 1:
        return "1 day"
    if days <= 7:
        return "7 days"
    return None


def send_deadline_reminders(
    session: Session,
    settings: Settings,
    now: datetime | None = None,
    policy: Policy | None = None,
) -> list[tuple[str, str]]:
    """Remind the officer of requests entering a stage, in the caller's transaction; return
    (request public id, stage) for each. Without `officer_email` only the audit events (the
    console's notice) are written. A mail that cannot be sent raises, so the caller's
    transaction rolls back and the next run tries the same stage again."""
    from steward.requests.deadlines import today as deadline_today
    from steward.requests.queries import due_soon, overdue
    from steward.requests.states import ref

    # The day counted where the requests are answered (the latest among the policy's time
    # zones), not UTC's: after midnight in Copenhagen yesterday's deadline is over.
    today = deadline_today(policy, now or datetime.now(UTC))
    out: list[tuple[str, str]] = []
    by_stage: dict[str, list[tuple[str, date, str]]] = {}
    for req in [*overdue(session, today), *due_soon(session, today, days=7)]:
        stage = _stage(req.due_on, today)
        subject = ref(req)
        if stage is None or any(
            json.loads(e.details).get("stage") == stage
            for e in audit.events_for(session, subject)
            if e.action == ACTION
        ):
            continue
        out.append((req.public_id, stage))
        # An assisted request's `due_on` is the deadline to assist its controller.
        assisting = (
            f" (assisting {req.controller}, GDPR Art. 28(3)(e); the controller's own deadline "
            f"{req.controller_due_on.isoformat()})"
            if req.controller and req.controller_due_on
            else ""
        )
        by_stage.setdefault(stage, []).append((req.public_id, req.due_on, assisting))
        audit.append(
            session,
            actor="steward",
            action=ACTION,
            subject_ref=subject,
            details={"stage": stage, "due_on": req.due_on.isoformat()},
        )
    if settings.officer_email:
        mailer = Mailer(settings)
        console = f"{settings.base_url.rstrip('/')}/console/requests"
        for stage in STAGES:
            reqs = by_stage.get(stage)
            if not reqs:
                continue
            lines = [f"- {pid}: due {due.isoformat()}{more}" for pid, due, more in reqs]
            mailer.send(
                to=settings.officer_email,
                subject=SUBJECTS[stage].format(n=len(reqs)),
                text="Requests must be answered within one month of receipt, extendable by two "
                "further months with notice in the first (GDPR Art. 12(3)).\n"
                + "\n".join(lines)
                + f"\n{console}\n",
            )
    return out
