"""Who a breach affects, and the Art. 34 letters to them.

A `Selection` names a system, a table and which rows (a time window over a date column, ids,
identity values, filters over declared fields) — structured input, never SQL.
`find_affected` lists the people with their contact addresses (in memory only: addresses are
never stored or logged); SQL systems answer with one grouped statement (`selection_sql`), HTTP
systems through their lookup and export endpoints, by ids or identity values only
(`selection_http`). `record_lookup` keeps the counts and feeds the register; `send_letters`
mails the letter to each person once per breach (a keyed hash of the address makes it
idempotent) and writes each sending to the audit log with a subject reference, never the
address.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from steward.breaches.selection_http import http_groups
from steward.breaches.selection_sql import Filter, Group, Query, Reader, TableMissing, connect
from steward.breaches.tables import BreachLetter, BreachLookup
from steward.config import Settings
from steward.connectors.registry import resolve_url
from steward.consent.subjects import email_hasher
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
    identities: dict[str, list[str]] = Field(
        default_factory=dict, description="identity type (email, customer_number, ...) -> "
        "values, matched exactly on the table's identity columns (e.g. the addresses found in "
        "a leaked file); the way to select in HTTP systems, with ids")
    filters: list[FilterInput] = Field(default_factory=list)
    country_column: str | None = Field(
        default=None, description="declared column with the person's country: picks the "
        "letter language from that country's authority when the policy offers it")
    language: str | None = Field(default=None, description="letter language for everyone")

    def described(self) -> dict[str, Any]:
        """The selection without filter or identity values (which may be personal data)."""
        return {
            "system": self.system, "table": self.table, "date_column": self.date_column,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "ids": len(self.ids), "filters": [[f.field, f.op] for f in self.filters],
            "identities": {k: len(v) for k, v in self.identities.items()},
        }

    def query(self) -> Query:
        values = {k: tuple(dict.fromkeys(x for x in v if x)) for k, v in self.identities.items()}
        return Query(
            table=self.table, date_column=self.date_column, since=self.since, until=self.until,
            ids=tuple(self.ids), identities=tuple((k, v) for k, v in values.items() if v),
            filters=tuple(Filter(f.field, f.op, f.value) for f in self.filters),
            country_column=self.country_column,
        )


class Person:
    """One person to write to: the normalized address, the letter language, the number of
    selected rows. `ref`, the keyed hash of the address (for audit details and idempotent
    letters), is computed on first use: a lookup that only counts never pays for it."""

    __slots__ = ("email", "language", "rows", "_refs", "_ref")

    def __init__(self, email: str, language: str, rows: int, refs: _Refs) -> None:
        self.email = email
        self.language = language
        self.rows = rows
        self._refs = refs
        self._ref: str | None = None

    @property
    def ref(self) -> str:
        if self._ref is None:
            self._ref = self._refs(self.email)
        return self._ref

    def __repr__(self) -> str:  # never the address
        return f"Person(ref={self.ref[:12]}…, language={self.language!r}, rows={self.rows})"


@dataclass
class Affected:
    """The outcome of a lookup. `found` holds (address, letter language, rows) per person,
    sorted by address: plain tuples, which the garbage collector stops tracking, so a lookup
    over many people does not make Python's collector walk the whole heap. `people` gives
    them as `Person` objects (with `ref`), made on first use."""

    system: str
    table: str
    records: int = 0
    found: list[tuple[str, str, int]] = field(default_factory=list)
    without_address: int = 0
    refs: _Refs | None = field(default=None, repr=False)
    # Why the system could not be searched: the counts are then unknown, not zero.
    not_searched: str | None = None
    _people: list[Person] | None = field(default=None, init=False, repr=False)

    @property
    def subjects(self) -> int:
        return len(self.found)

    @property
    def people(self) -> list[Person]:
        if self._people is None:
            if self.refs is None:
                raise ValueError("a lookup's people need the installation's key for refs")
            refs = self.refs
            self._people = [Person(e, lang, n, refs) for e, lang, n in self.found]
        return self._people

    def summary(self) -> dict[str, Any]:
        """Counts only — safe to store, log and return to the browser."""
        out: dict[str, Any] = {
            "system": self.system, "table": self.table, "records": self.records,
            "subjects": self.subjects, "without_address": self.without_address}
        if self.not_searched is not None:
            out["not_searched"] = self.not_searched
        return out


def recipient_ref(secret: str, email: str) -> str:
    """HMAC-SHA256 of the normalized address under the installation's secret."""
    return _Refs(secret)(email)


