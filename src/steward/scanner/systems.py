"""Scanning company systems: where sensitive data lives, per system, table and field.

`scan_systems(policy, engines, ...)` walks the SQL systems the policy declares and, for each
table, reads the declared text fields (free-text fields, and every declared field whose column
holds text) in key batches (keyset pagination over all key columns, so memory stays bounded
by one batch whatever the table's size) and runs the detectors over each value. It reports,
per field, counts by finding type, a few masked examples (`0101**-****`: never a full
value), values scanned and values skipped by reason (binary, too large).

A finding of type T in a field is a **policy gap** unless the field's category, or one of the
categories the field `may_contain` (free text the company expects to receive such data in),
covers T: national identity numbers need a `national_id` category (Danish Data Protection Act
§ 11 and the like), health and absence wording a `special` one (GDPR Art. 9(1)). Otherwise the
notice and the record of processing understate what the company holds, and no special
safeguard is promised for it.

A field whose `may_contain` names special or national-id categories but that no retention rule
removes (delete of its table or of a table it depends on; redact, anonymize or null of the
field) is **unhandled**: the policy admits the data is there but nothing ever takes it out
(GDPR Art. 5(1)(e), Art. 9(1)). That is a separate warning, with or without findings.

Only columns the policy declares are read; values never leave this module except as masked
examples in the returned report (which is not stored, see `reports.py`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from steward.connectors.engines import SystemEngines
from steward.connectors.graph import build_graph, descendants
from steward.errors import InvalidInput, NotFound, StewardError, Unavailable
from steward.policy.models import (
    DataCategory,
    FieldSpec,
    Policy,
    RetentionAction,
    SystemSpec,
    TableSpec,
)
from steward.scanner import keys as rowkeys
from steward.scanner.engine import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MIN_CONFIDENCE,
    as_text,
    scan_batch,
)
from steward.scanner.findings import NATIONAL_ID_TYPES, WORDING_TYPES, Finding
from steward.scanner.keys import Key
from steward.scanner.redact import redact

DEFAULT_BATCH = 500
MAX_EXAMPLES = 3
GAP_TYPES = NATIONAL_ID_TYPES | WORDING_TYPES


@dataclass
class FieldScan:
    """What one field holds: counts by type, masked examples, values scanned and skipped."""

    system: str
    table: str
    field: str
    category: str | None = None
    free_text: bool = False
    # `dataclasses.field` in full: the attribute `field` above shadows the bare name here.
    may_contain: list[str] = dataclasses.field(default_factory=list)
    values_scanned: int = 0
    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    examples: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    skipped: Counter[str] = dataclasses.field(default_factory=Counter)
    gap: bool = False
    suggestion: str | None = None
    unhandled: str | None = None  # why the field is "unhandled" (see the module docstring)

    @property
    def findings(self) -> int:
        return sum(self.counts.values())

    @property
    def warnings(self) -> list[dict[str, str]]:
        """The field's warnings by kind: `gap` and `unhandled`."""
        out = [{"kind": "gap", "message": self.suggestion or ""}] if self.gap else []
        if self.unhandled:
            out.append({"kind": "unhandled", "message": self.unhandled})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system, "table": self.table, "field": self.field,
            "category": self.category, "free_text": self.free_text,
            "may_contain": list(self.may_contain),
            "values_scanned": self.values_scanned, "findings": self.findings,
            "counts": dict(sorted(self.counts.items())),
            "examples": {t: list(v) for t, v in sorted(self.examples.items())},
            "skipped": dict(sorted(self.skipped.items())),
            "gap": self.gap, "suggestion": self.suggestion, "unhandled": self.unhandled,
            "warnings": self.warnings,
        }


@dataclass
class TableScan:
    system: str
    table: str
    rows_scanned: int = 0
    fields: list[FieldScan] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "rows_scanned": self.rows_scanned,
                "fields": [f.to_dict() for f in self.fields]}


