"""Deciding what erasure does to each found row: pure, shared by every connector.

Art. 17 erases the subject's personal data, and only theirs. Rules, in order:
0. Tables with no personal field (no data category, no identity column: a product catalogue)
   are read to follow references but never changed.
1. A row is kept when the keep hook gives a reason; without a hook, rows of a table with a
   `retention` rule are kept (Art. 17(3)(b): the caller's hook decides whether the legal
   obligation still applies), and rows of a table whose erase action is `keep` stay as they are.
2. A row is deleted only when all of it is the subject's. A row that other rows point at and
   that stays — another person's order pointing at a shared address (`shared`, found by the
   connector over declared references and the database's own foreign keys), or the subject's
   own row that is kept or rewritten — is never deleted: its personal fields are rewritten and
   the plan says why, so every foreign key still holds. Pinning climbs the dependencies:
   dependants are decided first.
3. Otherwise the table's erase action applies: `delete_row` deletes; `null`, `mask`, `hash`
   rewrite its personal fields (those with a data category or their own erase action, and the
   identity columns), each field's own erase action taking precedence.
   Primary keys, foreign keys, referenced columns and the restriction flag are never rewritten.
4. A NOT NULL column (known from the database at plan time) is never nulled: text is masked,
   other values are left as they are, and the plan notes it, so applying never fails on it.

Updates come first, then deletes with dependants before the rows they reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from steward.connectors.base import (
    KeepHook,
    KeptRow,
    KeyTuple,
    PkValue,
    Row,
    SubjectRecords,
    plain_key,
)
from steward.connectors.graph import DatasetGraph, Dependency
from steward.legal.erasure_words import (
    KEPT_BY_POLICY,
    KEPT_BY_RULE,
    LEFT_NOT_NULL,
    MASKED_NOT_NULL,
    NOTE,
    PINNED_BY_SUBJECT,
    REWRITTEN,
    say,
)
from steward.policy.models import EraseAction

MASK = "***"
HASH_PREFIX = "h:"


@dataclass(frozen=True)
class RowChange:
    """The decision for one row (by key tuple): delete it, or update `values` (column -> new
    value)."""

    table: str
    key: KeyTuple
    op: Literal["delete", "update"]
    values: dict[str, Any] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)

    @property
    def pk(self) -> PkValue:
        return plain_key(self.key)


def mask_value(value: Any, max_length: int | None = None) -> Any:
    """A fixed mask for text; other types become NULL. Masking twice gives the same value."""
    if not isinstance(value, str):
        return None
    return MASK[:max_length] if max_length else MASK


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
    not_null: Mapping[str, Collection[str]] | None = None,
    texts: Mapping[str, Collection[str]] | None = None,
    shared: Mapping[str, Mapping[KeyTuple, str]] | None = None,
    order: Sequence[str] | None = None,
) -> tuple[list[RowChange], list[KeptRow], list[str]]:
    """Decide every found row. Returns (changes in execution order, kept rows, notes).

    `not_null`: table -> columns that cannot be NULL (from the database), never nulled.
    `texts`: table -> columns of a text type: only these are masked or hashed (a number read
    as "12.50" is not text); without it, a value's JSON type decides.
    `shared`: table -> key -> why the row is also someone else's (other rows point at it,
    found by the connector): such rows are rewritten, never deleted. `order`: tables with
    dependants before the tables they reference (default: the graph's reverse order)."""
    max_lengths = max_lengths or {}
    not_null = not_null or {}
    shared = shared or {}
    deps = graph.dependencies()
    # (referenced table, its key columns) -> key value -> the dependant tables whose rows
    # that stay point at it (named in the plan's note: only those that really stay).
    pinned: dict[tuple[str, tuple[str, ...]], dict[KeyTuple, set[str]]] = {}
    updates: list[RowChange] = []
    deletes: list[RowChange] = []
    kept: list[KeptRow] = []
    notes: dict[str, int] = {}
    columns_of: dict[str, list[tuple[str, EraseAction]]] = {}
    for table in order or graph.reverse_order:  # dependants first: their fate pins the rest
        rows = records.tables.get(table) or []
        if not rows or not graph.is_personal(table):
            continue  # not personal data (a catalogue): read to follow references, never changed
        spec = graph.table(table)
        targets = {d.target for d in deps if d.referenced == table}
        for row in rows:
            key = tuple(row[c] for c in spec.key_columns)
            reason = _keep_reason(spec, row, keep)
            if reason is not None:
                kept.append(KeptRow(table, plain_key(key), reason))
                _pin(deps, table, row, pinned)
                continue
            why = shared.get(table, {}).get(key)
            if why is None:
                holders = sorted(
                    {
                        holder
                        for target in targets
                        for holder in pinned.get((table, target), {}).get(
                            tuple(row.get(c) for c in target), ()
                        )
                    }
                )
                if holders:
                    why = say(PINNED_BY_SUBJECT, tables=", ".join(holders))
            is_pinned = why is not None
            if EraseAction(spec.erase) is EraseAction.delete_row and not is_pinned:
                deletes.append(RowChange(table, key, "delete"))
                continue
            if why is not None and EraseAction(spec.erase) is EraseAction.delete_row:
                note = say(REWRITTEN, table=table, why=why)
                notes[note] = notes.get(note, 0) + 1
            if table not in columns_of:
                columns_of[table] = _personal_columns(graph, table)
            values, actions = _rewrite(
                table,
                columns_of[table],
                row,
                salt,
                max_lengths.get(table, {}),
                not_null.get(table, ()),
                None if texts is None else texts.get(table, ()),
                notes,
            )
            if values:
                updates.append(RowChange(table, key, "update", values, actions))
            _pin(deps, table, row, pinned)
    return updates + deletes, kept, [say(NOTE, n=n, note=note) for note, n in notes.items()]


def _keep_reason(spec: Any, row: Row, keep: KeepHook | None) -> str | None:
    if keep is not None:
        reason = keep(spec, row)
        if reason:
            return reason
    elif spec.retention:
        return say(KEPT_BY_RULE, rule=spec.retention)
    if spec.erase is EraseAction.keep and not any(f.erase for f in spec.fields):
        return say(KEPT_BY_POLICY)
    return None


def _pin(
    deps: Sequence[Dependency],
    table: str,
    row: Row,
    pinned: dict[tuple[str, tuple[str, ...]], dict[KeyTuple, set[str]]],
) -> None:
    """A row that stays keeps every row it references: they are not deleted."""
    for d in deps:
        if d.dependant != table:
            continue
        value = tuple(row.get(c) for c in d.columns)
        if all(v is not None for v in value):
            pinned.setdefault((d.referenced, d.target), {}).setdefault(value, set()).add(table)


def _personal_columns(graph: DatasetGraph, table: str) -> list[tuple[str, EraseAction]]:
    """The columns of `table` an erasure rewrites in a row that stays, each with its action
    (never `keep` nor `delete_row`), in declaration order; the same for every row."""
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
    out: list[tuple[str, EraseAction]] = []
    for col in columns:
        if col in fixed:
            continue
        action = EraseAction(overrides.get(col, default))
        if action is EraseAction.delete_row:
            action = EraseAction.null
        if action is not EraseAction.keep:
            out.append((col, action))
    return out


def _rewrite(
    table: str,
    columns: Sequence[tuple[str, EraseAction]],
    row: Row,
    salt: str,
    lengths: Mapping[str, int | None],
    not_null: Collection[str],
    texts: Collection[str] | None,
    notes: dict[str, int],
) -> tuple[dict[str, Any], dict[str, str]]:
    """New values for the personal fields (`columns`, from `_personal_columns`) of a row
    that stays. A NOT NULL column is never nulled: text is masked instead, other values are
    left and the plan says so."""
    values: dict[str, Any] = {}
    actions: dict[str, str] = {}
    for col, action in columns:
        if col not in row:
            continue
        old = row[col]
        is_text = isinstance(old, str) if texts is None else col in texts
        text = old if is_text else None  # only text is masked or hashed; the rest is nulled
        if action is EraseAction.null:
            new = None
        elif action is EraseAction.mask:
            new = mask_value(text, lengths.get(col))
        else:
            new = hash_value(text, salt, lengths.get(col))
        if new is None and col in not_null:
            if is_text:
                new, action = mask_value(old, lengths.get(col)), EraseAction.mask
                note = say(MASKED_NOT_NULL, column=f"{table}.{col}")
            else:
                note = say(LEFT_NOT_NULL, column=f"{table}.{col}")
            notes[note] = notes.get(note, 0) + 1
            if new is None:
                continue
        if new != old:
            values[col] = new
            actions[col] = action.value
    return values, actions
