"""Recording notifications sent: to an authority (Art. 33), to people (Art. 34(1)) or as a
public communication (Art. 34(3)(c)). Each is kept with its time, channel, reference, phase and
the content as sent, so phased information (Art. 33(4)) stays a history.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from steward import audit
from steward.breaches.inputs import Kind, NotificationInput, Phase
from steward.breaches.notices import authority_notice, subject_letter
from steward.breaches.register import get_breach, notifications, require_zone
from steward.breaches.tables import BreachNotification
from steward.errors import InvalidInput
from steward.legal.breach_clock import is_late
from steward.policy.models import Policy
from steward.store.db import as_utc


def record_notification(
    session: Session, policy: Policy, breach_id: int, data: NotificationInput, *, actor: str,
    now: datetime | None = None,
) -> BreachNotification:
    """Record a notification already sent; returns the stored row."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    row = get_breach(session, breach_id)
    aware = as_utc(row.aware_at)
    assert aware is not None
    sent_at = data.sent_at
    require_zone(sent_at, "sent_at")
    sent_at = sent_at.astimezone(UTC)
    if sent_at < aware:
        raise InvalidInput(
            "The notification cannot have been sent before the breach was known "
            f"(aware at {aware:%Y-%m-%d %H:%M} UTC).", field="sent_at"
        )
    if sent_at > now:
        raise InvalidInput("The time sent is in the future: record notifications once sent.",
                           field="sent_at")
    earlier = notifications(session, row.id)
    authority = None
    if data.kind is Kind.authority:
        authority = (data.authority or policy.controller.lead_authority).upper()
        auth = policy.authority(authority)
        same = [n for n in earlier if n.kind == "authority" and n.authority == authority]
        if data.phase is Phase.initial and same:
            raise InvalidInput(
                f"{auth.name} already has the initial notification; further information is a "
                "supplement (Art. 33(4)).", field="phase"
            )
        if data.phase is Phase.supplement:
            if not same:
                raise InvalidInput(
                    f"Send the initial notification to {auth.name} before a supplement.",
                    field="phase"
                )
            if sent_at < min(as_utc(n.sent_at) for n in same):
                raise InvalidInput("A supplement cannot precede the initial notification.")
        promised = policy.breaches.notify_within_hours
        late = data.phase is Phase.initial and is_late(sent_at, aware, promised)
        if late and not (data.late_reason or "").strip():
            raise InvalidInput(
                f"This notification is later than {promised} hours after awareness (the "
                "policy's promise; GDPR Art. 33(1)): give the reasons for the delay.",
                field="late_reason"
            )
        channel = data.channel or auth.breach_channel
        content = data.content or authority_notice(
            policy, row, authority, phase=data.phase.value, late_reason=data.late_reason, now=now
        ).to_markdown()
    else:
        if row.risk is None:
            raise InvalidInput("Assess the risk before telling people (Art. 34(1)).")
        late = False
        channel = data.channel or ("e-mail" if data.kind is Kind.subjects else "website")
        content = data.content or subject_letter(policy, row)[1]
    note = BreachNotification(
        breach_id=row.id, kind=data.kind.value, authority=authority, phase=data.phase.value,
        sent_at=sent_at, channel=channel, reference=data.reference, content=content,
        late_reason=data.late_reason or None,
        recorded_at=now, recorded_by=actor,
    )
    session.add(note)
    session.flush()
    audit.append(session, actor=actor, action="breach.notified", subject_ref=f"breach:{row.id}",
                 details={"kind": note.kind, "authority": authority, "phase": note.phase,
                          "late": late, "notification": note.id})
    return note
