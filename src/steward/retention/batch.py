"""One batch of a sweep inside one company-system transaction: select the window's expired
keys, leave held and blocked rows alone, work out what changes, then apply it.

`prepare` only reads; `apply` writes and returns the rows the database reports changed per
table. Both are safe to repeat: a window whose rows are already deleted, nulled, pseudonymized
or redacted prepares to no work at all.

Redaction is the scanner's own (`steward.scanner.inplace.redact_value`): the value is scanned
again until nothing is left, and the length-keeping mask replaces a tag that would not fit the
column. Values the scanner cannot read (binary, oversized, not text) stay as they are and are
counted by reason in `Prepared.skipped`, so the run's evidence says what was left unredacted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from steward.policy.models import RetentionAction
from steward.retention.holds import held_roots
from steward.retention.rules import ResolvedRule
from steward.retention.statements import RuleSql, batch_keys
from steward.retention.tables import LegalHold
from steward.retention.transforms import anonymize_value
from steward.scanner.inplace import Options, redact_value

# Every finding type, replaced by its tag (`[DK_CPR]`), as the seed's "anonymized at case close".
REDACT = Options()


@dataclass
class Governed:
    """A dependant table swept by its own rule: parents wait until its rows have expired."""

    table: str
    sql: RuleSql
    cutoff: date


@dataclass
class Prepared:
    """The work of one window: candidate keys, what is left alone, what changes."""

    cutoff: date | None = None
    after: Any = None
    ids: list[Any] = field(default_factory=list)
    eligible: list[Any] = field(default_factory=list)
    held: int = 0
    blocked: int = 0
    expected: dict[str, int] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # unscannable values, by reason

    @property
    def last(self) -> Any:
        return self.ids[-1]

    @property
    def has_work(self) -> bool:
        return any(self.expected.values())


def blocked_roots(conn: Connection, sql: RuleSql, governed: list[Governed], keys: Any) -> set[Any]:
    """Root keys owning a dependant row whose own rule has not expired it yet (or whose
    trigger date is empty): deleting the parent would take that row with it too early."""
    out: set[Any] = set()
    for g in governed:
        dep_cols = [sql.col(g.table, c) for c in sql.rr.graph.table(g.table).key_columns]
        dep_key = dep_cols[0] if len(dep_cols) == 1 else sa.tuple_(*dep_cols)
        not_expired = dep_key.not_in(g.sql.expired_keys(g.cutoff))
        out |= sql.roots_from_dependant(conn, g.table, not_expired, keys)
    return out


def prepare(
    conn: Connection,
    sql: RuleSql,
    *,
    cutoff: date,
    holds: list[LegalHold],
    governed: list[Governed],
    after: Any,
    upto: Any = None,
    limit: int | None = None,
    anonymize_key: bytes = b"",
    lock: bool = True,
) -> Prepared:
    """Read the window (`after`, `upto`] (or the next `limit` keys after `after`). `lock`
    takes row locks on the values an update will be computed from (not on SQLite); a dry run
    passes False so that counting never blocks the company's own writes."""
    ids = [sql.row_key(r) for r in
           conn.execute(sql.candidates(cutoff, after=after, upto=upto, limit=limit))]
    if not ids:
        return Prepared()
    keys = batch_keys(ids)
    held = held_roots(conn, sql, holds, keys) if holds else set()
    blocked = blocked_roots(conn, sql, governed, keys) - held if governed else set()
    eligible = [i for i in ids if i not in held and i not in blocked]
    p = Prepared(cutoff=cutoff, after=after, ids=ids, eligible=eligible, held=len(held),
                 blocked=len(blocked))
    if not eligible:
        return p
    rr = sql.rr
    if rr.rule.action is RetentionAction.delete:
        for table, stmt in sql.count_statements(batch_keys(eligible)):
            if table == rr.table:  # the eligible keys were just read in this transaction
                p.expected[table] = len(eligible)
            else:
                p.expected[table] = int(conn.execute(stmt).scalar_one())
        return p
    p.updates, p.skipped = _updates(conn, sql, eligible, anonymize_key, lock=lock)
    p.expected[rr.table] = len(p.updates)
    return p


def _updates(
    conn: Connection, sql: RuleSql, ids: list[Any], key: bytes, *, lock: bool = True
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """The changed fields of each row (`_pk` plus new values) and the unscannable values."""
    rr: ResolvedRule = sql.rr
    fields = list(rr.rule.fields)
    cols = [sql.col(rr.table, f) for f in fields]
    q = sa.select(*sql.key_cols, *cols).where(sql.pk.in_(batch_keys(ids)))
    if lock and conn.dialect.name != "sqlite":
        q = q.with_for_update()  # the values written in `apply` are computed from this read
    lengths = {f: getattr(sql.col(rr.table, f).type, "length", None) for f in fields}
    out: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    n = len(rr.keys)
    for row in conn.execute(q):
        old = dict(zip(fields, row[n:], strict=True))
        if rr.rule.action is RetentionAction.null:
            new = {f: None for f in fields}
        elif rr.rule.action is RetentionAction.anonymize:
            new = {f: anonymize_value(v, key, lengths[f]) for f, v in old.items()}
        else:
            new = {}
            for f, v in old.items():
                new[f], _, reason = redact_value(v, REDACT, lengths[f])
                if reason:
                    skipped[reason] += 1
        changed = {f: v for f, v in new.items() if v != old[f]}
        if changed:
            out.append({"_pk": sql.row_key(row), **changed})
    return out, skipped


def apply(conn: Connection, sql: RuleSql, p: Prepared) -> dict[str, int]:
    """Apply a prepared batch; the rows the database reports changed, per table."""
    counts: dict[str, int] = {}
    if not p.eligible:
        return counts
    rr = sql.rr
    if rr.rule.action is RetentionAction.delete:
        # Only an empty window lacks a cutoff, and it returned above.
        if p.eligible == p.ids and sql.range_deletes and p.cutoff is not None:
            stmts = sql.delete_window(p.cutoff, p.after, p.last)
        else:
            stmts = sql.delete_statements(batch_keys(p.eligible))
        for table, stmt in stmts:
            counts[table] = conn.execute(stmt).rowcount
        return counts
    total = 0
    for change in p.updates:
        values = {k: v for k, v in change.items() if k != "_pk"}
        update = sa.update(sql.root).where(sql.match_key(change["_pk"])).values(**values)
        total += conn.execute(update).rowcount
    counts[rr.table] = total
    return counts
