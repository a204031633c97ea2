"""Checks of a retention rule's condition, its trigger over several rows, and its statutory
period, each problem line-numbered (`file:line:col: path: message`).

- every column a condition names exists; consent parts name a consent purpose of the policy
  and an identity the rule's table declares;
- `trigger.of` (latest/earliest) reads a child table that references the rule's table;
- the checks capabilities register in the `steward.rule_checks` entry-point group run too:
  retention checks bookkeeping material against its storage country's statutory minimum
  (`steward.retention.statutes.check_rule`): an unknown country, or a rule deleting earlier
  than the law allows (GDPR Art. 17(3)(b)), is an error here, at validation, never at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from steward.policy.models import Condition, Policy, RetentionRule, SystemSpec
from steward.policy.report import Report
from steward.policy.sources import Path_

Columns = dict[str, set[str]]
# (policy, report, rule index, the rule's system): adds its problems to the report.
RuleCheck = Callable[[Policy, Report, int, SystemSpec], None]
RULE_CHECKS = "steward.rule_checks"


def check_rule(
    policy: Policy, r: Report, i: int, system: SystemSpec, cols: Columns | None
) -> None:
    """All checks of rule `i` (`cols`: the system's declared columns, None if unknown)."""
    rule = policy.retention_rules[i]
    path = ("retention_rules", i)
    if rule.condition is not None:
        _condition(policy, r, rule, system, cols, rule.condition, (*path, "condition"))
    if rule.trigger.of is not None and cols is not None:
        _aggregate_trigger(r, rule, system, (*path, "trigger"))
    for extra in rule_checks():
        extra(policy, r, i, system)


def _condition(
    policy: Policy, r: Report, rule: RetentionRule, system: SystemSpec, cols: Columns | None,
    cond: str | Condition, path: Path_,
) -> None:
    if isinstance(cond, str) or cond.column is not None:
        ref = cond if isinstance(cond, str) else cond.column
        assert ref is not None
        if cols is None:
            return
        where = path if isinstance(cond, str) else (*path, "column")
        table, _, column = ref.rpartition(".")
        table = table or rule.table
        if r.known(table, cols, where, f"table in system {rule.system!r}"):
            r.known(column, cols[table], where, f"column of {table!r}")
        return
    if cond.consent is not None:
        consents = {p.key for p in policy.consent.purposes}
        r.known(cond.consent.purpose, consents, (*path, "consent", "purpose"), "consent purpose")
        spec = next((t for t in system.tables if t.name == rule.table), None)
        if spec is not None and cond.consent.identity not in spec.identities:
            r.error((*path, "consent", "identity"),
                    f"table {rule.table!r} declares no {cond.consent.identity!r} identity to "
                    "match consent records with (add it under identities)")
        return
    parts: list[tuple[Any, Path_]] = []
    if cond.all is not None:
        parts = [(c, (*path, "all", j)) for j, c in enumerate(cond.all)]
    elif cond.any is not None:
        parts = [(c, (*path, "any", j)) for j, c in enumerate(cond.any)]
    elif cond.not_ is not None:
        parts = [(cond.not_, (*path, "not"))]
    for part, where in parts:
        _condition(policy, r, rule, system, cols, part, where)


def _aggregate_trigger(r: Report, rule: RetentionRule, system: SystemSpec, path: Path_) -> None:
    child, _, _ = rule.trigger.field.rpartition(".")
    spec = next((t for t in system.tables if t.name == child), None)
    if spec is None or child == rule.table:
        r.error((*path, "field"),
                f"`of: {rule.trigger.of}` reads the dates of a child table of {rule.table!r}: "
                "write the field as child_table.column")
        return
    refs = [ref for ref in spec.references if ref.target_table == rule.table]
    if rule.trigger.via is not None:
        via_table, _, via_col = rule.trigger.via.rpartition(".")
        if via_table not in ("", child) or via_col not in {c for ref in refs for c in ref.fields}:
            r.error((*path, "via"),
                    f"{rule.trigger.via!r} is not a reference from {child!r} to {rule.table!r}")
        return
    if len(refs) != 1:
        r.error((*path, "field"),
                f"{child!r} must reference {rule.table!r} exactly once to read the "
                f"{rule.trigger.of} date (found {len(refs)}); name the reference with `via`")


@cache
def rule_checks() -> tuple[RuleCheck, ...]:
    """The checks capabilities add for a retention rule (`steward.rule_checks` entry points,
    e.g. retention's statutory minimum), loaded once per process."""
    return tuple(ep.load() for ep in sorted(entry_points(group=RULE_CHECKS),
                                            key=lambda e: e.name))

