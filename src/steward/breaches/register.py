"""The breach register (GDPR Art. 33(5)): record, edit (keeping every earlier version), close.

Functions take a session and never commit: the caller owns the transaction. Every change is an
audit event in the same transaction; details hold references and field names, never values.
The clock is `steward.legal.breach_clock` (UTC, real hours, Art. 33(1)): 72 hours, or the
shorter period the policy promises (`breaches.notify_within_hours`), see `deadline_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.breaches.inputs import NATURES, BreachInput
from steward.breaches.tables import Breach, BreachNotification, BreachVersion
from steward.errors import InvalidInput, NotFound
from steward.legal.breach_clock import breach_deadline, hours_left, to_local
from steward.policy.models import Policy
from steward.store.db import as_utc

# Fields of `BreachInput` copied onto the row as they are.
_PLAIN = (
    "title", "discovery_source", "description", "nature", "systems", "data_categories",
    "subject_categories", "countries", "subjects_approx", "records_approx", "consequences",
    "measures_taken", "measures_proposed", "contact_name", "contact_email", "contact_phone",
    "processor_key",
)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def check_input(policy: Policy, data: BreachInput, now: datetime) -> None:
    """Raise InvalidInput naming the first problem with `data` (checked against `policy`)."""
    aware = data.aware_at
    require_zone(aware, "aware_at")  # Art. 33(1): the 72 hours run from an instant
    if aware > now:
        raise InvalidInput(
            f"The awareness time {_fmt(aware)} is in the future: give the moment you became "
            "reasonably certain of the breach (Art. 33(1)).", field="aware_at"
        )
    if data.occurred_at is not None:
        require_zone(data.occurred_at, "occurred_at")
        if data.occurred_at > aware:
            raise InvalidInput("The breach cannot have occurred after you became aware of it.",
                               field="occurred_at")
    if data.processor_reported_at is not None:
        require_zone(data.processor_reported_at, "processor_reported_at")
        if data.processor_reported_at > now:
            raise InvalidInput("The processor's report time is in the future.",
                               field="processor_reported_at")
        if not data.processor_key:
            raise InvalidInput("Name the processor that reported the breach (Art. 33(2)).",
                               field="processor_key")
    for name in ("subjects_approx", "records_approx"):
        value = getattr(data, name)
        if value is not None and value < 0:
            label = "data subjects" if name == "subjects_approx" else "records"
            raise InvalidInput(f"The approximate number of {label} cannot be negative.",
                               field=name)
    bad = [n for n in data.nature if n not in NATURES]
    if bad:
        raise InvalidInput(
            f"Unknown breach nature {bad[0]!r}: choose from {', '.join(NATURES)}.", field="nature"
        )
    _known("system", data.systems, {s.key for s in policy.systems}, "systems")
    _known("data category", data.data_categories, {c.key for c in policy.data_categories},
           "data_categories")
    _known("subject category", data.subject_categories,
           {c.key for c in policy.subject_categories}, "subject_categories")
    for cc in data.countries:
        if len(cc) != 2 or not cc.isalpha() or not cc.isupper():
            raise InvalidInput(f"Country {cc!r} is not a two-letter code such as DK or GB.",
                               field="countries")
    if data.processor_key:
        keys = {p.key for p in policy.processors}
        keys |= {s.key for p in policy.processors for s in p.sub_processors}
        _known("processor", [data.processor_key], keys, "processor_key")


_TIME_LABELS = {"aware_at": "The awareness time", "occurred_at": "The time it occurred",
                "processor_reported_at": "The processor's report time",
                "sent_at": "The time sent"}


def require_zone(value: datetime, field: str) -> None:
    """InvalidInput naming `field` for a time without a zone: the 72-hour clock of Art. 33(1)
    runs between instants, so a wall-clock time alone is ambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{_TIME_LABELS.get(field, field)} ({field}) has no time zone: give an offset, e.g. "
            "2026-03-28T10:00+01:00 (the 72-hour deadline of Art. 33(1) depends on the exact "
            "instant).", field=field)


def _known(what: str, given: list[str], known: set[str], field: str) -> None:
    """InvalidInput (naming the form `field`) for the first key not in the policy."""
    for key in given:
        if key not in known:
            raise InvalidInput(f"Unknown {what} {key!r}: it is not in the policy.", field=field)


def special_categories(policy: Policy, keys: list[str]) -> list[str]:
    """The given data categories that are Art. 9(1) special categories or national ids."""
    return [
        c.key for c in policy.data_categories if c.key in keys and (c.special or c.national_id)
    ]


def default_contact(policy: Policy) -> tuple[str | None, str | None, str | None]:
    """Art. 33(3)(b): the DPO, else the privacy contact, else the controller itself."""
    c = policy.controller
    for contact in (c.dpo, c.privacy_contact):
        if contact is not None and (contact.email or contact.phone):
            return contact.name, contact.email, contact.phone
    return c.name, c.email, c.phone


