"""Redaction in place: rewrite rows of a company table so that their free text keeps its
meaning but loses national identity numbers, health and absence wording (GDPR Art. 9(1),
Art. 5(1)(c) data minimisation; Danish Data Protection Act § 11 for CPR numbers).

- `redact_value(value, ...)`: one value through `scan_and_redact`, repeated until a scan of
  the result finds nothing (so a rerun never finds more), falling back to the length-keeping
  mask when a tag would not fit the column.
- `redact_batch(conn, table, key, fields, keys, ...)`: one batch inside the caller's company
  transaction: read the rows (locked `FOR UPDATE` where the database can), update only rows
  whose text changed, one UPDATE statement per row. The shared building block: retention
  sweeps whose action is `redact` can call it from their own batch protocol.
- `redact_rows(engine, sm, system, table, fields, pks=..., where=...)`: rows chosen by
  keys (tuples for a table keyed by several columns) or structured conditions (`Condition`,
  on the table or a parent it references), in keyset batches, one company transaction per
  batch, one audit event per batch.
- `run_batches(...)`: the keyset batch loop with its audit events, which `redact_rows` and the
  retention engine's `redact_rule` (`steward.retention.redaction`) share.

Idempotent: a rerun finds nothing left and changes nothing. A kill mid-batch leaves each row
either fully old or fully new (each UPDATE is one statement inside the batch's transaction,
which commits or rolls back whole). The audit event of a batch is committed just before the
company transaction commits, so no change is ever made without its event; should that commit
fail, a `scanner.redaction_failed` event follows, and a rerun redacts the same rows again.
Audit events name system, table, fields, counts by type and the key range — never the data.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.connectors.base import json_safe
from steward.connectors.graph import build_graph, up_path
from steward.errors import InvalidInput, Unavailable
from steward.policy.models import SystemSpec
from steward.scanner import keys as rowkeys
from steward.scanner.engine import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MIN_CONFIDENCE,
    UnscannableText,
    as_text,
)
from steward.scanner.redact import Operator, scan_and_redact
from steward.store.db import transaction

DEFAULT_BATCH = 500
MAX_PASSES = 3  # redacting can change the context of what is left; settle within one run
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "is_null", "not_null")
# (conn, after) -> (keys to redact, the window's last key; None when no window is left)
Keys = Callable[[Connection, Any], tuple[list[Any], Any]]


def redaction_key(secret: str) -> bytes:
    """The HMAC key of the `hash` operator, derived from Steward's secret."""
    return hmac.new(secret.encode(), b"steward.scanner.redact", hashlib.sha256).digest()


@dataclass(frozen=True)
class Options:
    operator: Operator | str = Operator.TAG
    key: bytes | None = None
    types: frozenset[str] | None = None
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    max_chars: int = DEFAULT_MAX_CHARS


def redact_value(value: Any, opts: Options, max_length: int | None = None
                 ) -> tuple[Any, Counter[str], str | None]:
    """(new value, findings redacted by type, reason the value was skipped or None)."""
    if value is None:
        return value, Counter(), None
    if not isinstance(value, str | bytes):
        return value, Counter(), "not_text"
    try:
        original = as_text(value, max_chars=opts.max_chars)
    except UnscannableText as err:
        return value, Counter(), err.reason
    text, counts = original, Counter[str]()
    for _ in range(MAX_PASSES):
        op = opts.operator
        result = scan_and_redact(text, op, types=opts.types, key=opts.key,
                                 min_confidence=opts.min_confidence, max_chars=opts.max_chars)
        if not result.findings:
            break
        if max_length is not None and len(result.text) > max_length:
            # A tag can be longer than what it replaces; the mask keeps the length exactly.
            result = scan_and_redact(text, Operator.MASK, types=opts.types,
                                     min_confidence=opts.min_confidence,
                                     max_chars=opts.max_chars)
        counts.update(f.type for f in result.findings)
        text = result.text
    return (value if text == original else text), counts, None


@dataclass
class BatchOutcome:
    """One batch: rows read and changed, redacted findings per field and type, skips."""

    keys: list[Any] = field(default_factory=list)
    rows_read: int = 0
    rows_changed: int = 0
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)


