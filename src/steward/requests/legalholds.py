"""GDPR Art. 17(3)(e): legal holds bind erasure.

A legal hold (`steward.retention.holds`) placed on a record (system, table, primary key) or on
a subject (an identity type and value, in every system or in one) keeps the held rows through an
erasure: the erasure plan keeps them, restricted (Art. 18(2): only stored), and the answer says
"kept under a legal hold placed on DATE". The hold's own reason is internal (a claim, a case, an
authority's order) and never reaches the plan or the answer.

- A record hold keeps its row and the found rows below it (an invoice's lines): the record as
  the claim needs it.
- A subject hold whose identity value is one of the subject's (as the search found them) keeps
  every row found for the subject in the hold's system, or in every system.

Holds are read from the store right before each system's plan is made, so a hold placed between
the officer's approval and the run still applies (`steward.requests.execute`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from steward.connectors.base import KeepHook, Row, SubjectRecords
from steward.legal import erasure_words
from steward.policy.models import SystemSpec, TableSpec
from steward.retention.holds import active_holds

ARTICLE = "GDPR Art. 17(3)(e)"


@dataclass(frozen=True)
class Hold:
    """An active legal hold as erasure needs it: no reason (internal), the date it was placed."""

    id: int
    placed_on: date
    system: str | None
    table: str | None
    pk: str | None
    identity_type: str | None
    identity_value: str | None

    def reason(self) -> str:
        """What the plan and the answer say about a row this hold keeps."""
        return erasure_words.say(erasure_words.KEPT_BY_HOLD, date=self.placed_on.isoformat())


def active(session: Session) -> list[Hold]:
    """The holds in force now, oldest first."""
    return [
        Hold(
            id=h.id,
            placed_on=h.created_at.date(),
            system=h.system,
            table=h.table_name,
            pk=h.pk,
            identity_type=h.identity_type,
            identity_value=h.identity_value,
        )
        for h in active_holds(session)
    ]


def _norm(kind: str, value: str) -> str:
    value = value.strip()
    return value.casefold() if kind == "email" or "@" in value else value


def _key(table: TableSpec, row: Row) -> str:
    """A row's key as a hold names it: the value, or the values joined by commas."""
    return ",".join(str(row.get(c)) for c in table.key_columns)


def held_rows(
    spec: SystemSpec,
    records: SubjectRecords,
    identities: Mapping[str, Iterable[str]],
    holds: Sequence[Hold],
) -> dict[tuple[str, str], Hold]:
    """(table, row key) -> the hold keeping it, among the rows found in this system."""
    mine = {k: {_norm(k, v) for v in vs} for k, vs in identities.items()}
    tables = {t.name: t for t in spec.tables}
    out: dict[tuple[str, str], Hold] = {}
    for hold in holds:
        if hold.system and hold.system != spec.key:
            continue
        if hold.identity_type and hold.identity_value:
            if _norm(hold.identity_type, hold.identity_value) in mine.get(hold.identity_type, ()):
                for name, rows in records.tables.items():
                    for row in rows:
                        out.setdefault((name, _key(tables[name], row)), hold)
            continue
        if hold.table in tables and hold.pk is not None:
            for row in records.tables.get(hold.table, []):
                if _key(tables[hold.table], row) == hold.pk:
                    out.setdefault((hold.table, hold.pk), hold)
    _add_dependants(spec, records, out)
    return out


def _add_dependants(
    spec: SystemSpec, records: SubjectRecords, out: dict[tuple[str, str], Hold]
) -> None:
    """Rows that reference a held row (transitively) are held with it."""
    tables = {t.name: t for t in spec.tables}
    grew = True
    while grew:
        grew = False
        for t in spec.tables:
            for ref in t.references:
                parent, columns = ref.target_table, ref.target_columns
                held_values: dict[Any, Hold] = {
                    tuple(row.get(c) for c in columns): out[(parent, _key(tables[parent], row))]
                    for row in records.tables.get(parent, [])
                    if parent in tables and (parent, _key(tables[parent], row)) in out
                }
                if not held_values:
                    continue
                for row in records.tables.get(t.name, []):
                    k = (t.name, _key(t, row))
                    value = tuple(row.get(c) for c in ref.fields)
                    if k not in out and None not in value and value in held_values:
                        out[k] = held_values[value]
                        grew = True


def binding(held: Mapping[tuple[str, str], Hold], then: KeepHook) -> KeepHook:
    """A keep hook: a held row is kept for its hold (Art. 17(3)(e)) before anything else is
    asked; other rows go to `then` (the statutory periods, Art. 17(3)(b))."""
    if not held:
        return then

    def hook(table: TableSpec, row: Row) -> str | None:
        hold = held.get((table.name, _key(table, row)))
        return hold.reason() if hold is not None else then(table, row)

    return hook