def _apply(policy: Policy, row: Breach, data: BreachInput) -> None:
    for name in _PLAIN:
        setattr(row, name, getattr(data, name))
    row.aware_at = data.aware_at.astimezone(UTC)
    row.occurred_at = data.occurred_at.astimezone(UTC) if data.occurred_at else None
    row.processor_reported_at = (
        data.processor_reported_at.astimezone(UTC) if data.processor_reported_at else None
    )
    row.special_categories = special_categories(policy, data.data_categories)
    if not (row.contact_name or row.contact_email or row.contact_phone):
        row.contact_name, row.contact_email, row.contact_phone = default_contact(policy)


def register_breach(
    session: Session, policy: Policy, data: BreachInput, *, actor: str,
    now: datetime | None = None,
) -> Breach:
    """Record a breach (Art. 33(5)); returns the new row with its id."""
    now = _now(now)
    check_input(policy, data, now)
    row = Breach(status="open", version=1, created_at=now, created_by=actor, updated_at=now)
    _apply(policy, row, data)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="breach.registered", subject_ref=f"breach:{row.id}",
                 details={"systems": row.systems, "special": bool(row.special_categories),
                          "deadline": deadline_of(policy, row.aware_at).isoformat()})
    return row


def deadline_of(policy: Policy, aware_at: datetime) -> datetime:
    """The notification deadline in UTC: 72 hours after awareness (Art. 33(1)), or sooner
    where the policy promises it (`breaches.notify_within_hours`): a promise is kept as
    written."""
    aware = as_utc(aware_at)
    assert aware is not None
    return breach_deadline(aware, policy.breaches.notify_within_hours)


def keep_version(session: Session, row: Breach, *, actor: str, change: str,
                 now: datetime) -> None:
    """Keep the current state of `row` before it changes, and bump its version."""
    session.add(BreachVersion(breach_id=row.id, version=row.version, at=now, actor=actor,
                              change=change, data=row.snapshot()))
    row.version += 1
    row.updated_at = now


def update_breach(
    session: Session, policy: Policy, breach_id: int, data: BreachInput, *, actor: str,
    now: datetime | None = None,
) -> Breach:
    """Edit a breach; the earlier state is kept in `breach_versions`."""
    now = _now(now)
    row = get_breach(session, breach_id)
    if row.status == "closed":
        raise InvalidInput(f"Breach {breach_id} is closed; reopen it before editing.")
    check_input(policy, data, now)
    before = row.snapshot()
    keep_version(session, row, actor=actor, change="edited", now=now)
    _apply(policy, row, data)
    after = row.snapshot()
    changed = sorted(k for k in after if k not in {"version", "updated_at"}
                     and after[k] != before.get(k))
    audit.append(session, actor=actor, action="breach.updated", subject_ref=f"breach:{row.id}",
                 details={"fields": changed, "version": row.version})
    return row


def get_breach(session: Session, breach_id: int) -> Breach:
    row = session.get(Breach, breach_id)
    if row is None:
        raise NotFound(f"There is no breach {breach_id}.")
    return row


def list_breaches(session: Session, *, status: str | None = None) -> list[Breach]:
    """Newest awareness first."""
    q = select(Breach).order_by(Breach.aware_at.desc(), Breach.id.desc())
    if status:
        q = q.where(Breach.status == status)
    return list(session.scalars(q))


def versions(session: Session, breach_id: int) -> list[BreachVersion]:
    q = select(BreachVersion).where(BreachVersion.breach_id == breach_id)
    return list(session.scalars(q.order_by(BreachVersion.version)))


def notifications(session: Session, breach_id: int) -> list[BreachNotification]:
    q = select(BreachNotification).where(BreachNotification.breach_id == breach_id)
    return list(session.scalars(q.order_by(BreachNotification.sent_at, BreachNotification.id)))


@dataclass(frozen=True)
class Clock:
    """The Art. 33(1) clock of one breach: deadline in UTC and in the authority's zone, `hours`
    after awareness (72, or the policy's shorter promise)."""

    aware_at: datetime
    deadline: datetime
    timezone: str
    deadline_local: datetime
    hours_left: float
    notified_at: datetime | None
    hours: int = 72

    @property
    def overdue(self) -> bool:
        return self.notified_at is None and self.hours_left < 0

    @property
    def late(self) -> bool:
        return self.notified_at is not None and self.notified_at > self.deadline


def clock(session: Session, policy: Policy, row: Breach, now: datetime | None = None) -> Clock:
    """The clock of `row`, local time in the lead authority's zone."""
    now = _now(now)
    aware = as_utc(row.aware_at)
    assert aware is not None
    deadline = deadline_of(policy, aware)
    tz = _lead_timezone(policy)
    first = session.scalar(
        select(BreachNotification.sent_at)
        .where(BreachNotification.breach_id == row.id, BreachNotification.kind == "authority")
        .order_by(BreachNotification.sent_at).limit(1)
    )
    return Clock(aware, deadline, tz, to_local(deadline, tz), hours_left(now, deadline),
                 as_utc(first), policy.breaches.notify_within_hours)


def _lead_timezone(policy: Policy) -> str:
    auth = policy.authorities.get(policy.controller.lead_authority)
    return auth.timezone if auth else "UTC"
