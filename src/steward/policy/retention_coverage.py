"""Storage limitation (GDPR Art. 5(1)(e)): every table holding personal data is covered by a
retention rule, or the policy says how long its data is kept.

A table is covered when
- a `delete` or `anonymize` rule sweeps it, or a `delete` rule sweeps a table it references
  (its rows go with their parent, e.g. a ticket's messages with the ticket);
- `null`/`redact` rules together name every personal column of it;
- it is kept under a rule (`retention:` on the table);
- its system cannot be swept (not SQL) and an activity using the system states its retention
  criteria (`retention` or `retention_description`, Art. 13(2)(a)).
Each table that is not gets a warning at its line: its data would be kept without limit.
"""

from __future__ import annotations

from steward.policy.models import Policy, RetentionAction, SystemSpec, TableSpec
from steward.policy.report import Report

SWEPT_CONNECTORS = frozenset({"sql"})


def personal_columns(table: TableSpec) -> set[str]:
    """Columns of `table` holding personal data: categorized fields and identity columns."""
    cols = {f.name for f in table.fields if f.category is not None or f.may_contain}
    return cols | set(table.identity_column_names)


def check_retention_coverage(policy: Policy, r: Report) -> None:
    """Warn (Art. 5(1)(e)) for every personal-data table no retention rule covers."""
    described = {
        key
        for act in policy.processing_activities
        if act.retention or act.retention_description is not None
        for key in act.systems
    }
    for i, system in enumerate(policy.systems):
        if system.connector not in SWEPT_CONNECTORS:
            if system.key in described:
                continue
        covered = _covered_tables(policy, system)
        for t, table in enumerate(system.tables):
            if not personal_columns(table) or table.name in covered:
                continue
            hint = (
                "add a retention rule for it (or for a table it references)"
                if system.connector in SWEPT_CONNECTORS
                else "state its retention on an activity using this system "
                "(retention_description)"
            )
            r.warn(
                ("systems", i, "tables", t),
                f"{system.key}.{table.name} holds personal data that no retention rule covers, "
                f"so it is kept without limit (storage limitation, GDPR Art. 5(1)(e)): {hint}",
            )


def _covered_tables(policy: Policy, system: SystemSpec) -> set[str]:
    rules = [rule for rule in policy.retention_rules if rule.system == system.key]
    deleted = {rule.table for rule in rules if rule.action == RetentionAction.delete}
    whole = deleted | {rule.table for rule in rules if rule.action == RetentionAction.anonymize}
    partial: dict[str, set[str]] = {}
    for rule in rules:
        if rule.action in (RetentionAction.null, RetentionAction.redact):
            partial.setdefault(rule.table, set()).update(rule.fields)
    parents = {
        t.name: {ref.target_table for ref in t.references} for t in system.tables
    }

    def goes_with_parent(name: str, seen: frozenset[str]) -> bool:
        # Rows referencing a deleted row are deleted with it (the sweep follows references).
        return any(
            p in deleted or (p not in seen and goes_with_parent(p, seen | {p}))
            for p in parents.get(name, ())
        )

    out: set[str] = set()
    for table in system.tables:
        cols = personal_columns(table)
        if (
            table.name in whole
            or table.retention is not None
            or (cols and cols <= partial.get(table.name, set()))
            or goes_with_parent(table.name, frozenset({table.name}))
        ):
            out.add(table.name)
    return out
