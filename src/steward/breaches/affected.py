"""Who a breach affects, and the Art. 34 letters to them.

A `Selection` names a system, a table and which rows (a time window over a date column, ids,
filters over declared fields) — structured input, never SQL. `find_affected` lists the people
with their contact addresses (in memory only: addresses are never stored or logged);
`record_lookup` keeps the counts and feeds the register; `send_letters` mails the letter to
each person once per breach (a keyed hash of the address makes it idempotent) and writes each
sending to the audit log with a subject reference, never the address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.breaches.inputs import Kind, NotificationInput, Phase
from steward.breaches.notices import letter_language, subject_letter
from steward.breaches.notifications import record_notification
from steward.breaches.register import get_breach, keep_version, notifications
from steward.breaches.selection_sql import Filter, Query, Reader, connect
from steward.breaches.tables import BreachLetter, BreachLookup
from steward.config import Settings
from steward.connectors.registry import resolve_url
from steward.errors import InvalidInput, Unavailable
from steward.mail import Mailer
from steward.policy.models import Policy


class FilterInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str
    op: str = "eq"
    value: Any = None


class Selection(BaseModel):
    """Which rows of one table the breach touched."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    system: str
    table: str
    date_column: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: list[str | int] = Field(default_factory=list)
    filters: list[FilterInput] = Field(default_factory=list)
    country_column: str | None = Field(
        default=None, description="declared column with the person's country: picks the "
        "letter language from that country's authority when the policy offers it")
    language: str | None = Field(default=None, description="letter language for everyone")

    def described(self) -> dict[str, Any]:
        """The selection without filter values (which may be personal data)."""
        return {
            "system": self.system, "table": self.table, "date_column": self.date_column,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "ids": len(self.ids), "filters": [[f.field, f.op] for f in self.filters],
        }


@dataclass(frozen=True)
class Person:
    email: str
    ref: str  # keyed hash of the address: for audit details and idempotence
    language: str
    rows: int


@dataclass
class Affected:
    system: str
    table: str
    records: int = 0
    people: list[Person] = field(default_factory=list)
    without_address: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts only — safe to store, log and return to the browser."""
        return {"system": self.system, "table": self.table, "records": self.records,
                "subjects": len(self.people), "without_address": self.without_address}


def recipient_ref(secret: str, email: str) -> str:
    """HMAC-SHA256 of the normalized address under the installation's secret."""
    return _Refs(secret)(email)


class _Refs:
    """`recipient_ref` for many addresses: the keyed state is prepared once and copied."""

    def __init__(self, secret: str) -> None:
        self._base = hmac.new(secret.encode(), digestmod=hashlib.sha256)

    def __call__(self, email: str) -> str:
        h = self._base.copy()
        h.update(email.strip().lower().encode())
        return h.hexdigest()


def find_affected(
    policy: Policy, sel: Selection, *, secret: str, base_dir: Path | None = None,
    policy_dir: Path | None = None,
) -> Affected:
    """The people whose rows `sel` selects, one entry per address."""
    system = policy.system(sel.system)
    if system.connector != "sql":
        raise InvalidInput(
            f"System {system.key!r} uses the {system.connector!r} connector; the "
            "affected-people lookup reads SQL systems."
        )
    for when in (sel.since, sel.until):
        if when is not None and when.tzinfo is None:
            raise InvalidInput("Give the time window with a time zone (e.g. +01:00 or Z).")
    if sel.since and sel.until and sel.until <= sel.since:
        raise InvalidInput("The end of the time window must be after its start.")
    url = resolve_url(system, base_dir=base_dir, policy_dir=policy_dir)
    query = Query(
        table=sel.table, date_column=sel.date_column, since=sel.since, until=sel.until,
        ids=tuple(sel.ids), filters=tuple(Filter(f.field, f.op, f.value) for f in sel.filters),
        country_column=sel.country_column,
    )
    with connect(system, url) as conn:
        hits = Reader(system, conn).select(query)
    out = Affected(system.key, sel.table, records=len(hits))
    by_email: dict[str, list[Any]] = {}
    countries: dict[str, str | None] = {}
    for pk, email, country in hits:
        if email is None or "@" not in email:
            out.without_address += 1
            continue
        key = email.lower()
        if key in by_email:
            by_email[key].append(pk)
        else:
            by_email[key] = [pk]
            countries[key] = country
    ref = _Refs(secret)
    langs: dict[str | None, str] = {}
    for email, pks in sorted(by_email.items()):
        wanted = sel.language or _country_language(policy, countries.get(email))
        if wanted not in langs:
            langs[wanted] = letter_language(policy, wanted)
        out.people.append(Person(email, ref(email), langs[wanted], len(pks)))
    return out