def redact_batch(conn: Connection, table: sa.Table, pk: str | Sequence[str],
                 fields: Sequence[str], keys: Sequence[Any], opts: Options) -> BatchOutcome:
    """Redact `fields` of the rows with keys `keys` inside the caller's transaction. `pk` is
    the key column, or the key columns in order (`TableSpec.key_columns`); a key is then a
    tuple of their values."""
    names = (pk,) if isinstance(pk, str) else tuple(pk)
    wanted = [rowkeys.as_key(k, len(names)) for k in keys]
    out = BatchOutcome(keys=[rowkeys.public(k) for k in wanted],
                       counts={f: Counter() for f in fields})
    if not keys:
        return out
    cols = rowkeys.key_columns(table, names)
    q = sa.select(*cols, *(table.c[f] for f in fields)).where(
        rowkeys.one_of(cols, wanted)).order_by(*cols)
    if conn.dialect.name != "sqlite":
        q = q.with_for_update()  # nobody edits these rows between our read and our write
    lengths = {f: getattr(table.c[f].type, "length", None) for f in fields}
    where, params = rowkeys.equals(cols)
    stmt = sa.update(table).where(where)
    width = len(cols)
    for row in conn.execute(q).all():
        out.rows_read += 1
        changed: dict[str, Any] = {}
        for name, value in zip(fields, row[width:], strict=True):
            new, counts, skipped = redact_value(value, opts, lengths[name])
            if skipped:
                out.skipped[skipped] += 1
            if new is not value and new != value:
                changed[name] = new
                out.counts[name].update(counts)
        if changed:
            bound = dict(zip(params, row[:width], strict=True))
            out.rows_changed += conn.execute(stmt.values(**changed), bound).rowcount
    return out


@dataclass(frozen=True)
class Condition:
    """A structured row condition: `column` is `col` of the table or `parent.col` of a table
    it references (joined along the references); `op` one of `OPS`; `value` a list for `in`,
    nothing for `is_null`/`not_null`. Values reach the database as bound parameters only."""

    column: str
    op: str = "eq"
    value: Any = None


def _clause(col: sa.Column[Any], c: Condition) -> sa.ColumnElement[bool]:
    if c.op == "is_null":
        return col.is_(None)
    if c.op == "not_null":
        return col.is_not(None)
    if c.op == "in":
        values = list(c.value) if isinstance(c.value, list | tuple | set) else [c.value]
        return col.in_(sa.bindparam(None, values, expanding=True, type_=col.type))
    bound = sa.bindparam(None, c.value, type_=col.type)
    return {"eq": col == bound, "ne": col != bound, "lt": col < bound, "le": col <= bound,
            "gt": col > bound, "ge": col >= bound}[c.op]


@dataclass
class RedactionReport:
    """What a redaction run did, for the CLI and tests (no personal data)."""

    system: str
    table: str
    fields: list[str]
    operator: str
    rule: str | None = None
    rows_read: int = 0
    rows_changed: int = 0
    batches: int = 0
    held: int = 0  # due rows left alone under a legal hold
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system, "table": self.table, "rule": self.rule,
                "fields": self.fields, "operator": self.operator, "rows_read": self.rows_read,
                "rows_changed": self.rows_changed, "batches": self.batches, "held": self.held,
                "counts": {f: dict(sorted(c.items())) for f, c in self.counts.items()},
                "skipped": dict(sorted(self.skipped.items()))}


def run_batches(engine: Engine, sm: sessionmaker[Session], report: RedactionReport, table: sa.Table,
         pk: str | Sequence[str], next_keys: Keys, opts: Options, actor: str
         ) -> RedactionReport:
    """The batch loop shared by `redact_rows` and `retention.redaction.redact_rule`."""
    report.counts = {f: Counter() for f in report.fields}
    after: Any = None
    try:
        with engine.connect() as conn:
            while True:
                audited: dict[str, Any] | None = None
                try:
                    with conn.begin():
                        keys, last = next_keys(conn, after)
                        if last is None:
                            break
                        b = redact_batch(conn, table, pk, report.fields, keys, opts)
                        if b.rows_changed:
                            audited = _batch_event(report, b, opts)
                            with transaction(sm) as s:  # the event first, then the change
                                audit.append(s, actor=actor, action="scanner.redacted",
                                             subject_ref=f"{report.system}.{report.table}",
                                             details=audited)
                except Exception:
                    if audited is not None:
                        with transaction(sm) as s:
                            audit.append(s, actor=actor, action="scanner.redaction_failed",
                                         subject_ref=f"{report.system}.{report.table}",
                                         details={k: audited[k] for k in (
                                             "system", "table", "pk_first", "pk_last")})
                    raise
                after = last
                report.rows_read += b.rows_read
                report.rows_changed += b.rows_changed
                report.batches += 1 if b.rows_changed else 0
                report.skipped.update(b.skipped)
                for f, c in b.counts.items():
                    report.counts[f].update(c)
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as err:
        raise Unavailable(f"system {report.system!r} is unavailable "
                          f"({err.__class__.__name__})") from None
    return report


def _batch_event(report: RedactionReport, b: BatchOutcome, opts: Options) -> dict[str, Any]:
    # Where and what kind, never the text: field names, counts by type, the key range.
    return {"system": report.system, "table": report.table, "rule": report.rule,
            "operator": str(Operator(opts.operator)), "rows": b.rows_changed,
            "pk_first": json_safe(b.keys[0]), "pk_last": json_safe(b.keys[-1]),
            "fields": {f: dict(sorted(c.items())) for f, c in b.counts.items() if c},
            "skipped": dict(sorted(b.skipped.items()))}


