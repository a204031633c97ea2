"""Deciding what erasure does to each found row: pure, shared by every connector.

Rules, in order:
1. A row is kept when the keep hook gives a reason; without a hook, rows of a table with a
   `retention` rule are kept (Art. 17(3)(b): the caller's hook decides whether the legal
   obligation still applies), and rows of a table whose erase action is `keep` stay as they are.
2. A row that stays (kept, or updated rather than deleted) pins the rows it references: a pinned
   parent is never deleted, its personal fields are nulled instead (or handled by the field's own
   erase action), so foreign keys keep holding. Pinning climbs the graph: tables are decided
   children first.
3. Otherwise the table's erase action applies: `delete_row` deletes; `null`, `mask`, `hash`
   rewrite its personal fields (those with a data category or their own erase action, and the
   identity columns), each field's own erase action taking precedence.
   Primary keys, foreign keys, referenced columns and the restriction flag are never rewritten.

Updates come first, then deletes with dependants before parents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from steward.connectors.base import KeepHook, KeptRow, PkValue, Row, SubjectRecords
from steward.connectors.graph import DatasetGraph
from steward.policy.models import EraseAction

MASK = "***"
HASH_PREFIX = "h:"


@dataclass(frozen=True)
class RowChange:
    """The decision for one row: delete it, or update `values` (column -> new value)."""

    table: str
    pk: PkValue
    op: Literal["delete", "update"]
    values: dict[str, Any] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)


def mask_value(value: Any, max_length: int | None = None) -> Any:
    """A fixed mask for text; other types become NULL. Masking twice gives the same value."""
    if not isinstance(value, str):
        return None
    return MASK[: max_length] if max_length else MASK


def hash_value(value: Any, salt: str = "", max_length: int | None = None) -> Any:
    """A salted SHA-256 pseudonym for text (still personal data, recital 26, unless the salt is
    destroyed); other types become NULL. A value already hashed is left as it is, so that
    erasing twice changes nothing."""
    if not isinstance(value, str):
        return None
    if value.startswith(HASH_PREFIX):
        return value
    digest = HASH_PREFIX + hashlib.sha256((salt + value).encode("utf-8")).hexdigest()
    return digest[:max_length] if max_length else digest


def decide(
    graph: DatasetGraph,
    records: SubjectRecords,
    *,
    keep: KeepHook | None = None,
    salt: str = "",
    max_lengths: Mapping[str, Mapping[str, int | None]] | None = None,
) -> tuple[list[RowChange], list[KeptRow]]:
    """Decide every found row. Returns (changes in execution order, kept rows)."""
    max_lengths = max_lengths or {}
    pinned: dict[tuple[str, str], set[Any]] = {}
    updates: list[RowChange] = []
    deletes: list[RowChange] = []
    kept: list[KeptRow] = []
    for table in graph.reverse_order:  # children first: their fate pins their parents
        rows = records.tables.get(table) or []
        spec = graph.table(table)
        for row in rows:
            pk = row[spec.primary_key]
            reason = _keep_reason(spec, row, keep)
            if reason is not None:
                kept.append(KeptRow(table, pk, reason))
                _pin_parents(graph, table, row, pinned)
                continue
            is_pinned = any(
                row.get(e.parent_column) in pinned.get((table, e.parent_column), ())
                for e in graph.children_of(table)
            )
            if EraseAction(spec.erase) is EraseAction.delete_row and not is_pinned:
                deletes.append(RowChange(table, pk, "delete"))
                continue
            values, actions = _rewrite(graph, table, row, salt, max_lengths.get(table, {}))
            if values:
                updates.append(RowChange(table, pk, "update", values, actions))
            _pin_parents(graph, table, row, pinned)
    return updates + deletes, kept


def _keep_reason(spec: Any, row: Row, keep: KeepHook | None) -> str | None:
    if keep is not None:
        reason = keep(spec, row)
        if reason:
            return reason
    elif spec.retention:
        return f"kept under retention rule {spec.retention} (Art. 17(3)(b))"
    if spec.erase is EraseAction.keep and not any(f.erase for f in spec.fields):
        return "the policy keeps this table on erasure (erase: keep)"
    return None


def _pin_parents(
    graph: DatasetGraph, table: str, row: Row, pinned: dict[tuple[str, str], set[Any]]
) -> None:
    for e in graph.parents_of(table):
        value = row.get(e.child_field)
        if value is not None:
            pinned.setdefault((e.parent, e.parent_column), set()).add(value)


def _rewrite(
    graph: DatasetGraph,
    table: str,
    row: Row,
    salt: str,
    lengths: Mapping[str, int | None],
) -> tuple[dict[str, Any], dict[str, str]]:
    """New values for the personal fields of a row that stays."""
    spec = graph.table(table)
    fixed = graph.structural_columns(table)
    if spec.restriction_flag:
        fixed.add(spec.restriction_flag)
    # A table erased by deleting rows, whose row must stay, falls back to nulling its fields.
    default = EraseAction(spec.erase)
    if default is EraseAction.delete_row:
        default = EraseAction.null
    overrides = {f.name: f.erase for f in spec.fields if f.erase is not None}
    # Personal columns: fields with a data category or an erase action of their own, and the
    # identity columns. Dates without a category (created_at, relationship_ended_at) stay:
    # retention sweeps still need them on rows that are kept.
    columns = [f.name for f in spec.fields if f.category or f.erase]
    columns += [c for c in spec.identity_column_names if c not in columns]
    values: dict[str, Any] = {}
    actions: dict[str, str] = {}
    for col in columns:
        if col in fixed or col not in row:
            continue
        action = EraseAction(overrides.get(col, default))
        if action is EraseAction.delete_row:
            action = EraseAction.null
        if action is EraseAction.keep:
            continue
        old = row[col]
        if action is EraseAction.null:
            new = None
        elif action is EraseAction.mask:
            new = mask_value(old, lengths.get(col))
        else:
            new = hash_value(old, salt, lengths.get(col))
        if new != old:
            values[col] = new
            actions[col] = action.value
    return values, actions