def _country_language(policy: Policy, country: str | None) -> str | None:
    if not country:
        return None
    auth = policy.authorities.get(country.upper())
    return auth.language if auth else None


def record_lookup(
    session: Session, breach_id: int, sel: Selection, found: Affected, *, actor: str,
    update_counts: bool = True, now: datetime | None = None,
) -> BreachLookup:
    """Keep the counts of a lookup; with `update_counts`, they become the register's
    approximate numbers of data subjects and records (Art. 33(3)(a))."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    row = get_breach(session, breach_id)
    lookup = BreachLookup(breach_id=row.id, at=now, actor=actor, selection=sel.described(),
                          subjects=len(found.people), records=found.records,
                          without_address=found.without_address)
    session.add(lookup)
    if update_counts and row.status == "open":
        keep_version(session, row, actor=actor, change="counted", now=now)
        row.subjects_approx = len(found.people) + found.without_address
        row.records_approx = found.records
    session.flush()
    audit.append(session, actor=actor, action="breach.lookup", subject_ref=f"breach:{row.id}",
                 details=found.summary())
    return lookup


@dataclass
class LetterRun:
    sent: int = 0
    skipped: int = 0
    without_address: int = 0
    failed: int = 0
    error: str | None = None


def send_letters(
    session: Session, settings: Settings, policy: Policy, breach_id: int, sel: Selection, *,
    actor: str, mailer: Mailer | None = None, base_dir: Path | None = None,
    now: datetime | None = None,
) -> LetterRun:
    """Send the Art. 34 letter to every person `sel` selects who has not had it yet.

    A letter row is written per recipient, so a repeated run sends nothing twice. When the
    mail server fails, the run stops there: letters already sent stay recorded (the caller
    commits), and `error` says why.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    row = get_breach(session, breach_id)
    if row.risk is None:
        raise InvalidInput("Assess the risk before writing to people (Art. 34(1)).")
    secret = settings.resolved_secret_key()
    found = find_affected(policy, sel, secret=secret, base_dir=base_dir)
    mailer = mailer or Mailer(settings)
    done = set(session.scalars(select(BreachLetter.recipient_hash)
                               .where(BreachLetter.breach_id == row.id)))
    run = LetterRun(without_address=found.without_address)
    for person in found.people:
        if person.ref in done:
            run.skipped += 1
            continue
        subject, text = subject_letter(policy, row, person.language)
        try:
            message_id = mailer.send(to=person.email, subject=subject, text=text)
        except Unavailable as err:
            run.failed = len(found.people) - run.sent - run.skipped
            run.error = err.detail
            break
        letter = BreachLetter(breach_id=row.id, recipient_hash=person.ref, system=found.system,
                              language=person.language, sent_at=now, message_id=message_id)
        session.add(letter)
        session.flush()
        done.add(person.ref)
        run.sent += 1
        audit.append(session, actor=actor, action="breach.letter_sent",
                     subject_ref=f"breach:{row.id}",
                     details={"recipient": person.ref[:16], "language": person.language,
                              "system": found.system, "letter": letter.id})
    if run.sent:
        earlier = [n for n in notifications(session, row.id) if n.kind == "subjects"]
        record_notification(
            session, policy, row.id,
            NotificationInput(kind=Kind.subjects,
                              phase=Phase.supplement if earlier else Phase.initial,
                              sent_at=now, channel="e-mail",
                              reference=f"{run.sent} letter(s) from {found.system}.{found.table}",
                              content=subject_letter(policy, row)[1]),
            actor=actor, now=now,
        )
    return run
