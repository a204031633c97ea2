"""Reminders of the notification clock (GDPR Art. 33(1): 72 hours, or the policy's shorter
promise), mailed to the privacy officer.

The jobs engine calls `send_due_reminders` every hour; it is idempotent: each reminder point
(hours after awareness, from `policy.breaches.reminder_points`: the policy's own, or 24/48/66
scaled to a shorter promise) is recorded once sent, so a
repeated or overlapping run mails nothing twice. When several points passed while no job ran,
one mail goes out for the latest and the earlier ones are recorded with it.
Reminders stop once every competent authority is notified, the risk is assessed as unlikely,
or the breach is closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.breaches.tables import Breach, BreachNotification, BreachReminder
from steward.config import Settings
from steward.errors import InvalidInput
from steward.legal.breach_clock import (
    NOTIFICATION_HOURS,
    REMINDER_HOURS,
    breach_deadline,
    hours_left,
    to_local,
)
from steward.mail import Mailer
from steward.policy.models import Policy
from steward.store.db import as_utc


@dataclass(frozen=True)
class DueReminder:
    breach_id: int
    title: str
    hours: int  # the latest point passed
    covers: tuple[int, ...]  # every unsent point passed, recorded together
    deadline: datetime
    hours_left: float


def due_reminders(
    session: Session, now: datetime, *, hours: Sequence[int] = REMINDER_HOURS,
    notify_within: int = NOTIFICATION_HOURS,
) -> list[DueReminder]:
    """Reminders due at `now` and not yet sent, one per breach; deadlines `notify_within`
    hours after awareness."""
    now = now.astimezone(UTC)
    points = sorted(set(hours))
    if not points:
        return []
    earliest = now - timedelta(hours=points[0])
    breaches = session.scalars(
        select(Breach).where(Breach.status == "open", Breach.aware_at <= earliest)
        .where((Breach.risk.is_(None)) | (Breach.risk != "unlikely"))
        .where(~select(BreachNotification.id).where(
            BreachNotification.breach_id == Breach.id,
            BreachNotification.kind == "authority").exists())
        .order_by(Breach.id)
    ).all()
    out: list[DueReminder] = []
    for b in breaches:
        aware = as_utc(b.aware_at)
        assert aware is not None
        sent = set(session.scalars(select(BreachReminder.hours)
                                   .where(BreachReminder.breach_id == b.id)))
        passed = [h for h in points if aware + timedelta(hours=h) <= now and h not in sent]
        if not passed or (sent and max(sent) > passed[-1]):
            continue
        deadline = breach_deadline(aware, notify_within)
        out.append(DueReminder(b.id, b.title, passed[-1], tuple(passed), deadline,
                               hours_left(now, deadline)))
    return out


def send_due_reminders(
    session: Session, settings: Settings, policy: Policy, now: datetime | None = None, *,
    mailer: Mailer | None = None,
) -> list[DueReminder]:
    """Mail every due reminder to `settings.officer_email` and record it; returns them."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    promised = policy.breaches.notify_within_hours
    due = due_reminders(session, now, hours=policy.breaches.reminder_points,
                        notify_within=promised)
    if not due:
        return []
    if not settings.officer_email:
        raise InvalidInput(
            "Breach reminders are due but no officer address is set (STEWARD_OFFICER_EMAIL)."
        )
    mailer = mailer or Mailer(settings)
    lead = policy.authorities.get(policy.controller.lead_authority)
    tz = lead.timezone if lead else "UTC"
    for d in due:
        local = to_local(d.deadline, tz).strftime("%Y-%m-%d %H:%M %Z")
        left = f"{d.hours_left:.1f} hours left" if d.hours_left >= 0 else (
            f"overdue by {-d.hours_left:.1f} hours: give the reasons for the delay (Art. 33(1))")
        text = (
            f"Breach {d.breach_id} ({d.title}): {d.hours} hours since awareness.\n"
            f"The supervisory authority must be notified by {local} "
            f"({d.deadline:%Y-%m-%d %H:%M} UTC) — {left}.\n"
            f"Our policy promises notification within {promised} hours (GDPR Art. 33(1): "
            "72 hours at most) unless the breach is unlikely to result in a risk; record the "
            "risk assessment either way (Art. 33(5)).\n"
            f"{settings.base_url.rstrip('/')}/console/breaches/{d.breach_id}\n"
        )
        message_id = mailer.send(to=settings.officer_email,
                                 subject=f"Breach {d.breach_id}: {left}", text=text)
        for h in d.covers:
            session.add(BreachReminder(breach_id=d.breach_id, hours=h, sent_at=now,
                                       message_id=message_id if h == d.hours else None))
        session.flush()
        audit.append(session, actor="steward", action="breach.reminder_sent",
                     subject_ref=f"breach:{d.breach_id}", details={"hours": list(d.covers)})
    return due
