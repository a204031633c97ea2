"""Importing consents given before Steward (e.g. a newsletter tool's subscriber list).

A CSV file with a header row; columns (any order, extra columns refused so that a typo in a
column name is not silently ignored):

- `identity`     the person: an e-mail address, `acct:<account id>` or a consent id
- `purpose`      the policy's consent purpose key (its legal basis must be consent, Art. 6(1)(a))
- `given_at`     when the consent was originally given: `YYYY-MM-DD` or an ISO 8601 timestamp
                 (a timestamp without an offset is UTC); never in the future
- `source`       where the consent was collected, e.g. `newsletter tool`
- `evidence`     what proves it (Art. 7(1)), e.g. "double opt-in confirmed, list export of
                 2026-12-01"; may be empty: then "imported from <source> on <today>"
- `withdrawn_at` optional: when it was withdrawn in the earlier system

Each good row becomes a `given` event (and a `withdrawn` one) in the ledger with the original
date, the `import` method (so it is never mistaken for a consent given in Steward), the source
and the evidence, in the same hash chain as every other decision. A row is written whole or
not at all (a savepoint per row). Re-importing the same file adds nothing: a row's fingerprint
(subject, purpose, dates) is kept with its events and an identical row is counted as
`already imported`. A row is refused, with its line number and the reason, when the identity,
purpose or dates are bad, or when Steward already holds a later decision for that person and
purpose (an old list must never overrule what the person chose since).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.consent import ledger, state
from steward.consent.purposes import COOKIE_PREFIX, PurposeInfo, by_key, now
from steward.consent.subjects import subject_ref
from steward.consent.tables import ConsentEvent
from steward.errors import InvalidInput
from steward.i18n import gettext as _
from steward.policy.models import LegalBasis, Policy
from steward.store.db import as_utc

METHOD = "import"
REQUIRED = ("identity", "purpose", "given_at", "source", "evidence")
OPTIONAL = ("withdrawn_at",)
COLUMNS = (*REQUIRED, *OPTIONAL)
MAX_SOURCE = 200
MAX_EVIDENCE = 600
FINGERPRINT_PREFIX = "import:"


@dataclass(frozen=True)
class Refused:
    """A row left out: its line in the file (the header is line 1) and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did: rows recorded, rows recorded by an earlier import of the same
    data, rows refused (with line numbers), and the ledger events written."""

    imported: int = 0
    already: int = 0
    events: int = 0
    refused: list[Refused] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.imported + self.already + len(self.refused)

    def to_dict(self) -> dict[str, object]:
        return {
            "imported": self.imported,
            "already_imported": self.already,
            "events": self.events,
            "refused": [r.__dict__ for r in self.refused],
        }


def parse_moment(value: str, column: str) -> datetime:
    """`YYYY-MM-DD` (midnight UTC) or an ISO 8601 timestamp (UTC when it has no offset)."""
    text = value.strip()
    if not text:
        raise InvalidInput(_("%(column)s is empty") % {"column": column})
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            _("%(column)s is not a date (YYYY-MM-DD or an ISO 8601 timestamp): %(value)s")
            % {"column": column, "value": text[:40]}
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def fingerprint(ref: str, purpose: str, given: datetime, withdrawn: datetime | None) -> str:
    """What makes two rows the same consent: subject, purpose and dates (not the wording of
    the evidence, so a corrected evidence text does not import the consent twice)."""
    raw = "\x1f".join((ref, purpose, given.isoformat(), withdrawn.isoformat() if withdrawn else ""))
    return FINGERPRINT_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _purpose(policy: Policy, key: str) -> PurposeInfo:
    info = by_key(policy).get(key.strip())
    if info is None:
        raise InvalidInput(_("unknown purpose %(key)s") % {"key": repr(key.strip()[:60])})
    if info.kind == "cookie" or key.startswith(COOKIE_PREFIX):
        raise InvalidInput(_("cookie consents are given in the cookie banner, not imported"))
    if info.legal_basis != LegalBasis.consent.value or info.mode != "opt_in":
        raise InvalidInput(
            _(
                "purpose %(key)s does not rest on consent (GDPR Art. 6(1)(%(basis)s)): there is "
                "no consent to import"
            )
            % {"key": info.key, "basis": info.legal_basis}
        )
    return info


def _already(session: Session, ref: str, purpose: str, mark: str) -> bool:
    return (
        session.scalar(
            select(ConsentEvent.seq)
            .where(
                ConsentEvent.subject_ref == ref,
                ConsentEvent.purpose == purpose,
                ConsentEvent.method == METHOD,
                ConsentEvent.form_id == mark,
            )
            .limit(1)
        )
        is not None
    )


def import_row(
    session: Session,
    policy: Policy,
    secret: str,
    row: Mapping[str, str | None],
    *,
    recorded_by: str,
    at: datetime,
) -> int:
    """Record one row in the caller's transaction; the number of events written (0: the
    same row was imported before). InvalidInput names what is wrong with the row."""

    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    if not cell("identity"):
        raise InvalidInput(_("identity is empty"))
    try:
        ref = subject_ref(secret, cell("identity"))
    except InvalidInput:
        raise InvalidInput(
            _("identity is not an e-mail address, acct:<account id> or a consent id")
        ) from None
    info = _purpose(policy, cell("purpose"))
    given = parse_moment(cell("given_at"), "given_at")
    withdrawn = parse_moment(cell("withdrawn_at"), "withdrawn_at") if cell("withdrawn_at") else None
    if given > at:
        raise InvalidInput(_("given_at %(date)s is in the future") % {"date": cell("given_at")})
    if withdrawn is not None and withdrawn > at:
        raise InvalidInput(
            _("withdrawn_at %(date)s is in the future") % {"date": cell("withdrawn_at")}
        )
    if withdrawn is not None and withdrawn < given:
        raise InvalidInput(_("withdrawn_at is before given_at"))
    source = cell("source")
    if not source:
        raise InvalidInput(_("source is empty: say where the consent was collected"))
    if len(source) > MAX_SOURCE:
        raise InvalidInput(_("source is longer than %(n)d characters") % {"n": MAX_SOURCE})
    evidence = cell("evidence") or _("imported from %(source)s on %(date)s") % {
        "source": source,
        "date": at.date().isoformat(),
    }
    if len(evidence) > MAX_EVIDENCE:
        raise InvalidInput(_("evidence is longer than %(n)d characters") % {"n": MAX_EVIDENCE})
    mark = fingerprint(ref, info.key, given, withdrawn)
    if _already(session, ref, info.key, mark):
        return 0
    current = state.get(session, ref, info.key)
    decided = as_utc(current.updated_at) if current is not None else None
    if decided is not None and decided >= (withdrawn or given):
        raise InvalidInput(
            _(
                "a later decision for this person and purpose is recorded "
                "already (%(date)s): the import does not overrule it"
            )
            % {"date": decided.date().isoformat()}
        )
    written = 0
    for action, moment in (("given", given), ("withdrawn", withdrawn)):
        if moment is None:
            continue
        ledger.record(
            session,
            policy,
            subject_ref=ref,
            purpose=info,
            action=action,
            at=moment,
            method=METHOD,
            recorded_by=recorded_by,
            source_page=source,
            form_id=mark,
            evidence_ref=evidence,
        )
        written += 1
    return written


def import_rows(
    session: Session,
    policy: Policy,
    secret: str,
    rows: Iterable[Mapping[str, str | None]],
    *,
    recorded_by: str,
    first_line: int = 2,
    at: datetime | None = None,
) -> ImportReport:
    """Import `rows` (dicts keyed by COLUMNS) in the caller's transaction, each in a savepoint
    of its own: a refused row leaves nothing behind and does not stop the others."""
    at = at or now()
    report = ImportReport()
    for line, row in enumerate(rows, start=first_line):
        try:
            with session.begin_nested():
                written = import_row(session, policy, secret, row, recorded_by=recorded_by, at=at)
        except InvalidInput as err:
            report.refused.append(Refused(line, err.detail))
            continue
        if written:
            report.imported += 1
            report.events += written
        else:
            report.already += 1
    return report


def read_csv(data: bytes | str) -> tuple[list[dict[str, str | None]], int]:
    """The rows of a CSV import file and the line number of the first one. InvalidInput when
    the file is not UTF-8 CSV or its header lacks a column or has an unknown one."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(_("the file is not UTF-8 text")) from None
    reader = csv.DictReader(io.StringIO(data, newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        if not header:
            raise InvalidInput(_("the file is empty: it needs a header row"))
        reader.fieldnames = header
        missing = [c for c in REQUIRED if c not in header]
        unknown = [c for c in header if c not in COLUMNS]
        if missing:
            raise InvalidInput(
                _("the header lacks the column(s): %(cols)s") % {"cols": ", ".join(missing)}
            )
        if unknown:
            raise InvalidInput(
                _("unknown column(s) in the header: %(cols)s; the columns are %(known)s")
                % {"cols": ", ".join(unknown)[:200], "known": ", ".join(COLUMNS)}
            )
        rows: list[dict[str, str | None]] = []
        for raw in reader:
            if None in raw:  # more cells than header columns
                raw = {k: v for k, v in raw.items() if k is not None}
                raw["__extra__"] = "x"
            rows.append(raw)
    except csv.Error as err:
        raise InvalidInput(_("the file is not valid CSV: %(err)s") % {"err": str(err)}) from None
    return rows, 2


def import_csv(
    session: Session,
    policy: Policy,
    secret: str,
    data: bytes | str,
    *,
    recorded_by: str,
    at: datetime | None = None,
) -> ImportReport:
    """Read and import a CSV file (see the module docstring), in the caller's transaction."""
    rows, first = read_csv(data)
    at = at or now()
    report = ImportReport()
    good: list[tuple[int, dict[str, str | None]]] = []
    for line, row in enumerate(rows, start=first):
        if "__extra__" in row:
            report.refused.append(Refused(line, _("the row has more cells than the header")))
        else:
            good.append((line, row))
    for line, row in good:
        part = import_rows(
            session, policy, secret, [row], recorded_by=recorded_by, first_line=line, at=at
        )
        report.imported += part.imported
        report.already += part.already
        report.events += part.events
        report.refused.extend(part.refused)
    report.refused.sort(key=lambda r: r.line)
    return report