@contextmanager
def reading(system: SystemSpec) -> Iterator[Callable[[Callable[[], sa.Table], str], sa.Table]]:
    """Reflection with the system's errors as Steward errors: an unreachable database is
    `Unavailable`, a missing table `InvalidInput`."""

    def read(make: Callable[[], sa.Table], name: str) -> sa.Table:
        try:
            return make()
        except sa_exc.NoSuchTableError:
            raise InvalidInput(f"system {system.key!r} has no table {name!r}") from None

    try:
        yield read
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as err:
        raise Unavailable(f"system {system.key!r} is unavailable "
                          f"({err.__class__.__name__})") from None


def check_fields(system: SystemSpec, table: str, fields: Iterable[str]) -> list[str]:
    graph = build_graph(system)
    spec = graph.table(table)
    declared = {f.name for f in spec.fields} - graph.structural_columns(table)
    fields = list(dict.fromkeys(fields))
    bad = [f for f in fields if f not in declared]
    if bad or not fields:
        raise InvalidInput(f"{system.key}.{table}: cannot redact {', '.join(bad) or '(nothing)'}"
                           f"; declared fields: {', '.join(sorted(declared))}")
    return fields


def redact_rows(
    engine: Engine, sm: sessionmaker[Session], system: SystemSpec, table: str,
    fields: Iterable[str], *, pks: Iterable[Any] | None = None,
    where: Sequence[Condition] = (), operator: Operator | str = Operator.TAG,
    key: bytes | None = None, types: frozenset[str] | None = None,
    batch_size: int = DEFAULT_BATCH, actor: str = "scanner",
) -> RedactionReport:
    """Redact `fields` of the rows of `system.table` with keys `pks` and/or matching every
    condition of `where`; InvalidInput for undeclared columns or an unknown operator. A key
    is the key column's value, or a tuple in `key_columns` order for a table keyed by
    several columns."""
    if pks is None and not where:
        raise InvalidInput("say which rows to redact: primary keys or conditions")
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1")
    fields = check_fields(system, table, fields)
    opts = Options(operator, key, types)
    scan_and_redact("", operator, key=key)  # checks the operator and key before any work
    graph = build_graph(system)
    spec = graph.table(table)
    key_names = spec.key_columns
    try:
        wanted = sorted({rowkeys.as_key(k, len(key_names)) for k in pks}) if pks is not None \
            else None
    except ValueError as err:
        raise InvalidInput(f"{system.key}.{table}: {err} ({', '.join(key_names)})") from None
    resolved: list[tuple[list[Any], str, Condition]] = []
    for c in where:
        if c.op not in OPS:
            raise InvalidInput(f"unknown condition {c.op!r}; known: {', '.join(OPS)}")
        owner, _, column = c.column.rpartition(".")
        owner = owner or table
        path = up_path(graph, table, owner) if owner in graph.tables else None
        if path is None or column not in graph.columns(owner):
            raise InvalidInput(f"condition on {c.column!r}: not a declared column of {table!r} "
                               "or of a table it references")
        resolved.append((list(path), owner, c))
    names = {table, *(o for _, o, _ in resolved), *(e.parent for p, _, _ in resolved
                                                      for e in p)}
    with reading(system) as read:
        with engine.connect() as conn:
            md = sa.MetaData()
            tables = {n: read(partial(sa.Table, n, md, autoload_with=conn), n)
                      for n in sorted(names)}
    root = tables[table]
    cols = rowkeys.key_columns(root, key_names)
    src: sa.FromClause = root
    joined: set[tuple[str, str, str, str]] = set()
    for chain, _, _ in resolved:
        for e in chain:
            edge = (e.child, e.child_field, e.parent, e.parent_column)
            if edge not in joined:
                joined.add(edge)
                src = src.join(tables[e.parent], tables[e.child].c[e.child_field]
                               == tables[e.parent].c[e.parent_column])
    clauses = [_clause(tables[o].c[c.column.rpartition(".")[2]], c) for _, o, c in resolved]

    def next_keys(conn: Connection, after: Any) -> tuple[list[Any], Any]:
        q = sa.select(*cols).select_from(src).where(*clauses).order_by(*cols)
        if after is not None:
            q = q.where(rowkeys.after(cols, after))
        if wanted is not None:
            rest = [k for k in wanted if after is None or k > after][:batch_size]
            if not rest:
                return [], None
            q = q.where(rowkeys.one_of(cols, rest))
            return [tuple(r) for r in conn.execute(q)], rest[-1]
        found = [tuple(r) for r in conn.execute(q.limit(batch_size))]
        return found, (found[-1] if found else None)

    report = RedactionReport(system.key, table, fields, str(Operator(operator)))
    return run_batches(engine, sm, report, root, key_names, next_keys, opts, actor)
