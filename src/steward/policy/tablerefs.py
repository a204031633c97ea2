"""Checks of systems, their tables, and the retention rules that sweep them.

A table's known columns are its primary key, identity columns, reference columns, declared
fields and restriction flag. The tables are those `policy.resolve` decided (declared, or read
from a fideslang `fides_dataset` file); if that file could not be loaded, the field-level checks
for that system are skipped (the loader has warned).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from steward.policy.models import Policy, SystemSpec, TableSpec
from steward.policy.report import Report
from steward.policy.retentionrefs import check_rule
from steward.policy.sources import Path_

Columns = dict[str, set[str]]


def table_columns(table: TableSpec) -> set[str]:
    """Every column the policy declares for `table`."""
    cols = {*table.key_columns, *table.identity_column_names, *(f.name for f in table.fields)}
    cols.update(c for ref in table.references for c in ref.fields)
    if table.restriction_flag:
        cols.add(table.restriction_flag)
    return cols


def _system_columns(system: SystemSpec) -> Columns | None:
    """Tables of `system` (as resolved by `policy.resolve`) -> columns; None when they cannot
    be known (a `fides_dataset` that could not be loaded, already warned about)."""
    if system.dataset_error is not None:
        return None
    return {t.name: table_columns(t) for t in system.tables}


def check_systems(
    policy: Policy,
    r: Report,
    data: dict[str, int],
    rules: dict[str, int],
    systems: dict[str, int],
    base_dir: Path | None,
) -> None:
    columns: dict[str, Columns | None] = {}
    for i, system in enumerate(policy.systems):
        path = ("systems", i)
        r.unique(system.tables, (*path, "tables"), "name")
        cols = _system_columns(system)
        columns.setdefault(system.key, cols)
        for t, table in enumerate(system.tables):
            tpath = (*path, "tables", t)
            r.unique(table.fields, (*tpath, "fields"), "name")
            for f, spec in enumerate(table.fields):
                if spec.category is not None:
                    r.known(spec.category, data, (*tpath, "fields", f, "category"), "data category")
            if table.retention is not None:
                r.known(table.retention, rules, (*tpath, "retention"), "retention rule")
            if cols is None:
                continue
            for k, ref in enumerate(table.references):
                to_table = ref.target_table
                rpath = (*tpath, "references", k, "to")
                if r.known(to_table, cols, rpath, f"table in system {system.key!r}"):
                    for to_col in ref.target_columns:
                        r.known(to_col, cols[to_table], rpath, f"column of table {to_table!r}")
    for i, rule in enumerate(policy.retention_rules):
        path = ("retention_rules", i)
        if not r.known(rule.system, systems, (*path, "system"), "system"):
            continue
        system = policy.systems[systems[rule.system]]
        _statutory_authority(policy, r, rule_index=i, system=system)
        cols = columns.get(rule.system)
        check_rule(policy, r, i, system, cols)
        if cols is None:
            continue
        if not r.known(rule.table, cols, (*path, "table"), f"table in system {rule.system!r}"):
            continue
        _trigger(system, cols, rule.table, rule.trigger.field, r, (*path, "trigger", "field"),
                 child=rule.trigger.of is not None)
        for j, name in enumerate(rule.fields):
            r.known(name, cols[rule.table], (*path, "fields", j), f"column of {rule.table!r}")
        if rule.legal_obligation and rule.statutory_basis is None:
            r.error(
                (*path, "legal_obligation"),
                "data kept under a legal obligation (GDPR Art. 17(3)(b)) needs statutory_basis "
                "naming the law",
            )


def _trigger(
    system: SystemSpec, cols: Columns, table: str, trigger: str, r: Report, path: Path_,
    *, child: bool = False,
) -> None:
    trig_table, _, trig_col = trigger.rpartition(".")
    trig_table = trig_table or table
    what = f"table in system {system.key!r}"
    if not r.known(trig_table, cols, path, what):
        return
    if not r.known(trig_col, cols[trig_table], path, f"column of {trig_table!r}"):
        return
    # A date read from child rows (`of: latest|earliest`) is checked in retentionrefs.py.
    if not child and trig_table != table and not _reachable(system, table, trig_table):
        r.error(
            path,
            f"the trigger date is in {trig_table!r}, but no chain of references leads from "
            f"{table!r} to it: declare the foreign key under {table!r}.references",
        )


def _reachable(system: SystemSpec, start: str, goal: str) -> bool:
    """Is `goal` reachable from `start` by following references (foreign keys) outward?"""
    edges = {t.name: [ref.target_table for ref in t.references] for t in system.tables}
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), []):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def _statutory_authority(policy: Policy, r: Report, *, rule_index: int, system: SystemSpec) -> None:
    # Statutory bookkeeping periods follow the law of the storage country (LEGAL.md,
    # Retention): that country's authority must be described to tell subjects where to turn.
    rule = policy.retention_rules[rule_index]
    if not (rule.kind == "statutory" or rule.legal_obligation or rule.record_kind == "accounting"):
        return
    country = rule.jurisdiction
    if country == "storage_country":
        country = system.storage_country
    if country not in policy.authorities:
        r.warn(
            ("retention_rules", rule_index, "system"),
            f"statutory rule stored in {country} (system {system.key!r}), but no `authorities` "
            f"entry for {country}",
        )
