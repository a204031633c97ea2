"""Sub-processor change notices (GDPR Art. 28(2)): when a new policy version adds a
sub-processor to a processor role, each controller served under that role is told, with the
objection window its DPA states (`objection_days`), and may object through a signed link.

`create_for_version` records one notice per (controller, sub-processor) when a version is
published; `send_pending` mails those not yet sent (retried on the next run when the mail
server is down); `record_objection` keeps an objection made within the window.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.config import Settings
from steward.errors import Conflict, NotFound
from steward.mail.sender import Mailer
from steward.policy.models import Policy
from steward.processors.tables import SubprocessorNotice


def _added(old: Policy, new: Policy) -> list[tuple[str, str]]:
    """(role key, sub-processor key) added in `new` compared to `old`."""
    before = {r.key: set(r.sub_processors) for r in old.processor_roles}
    return [(r.key, sp) for r in new.processor_roles for sp in r.sub_processors
            if sp not in before.get(r.key, set())]


def create_for_version(session: Session, old: Policy, new: Policy, version_id: int, *,
                       actor: str) -> list[SubprocessorNotice]:
    made: list[SubprocessorNotice] = []
    today = datetime.now(UTC).date()
    roles = {r.key: r for r in new.processor_roles}
    for role_key, sp in _added(old, new):
        for ctl in roles[role_key].controllers:
            email = ctl.contact.email if ctl.contact is not None else None
            notice = SubprocessorNotice(
                version_id=version_id, role=role_key, sub_processor=sp, controller=ctl.name,
                email=email, token=secrets.token_urlsafe(24), created_at=datetime.now(UTC),
                objection_days=ctl.objection_days,
                objection_deadline=today + timedelta(days=ctl.objection_days))
            session.add(notice)
            made.append(notice)
        audit.append(session, actor=actor, action="processor.subprocessor_added",
                     subject_ref=f"processor_role:{role_key}",
                     details={"sub_processor": sp, "controllers": len(roles[role_key].controllers)})
    session.flush()
    return made


def _name(policy: Policy, key: str) -> str:
    for p in policy.processors:
        if p.key == key:
            return p.name
    return key


def objection_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/processors/objections/{token}"


def send_pending(session: Session, settings: Settings, policy: Policy) -> int:
    """Mail every notice not yet sent that has an address; returns how many were sent."""
    mailer = Mailer(settings)
    sent = 0
    pending = session.scalars(select(SubprocessorNotice).where(
        SubprocessorNotice.sent_at.is_(None), SubprocessorNotice.email.is_not(None))).all()
    for n in pending:
        assert n.email is not None
        text = (
            f"Dear {n.controller},\n\n"
            f"{policy.controller.name} processes personal data on your behalf under our data "
            f"processing agreement. We are adding a new sub-processor: "
            f"{_name(policy, n.sub_processor)}.\n\n"
            f"Under GDPR Art. 28(2) and our agreement you may object to this change within "
            f"{n.objection_days} days, until {n.objection_deadline.isoformat()}.\n"
            f"To object, open: {objection_link(settings, n.token)}\n"
        )
        n.message_id = mailer.send(
            to=n.email, subject=f"New sub-processor: {_name(policy, n.sub_processor)} "
            f"(objections until {n.objection_deadline.isoformat()})", text=text)
        n.sent_at = datetime.now(UTC)
        sent += 1
    return sent


@dataclass(frozen=True)
class Objection:
    controller: str
    sub_processor: str
    objected_at: datetime
    note: str


def by_token(session: Session, token: str) -> SubprocessorNotice:
    n = session.scalars(select(SubprocessorNotice).where(
        SubprocessorNotice.token == token)).first()
    if n is None:
        raise NotFound("no such notice")
    return n


def record_objection(session: Session, notice: SubprocessorNotice, note: str,
                     today: date | None = None) -> None:
    """Art. 28(2): keep the controller's objection, if made within the window and once."""
    today = today or datetime.now(UTC).date()
    if notice.objected_at is not None:
        raise Conflict("this objection is already recorded")
    if today > notice.objection_deadline:
        raise Conflict(f"the objection window closed on {notice.objection_deadline.isoformat()}")
    notice.objected_at = datetime.now(UTC)
    notice.objection_note = note.strip()[:2000]
    audit.append(session, actor=f"controller:{notice.controller}"[:200],
                 action="processor.subprocessor_objection",
                 subject_ref=f"processor_role:{notice.role}",
                 details={"sub_processor": notice.sub_processor, "notice": notice.id})


def objections(session: Session) -> list[SubprocessorNotice]:
    return list(session.scalars(select(SubprocessorNotice).order_by(SubprocessorNotice.id)))
