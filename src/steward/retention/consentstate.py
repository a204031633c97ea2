"""Consent states for retention conditions: which identity values of a company table have
given, or withdrawn, consent for a purpose in Steward's own ledger.

The ledger knows a person by a keyed hash of their normalized e-mail (`consent.subjects`), the
company table by the address itself. So the table's distinct addresses are read in one
streamed scan, in batches, hashed here in Python with the same key, and looked up in the
ledger's current state; what comes back are the company's own values, bound as a list into
the rule's SQL (`conditions.py`). Addresses are never logged or kept beyond the call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from steward.consent import state as consent_state
from steward.consent.subjects import email_hasher, normalize_email
from steward.errors import InvalidInput
from steward.retention import conditions
from steward.retention.statements import RuleSql

BATCH = 1000


@dataclass
class ConsentReader:
    """Reads the ledger's current state (`session`, Steward's store) for identity values,
    hashing e-mail addresses with the key derived from `secret` as the ledger does."""

    session: Session
    secret: str
    at: datetime | None = None

    def states(self, values: list[str], purpose: str) -> dict[str, str]:
        """value -> "given" or "withdrawn" for the values with a recorded decision."""
        refs: dict[str, list[str]] = {}  # spellings of one address share a reference
        hasher = email_hasher(self.secret)
        for value in values:
            try:
                normal = normalize_email(value)
            except InvalidInput:
                continue  # not an address: no ledger record can match it
            h = hasher.copy()
            h.update(normal.encode())
            refs.setdefault("email:" + h.hexdigest(), []).append(value)
        found = consent_state.for_subjects(self.session, list(refs), purpose)
        out: dict[str, str] = {}
        for ref, row in found.items():
            now = consent_state.effective(row, self.at)
            for value in refs[ref]:
                out[value] = "given" if now == "given" else "withdrawn"
        return out


def _distinct(conn: Connection, column: sa.Column[Any]) -> Iterator[list[Any]]:
    """The column's distinct non-empty values, in batches of `BATCH`, from one streamed scan
    (a server-side cursor where the driver has one), so memory stays flat."""
    # Options on the statement, not the connection: `Connection.execution_options` changes the
    # connection itself, and every later statement would run through a server-side cursor
    # (which PostgreSQL plans for the first rows, not for a count).
    q = sa.select(column).where(column.is_not(None)).distinct().execution_options(
        yield_per=BATCH)
    result = conn.execute(q)
    for part in result.partitions():
        yield [r[0] for r in part]


def load(conn: Connection, sql: RuleSql, reader: ConsentReader | None) -> None:
    """Fill `sql.consent` for every consent part of the rule's condition. Without a reader a
    rule that needs one fails with a clear error when its SQL is built."""
    parts = conditions.consent_parts(sql.rr.rule.condition)
    if not parts or reader is None:
        return
    values: dict[conditions.ConsentKey, dict[str, list[Any]]] = {}
    for part in parts:
        key = conditions.consent_key(part)
        if key in values:
            continue
        if part.identity != "email":
            raise InvalidInput(
                f"retention rule {sql.rr.key!r}: consent records are matched by e-mail; "
                f"identity {part.identity!r} cannot be matched"
            )
        column = sql.identity_column(part.identity)
        found: dict[str, list[Any]] = {"given": [], "withdrawn": []}
        for batch in _distinct(conn, column):
            for value, state in reader.states([str(v) for v in batch], part.purpose).items():
                found[state].append(value)
        values[key] = found
    sql.consent = values