class _Refs:
    """`recipient_ref` for many addresses: the keyed state is prepared once and copied."""

    def __init__(self, secret: str) -> None:
        self._base = email_hasher(secret)  # the consent subject key (HKDF of the secret)

    def __call__(self, email: str) -> str:
        h = self._base.copy()
        h.update(email.strip().lower().encode())
        return h.hexdigest()


def system_dirs(settings: Settings) -> tuple[Path, Path]:
    """(base_dir, policy_dir) as a deployment resolves the company systems: relative SQLite
    paths under the demo folder (data_dir/demo, where `steward demo` builds the systems),
    `url_file` and token files relative to the policy folder — as the other capabilities do."""
    policy = Path(settings.policy)
    return Path(settings.data_dir) / "demo", policy if policy.is_dir() else policy.parent


def find_affected(
    policy: Policy, sel: Selection, *, secret: str, base_dir: Path | None = None,
    policy_dir: Path | None = None,
) -> Affected:
    """The people whose rows `sel` selects, one entry per address (case-insensitive), sorted
    by address; rows without a usable address are counted apart. Relative SQLite paths are
    taken under `base_dir` (see `system_dirs`)."""
    system = policy.system(sel.system)
    for when in (sel.since, sel.until):
        if when is not None and when.tzinfo is None:
            raise InvalidInput("Give the time window with a time zone (e.g. +01:00 or Z).",
                               field="since" if when is sel.since else "until")
    if sel.since and sel.until and sel.until <= sel.since:
        raise InvalidInput("The end of the time window must be after its start.",
                           field="until")
    query = sel.query()
    if system.dataset_error is not None:
        return Affected(sel.system, sel.table, not_searched=system.dataset_error)
    try:
        if system.connector == "sql":
            url = resolve_url(system, base_dir=base_dir, policy_dir=policy_dir)
            with connect(system, url) as conn:
                return _tally(policy, sel, Reader(system, conn).groups(query), secret)
        if system.connector == "http":
            groups = http_groups(system, query, base_dir=base_dir, policy_dir=policy_dir)
            return _tally(policy, sel, groups, secret)
    except TableMissing as err:
        # Not searched is not "nobody affected": the lookup says why, the counts stay unknown.
        # (An unreachable system raises Unavailable: the lookup is then not recorded at all.)
        return Affected(sel.system, sel.table, not_searched=err.detail[:500])
    raise InvalidInput(
        f"System {system.key!r} uses the {system.connector!r} connector; the affected-people "
        "lookup reads SQL systems and HTTP systems (by ids or identity values)."
    )


def _tally(policy: Policy, sel: Selection, groups: Iterable[Group], secret: str) -> Affected:
    """Fold address groups into people: addresses merge case-insensitively; a person's
    country is the one on most of their rows (ties: the first alphabetically)."""
    out = Affected(sel.system, sel.table, refs=_Refs(secret))
    rows: dict[str, int] = {}
    countries: dict[str, dict[str, int]] = {}
    records = without = 0
    for email, country, n in groups:
        records += n
        if email is None or "@" not in email:
            without += n
            continue
        key = email.strip().lower()
        rows[key] = rows.get(key, 0) + n
        if country and country.strip():
            seen = countries.setdefault(key, {})
            code = country.strip().upper()
            seen[code] = seen.get(code, 0) + n
    out.records, out.without_address = records, without
    if sel.language or not countries:  # one language for everyone: no work per person
        lang = letter_language(policy, sel.language)
        out.found = [(key, lang, rows[key]) for key in sorted(rows)]
        return out
    langs: dict[str | None, str] = {}
    for key in sorted(rows):
        wanted = _country_language(policy, _most(countries.get(key)))
        chosen = langs.get(wanted)
        if chosen is None:
            chosen = langs[wanted] = letter_language(policy, wanted)
        out.found.append((key, chosen, rows[key]))
    return out


def _most(counts: dict[str, int] | None) -> str | None:
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], c))


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
                          subjects=found.subjects, records=found.records,
                          without_address=found.without_address,
                          not_searched=found.not_searched)
    session.add(lookup)
    if update_counts and row.status == "open" and found.not_searched is None:
        keep_version(session, row, actor=actor, change="counted", now=now)
        row.subjects_approx = found.subjects + found.without_address
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
    policy_dir: Path | None = None, now: datetime | None = None,
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
    if base_dir is None:
        base_dir, policy_dir = system_dirs(settings)
    found = find_affected(policy, sel, secret=secret, base_dir=base_dir, policy_dir=policy_dir)
    if found.not_searched is not None:
        raise Unavailable(f"not searched: {found.system}: {found.not_searched}")
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
