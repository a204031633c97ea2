"""A retention rule resolved against its system: the tables it touches and whether the law
allows it. Pure: no database access.

- the trigger column may sit on a parent table reached through references (`join_path`), or
  be the latest (earliest) date among the rows of a child table referencing the rule's rows
  (`aggregate`, through the reference `via`);
- `delete` takes the rule table's dependants with it (children first, `dependants`);
- a dependant table swept by a rule of its own (e.g. invoices under the bookkeeping rule)
  blocks the deletion of a parent until its own rows have expired (`governed`);
- bookkeeping material is checked against the storage country's statutory minimum (see
  `statutes.py`): a rule that deletes earlier is an error (GDPR Art. 17(3)(b)); one that keeps
  data longer than any documented need is a warning (storage limitation, GDPR Art. 5(1)(e)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steward.connectors.graph import DatasetGraph, Edge, build_graph, descendants, up_path
from steward.errors import InvalidInput
from steward.legal.retention_periods import Finding
from steward.policy.models import Policy, RetentionAction, RetentionRule, SystemSpec
from steward.retention import statutes


@dataclass(frozen=True)
class ResolvedRule:
    """Everything a sweep needs to know about one rule before touching a database."""

    rule: RetentionRule
    system: SystemSpec
    graph: DatasetGraph
    table: str
    keys: tuple[str, ...]  # the rule table's primary-key column(s), in order
    trigger_table: str
    trigger_column: str
    join_path: tuple[Edge, ...]  # rule table -> ... -> trigger table, each edge child -> parent
    dependants: tuple[str, ...]  # tables deleted with the rule's rows, children first
    governed: dict[str, RetentionRule] = field(default_factory=dict)  # dependant -> its rule
    country: str = ""
    findings: tuple[Finding, ...] = ()
    aggregate: str | None = None  # "latest" | "earliest" over the child rows (see `via`)
    via: Edge | None = None  # child -> rule table, when `aggregate` is set

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def pk(self) -> str:
        """The single key column, for code that handles plain keys only."""
        if len(self.keys) != 1:
            raise InvalidInput(f"table {self.table!r} has a composite primary key "
                               f"({', '.join(self.keys)}), not supported here")
        return self.keys[0]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def check(self) -> None:
        """Raise InvalidInput when the rule breaks the law (statutory minimum)."""
        if self.errors:
            raise InvalidInput(f"retention rule {self.key!r}: {self.errors[0].message}")


def child_edge(graph: DatasetGraph, rule: RetentionRule) -> Edge:
    """The reference from the trigger's child table to the rule table (`trigger.via`, or the
    only one there is). Raises InvalidInput otherwise."""
    child, _, _ = rule.trigger.field.rpartition(".")
    edges = [e for e in graph.parents_of(child) if e.parent == rule.table]
    if rule.trigger.via is not None:
        name = rule.trigger.via.rpartition(".")[2]
        edges = [e for e in edges if e.child_field == name]
    if len(edges) != 1:
        raise InvalidInput(
            f"retention rule {rule.key!r}: `of: {rule.trigger.of}` needs {child!r} to reference "
            f"{rule.table!r} exactly once (found {len(edges)}); name the reference with `via`"
        )
    return edges[0]


def resolve(policy: Policy, rule: RetentionRule | str) -> ResolvedRule:
    """Resolve `rule` (or its key) against its system. Raises NotFound/InvalidInput."""
    if isinstance(rule, str):
        rule = policy.retention_rule(rule)
    system = policy.system(rule.system)
    if system.connector != "sql":
        raise InvalidInput(
            f"retention rule {rule.key!r}: system {system.key!r} uses the {system.connector!r} "
            "connector; retention sweeps run on SQL systems"
        )
    graph = build_graph(system)
    spec = graph.table(rule.table)
    trig_table, _, trig_col = rule.trigger.field.rpartition(".")
    trig_table = trig_table or rule.table
    graph.table(trig_table)
    via = child_edge(graph, rule) if rule.trigger.of is not None else None
    path = () if via is not None else up_path(graph, rule.table, trig_table)
    if path is None:
        raise InvalidInput(
            f"retention rule {rule.key!r}: no chain of references leads from {rule.table!r} to "
            f"the trigger table {trig_table!r}"
        )
    if rule.action is not RetentionAction.delete and not rule.fields:
        raise InvalidInput(f"retention rule {rule.key!r}: action {rule.action.value} needs fields")
    deps = descendants(graph, rule.table) if rule.action is RetentionAction.delete else ()
    governed: dict[str, RetentionRule] = {}
    for other in policy.retention_rules:
        if other.key != rule.key and other.system == system.key and other.table in deps:
            if other.action is RetentionAction.delete:
                governed[other.table] = other
    for name in deps:
        ref = graph.table(name).retention
        if ref and name not in governed and ref != rule.key:
            governed[name] = policy.retention_rule(ref)
    country = statutes.country_of(rule, system)
    return ResolvedRule(
        rule=rule, system=system, graph=graph, table=rule.table, keys=spec.key_columns,
        trigger_table=trig_table, trigger_column=trig_col, join_path=path, dependants=deps,
        governed=governed, country=country,
        findings=tuple(statutes.findings(policy, rule, country)),
        aggregate=rule.trigger.of, via=via,
    )


def check_policy_rules(policy: Policy) -> dict[str, list[Finding]]:
    """Statutory findings for every rule of `policy` (rule key -> findings); rules that cannot
    be resolved are reported as an error finding instead of raising."""
    out: dict[str, list[Finding]] = {}
    for rule in policy.retention_rules:
        try:
            out[rule.key] = list(resolve(policy, rule).findings)
        except InvalidInput as err:
            out[rule.key] = [Finding("error", "unresolvable", err.detail, "")]
    return out