@dataclass
class SystemScan:
    """One system's report; `error` says why it could not be scanned (then `tables` is empty)."""

    system: str
    tables: list[TableScan] = field(default_factory=list)
    sample: int | None = None
    error: str | None = None

    @property
    def gaps(self) -> list[FieldScan]:
        return [f for t in self.tables for f in t.fields if f.gap]

    @property
    def unhandled(self) -> list[FieldScan]:
        return [f for t in self.tables for f in t.fields if f.unhandled]

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system, "sample": self.sample, "error": self.error,
                "tables": [t.to_dict() for t in self.tables]}


def masked_example(excerpt: str, finding_type: str) -> str:
    """The scanner's mask operator over a matched excerpt, keeping at most its first four
    characters (e.g. `0101**-****`), enough to recognise the kind of value, never the value."""
    masked = redact(excerpt, [Finding(finding_type, 0, len(excerpt), 1.0, "example")], "mask")
    keep = max(0, min(4, len(excerpt) // 2 - 1))
    return excerpt[:keep] + masked[keep:]


def _is_text(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.String | sa.Text)


def scannable_fields(spec: TableSpec, table: sa.Table) -> list[FieldSpec]:
    """Free-text fields, and every declared field whose column holds text."""
    return [f for f in spec.fields
            if f.name in table.c and (f.free_text or _is_text(table.c[f.name]))]


@contextmanager
def connect(engines: SystemEngines, system: SystemSpec) -> Iterator[Connection]:
    """A connection to the system; connection failures become `Unavailable` (naming the
    system only: a driver's message may echo parameters)."""
    try:
        with engines.engine(system).connect() as conn:
            yield conn
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as err:
        raise Unavailable(f"system {system.key!r} is unavailable ({err.__class__.__name__})"
                          ) from None


def reflect(conn: Connection, system: SystemSpec, spec: TableSpec,
            columns: list[str] | None = None) -> sa.Table:
    """The table with its key columns and the declared `columns` (default: declared fields)
    only; InvalidInput naming what the database lacks."""
    wanted = list(dict.fromkeys([*spec.key_columns,
                                 *(columns or [f.name for f in spec.fields])]))
    try:
        table = sa.Table(spec.name, sa.MetaData(), autoload_with=conn, include_columns=wanted)
    except sa_exc.NoSuchTableError:
        raise InvalidInput(f"system {system.key!r} has no table {spec.name!r}") from None
    missing = [c for c in wanted if c not in table.c]
    if missing:
        raise InvalidInput(f"system {system.key!r}: table {spec.name!r} has no column(s) "
                           f"{', '.join(missing)} declared in the policy")
    return table


def keyset(table: sa.Table, key: Sequence[str], columns: list[str], after: Key | None,
           limit: int) -> sa.Select[Any]:
    """The key columns and `columns` of the next `limit` rows after the key `after` (None:
    from the start), in key order: each batch is an index range scan however deep into the
    table it is."""
    cols = rowkeys.key_columns(table, key)
    q = sa.select(*cols, *(table.c[c] for c in columns)).order_by(*cols).limit(limit)
    if after is not None:
        q = q.where(rowkeys.after(cols, after))
    return q


def scan_table(
    conn: Connection, system: SystemSpec, spec: TableSpec, *, sample: int | None = None,
    batch_size: int = DEFAULT_BATCH, types: set[str] | frozenset[str] | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE, max_chars: int = DEFAULT_MAX_CHARS,
) -> TableScan:
    """Scan one table's text fields, `batch_size` rows per read, at most `sample` rows."""
    probe = reflect(conn, system, spec)
    fields = scannable_fields(spec, probe)
    out = TableScan(system.key, spec.name, fields=[
        FieldScan(system.key, spec.name, f.name, f.category, f.free_text, list(f.may_contain))
        for f in fields])
    if not fields:
        return out
    names = [f.name for f in fields]
    key = spec.key_columns
    after: Key | None = None
    while sample is None or out.rows_scanned < sample:
        limit = batch_size if sample is None else min(batch_size, sample - out.rows_scanned)
        rows = conn.execute(keyset(probe, key, names, after, limit)).all()
        conn.rollback()  # end the read transaction: no snapshot held across batches
        if not rows:
            break
        out.rows_scanned += len(rows)
        after = tuple(rows[-1][: len(key)])
        for i, report in enumerate(out.fields, start=len(key)):
            values = [r[i] for r in rows]
            result = scan_batch(values, types=types, min_confidence=min_confidence,
                                max_chars=max_chars)
            report.values_scanned += result.scanned
            report.skipped.update(result.skipped)
            for index, found in result.findings.items():
                text = as_text(values[index], max_chars=max_chars)  # scanned: it converts
                for f in found:
                    report.counts[f.type] += 1
                    shown = report.examples.setdefault(f.type, [])
                    if len(shown) < MAX_EXAMPLES:
                        shown.append(masked_example(f.excerpt(text), f.type))
        if len(rows) < limit:
            break
    return out


def _categories(policy: Policy, keys: list[str | None]) -> list[DataCategory]:
    out = []
    for key in keys:
        if key:
            try:
                out.append(policy.data_category(key))
            except NotFound:  # an undefined key is the policy check's error, not ours
                continue
    return out


def covers(category: DataCategory, finding_type: str) -> bool:
    """Whether data of `category` may be a finding of `finding_type`: national ids a
    `national_id` category (Danish Data Protection Act § 11), health and absence wording a
    `special` one (GDPR Art. 9(1)); other types are not policy-gap material."""
    if finding_type in NATIONAL_ID_TYPES:
        return category.national_id
    if finding_type in WORDING_TYPES:
        return category.special
    return True


def uncovered(policy: Policy, category: str | None, may_contain: list[str],
              found: list[str]) -> list[str]:
    """The finding types of `found` that neither the field's category nor one of its
    `may_contain` categories covers."""
    cats = _categories(policy, [category, *may_contain])
    return [t for t in found if not any(covers(c, t) for c in cats)]


def handling_rules(policy: Policy, system: str, table: str, field_name: str) -> list[str]:
    """Keys of the retention rules that take the field's data out: a `delete` of its table or
    of a table it depends on (deleted with it), or a redact/anonymize/null of the field."""
    out = []
    for rule in policy.retention_rules:
        if rule.system != system:
            continue
        if rule.action is RetentionAction.delete:
            if rule.table == table:
                out.append(rule.key)
                continue
            try:  # the tables deleted with the rule's rows (as the retention engine finds them)
                deps = descendants(build_graph(policy.system(rule.system)), rule.table)
            except StewardError:  # a rule naming no known system or table removes nothing
                continue
            if table in deps:
                out.append(rule.key)
        elif rule.table == table and field_name in rule.fields:
            out.append(rule.key)
    return out


def unhandled_reason(policy: Policy, system: str, table: str, spec: FieldSpec) -> str | None:
    """Why a field whose `may_contain` names special or national-id categories is unhandled
    (no retention rule removes its data), or None."""
    sensitive = [c.key for c in _categories(policy, list(spec.may_contain))
                 if c.special or c.national_id]
    if not sensitive or handling_rules(policy, system, table, spec.name):
        return None
    return (f"{table}.{spec.name} may contain {', '.join(sensitive)} but no retention rule "
            "removes it: add one with action redact (e.g. at case close) or delete, so the "
            "data is not kept longer than needed (GDPR Art. 5(1)(e), Art. 9(1)).")


def mark_gaps(policy: Policy, scan: SystemScan) -> None:
    """Flag fields holding national ids or health/absence wording that neither their category
    nor their `may_contain` categories cover, with a suggestion naming the policy's own
    categories to use and whether a retention rule removes the data; and flag `unhandled`
    fields (sensitive `may_contain`, no retention rule)."""
    try:
        system = policy.system(scan.system)
    except NotFound:
        system = None
    specs = {(t.name, f.name): f for t in (system.tables if system else []) for f in t.fields}
    for report in (f for t in scan.tables for f in t.fields):
        spec = specs.get((report.table, report.field))
        if spec is not None:
            report.unhandled = unhandled_reason(policy, scan.system, report.table, spec)
        found = sorted(t for t in report.counts if t in GAP_TYPES)
        missing = uncovered(policy, report.category, report.may_contain, found)
        if not missing:
            continue
        report.gap = True
        ids = [t for t in missing if t in NATIONAL_ID_TYPES]
        words = [t for t in missing if t in WORDING_TYPES]
        wanted = []
        if ids:
            keys = [c.key for c in policy.data_categories if c.national_id]
            wanted.append("a national_id category" + (f" ({', '.join(keys)})" if keys else ""))
        if words:
            keys = [c.key for c in policy.data_categories if c.special]
            wanted.append("a special category, GDPR Art. 9(1)"
                          + (f" ({', '.join(keys)})" if keys else ""))
        what = ", ".join(f"{t} ×{report.counts[t]}" for t in missing)
        current = f"category {report.category}" if report.category else "no category"
        if report.may_contain:
            current += f" (may_contain {', '.join(report.may_contain)})"
        where = ("its category, or its may_contain when the company expects to receive it in "
                 "this free text" if report.free_text else "its category")
        text = (f"{report.table}.{report.field} holds {what} but has {current}: annotate it "
                f"with {' and '.join(wanted)} as {where}, so the notice and the Art. 30 record "
                "name it")
        if not handling_rules(policy, report.system, report.table, report.field):
            text += ("; no retention rule removes it yet: add one with action redact "
                     "(e.g. at case close)")
        report.suggestion = text + "."


def scan_system(
    policy: Policy, system: SystemSpec, engines: SystemEngines, *, table: str | None = None,
    sample: int | None = None, batch_size: int = DEFAULT_BATCH,
    types: set[str] | frozenset[str] | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> SystemScan:
    """Scan one SQL system (or one of its tables). Raises InvalidInput for a non-SQL system, an
    unknown table or a database that lacks declared columns; Unavailable when unreachable."""
    if system.connector != "sql":
        raise InvalidInput(f"system {system.key!r} uses the {system.connector!r} connector; "
                           "the scanner reads SQL systems")
    if sample is not None and sample < 1:
        raise InvalidInput("--sample must be at least 1")
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1")
    specs = system.tables
    if table is not None:
        specs = [t for t in system.tables if t.name == table]
        if not specs:
            known = ", ".join(t.name for t in system.tables)
            raise InvalidInput(f"system {system.key!r} has no table {table!r} (known: {known})")
    out = SystemScan(system.key, sample=sample)
    with connect(engines, system) as conn:
        for spec in specs:
            out.tables.append(scan_table(conn, system, spec, sample=sample,
                                         batch_size=batch_size, types=types,
                                         min_confidence=min_confidence))
    mark_gaps(policy, out)
    return out


def scan_systems(
    policy: Policy, engines: SystemEngines, *, system: str | None = None,
    table: str | None = None, sample: int | None = None, batch_size: int = DEFAULT_BATCH,
    types: set[str] | frozenset[str] | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[SystemScan]:
    """Scan `system` (raising its errors) or every SQL system of the policy (recording each
    one's error in its report, so one unreachable system does not hide the others)."""
    if table is not None and system is None:
        raise InvalidInput("--table needs --system")
    if system is not None:
        return [scan_system(policy, policy.system(system), engines, table=table, sample=sample,
                            batch_size=batch_size, types=types, min_confidence=min_confidence)]
    out: list[SystemScan] = []
    for spec in policy.systems:
        if spec.connector != "sql":
            continue
        try:
            out.append(scan_system(policy, spec, engines, sample=sample, batch_size=batch_size,
                                   types=types, min_confidence=min_confidence))
        except StewardError as err:
            out.append(SystemScan(spec.key, sample=sample, error=err.detail))
    return out
