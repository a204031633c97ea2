"""Finding the subject across every connected system, and planning what a request changes.

- `Systems`: one connector per policy system, made through the registry, closed together.
- `discover`: run every system in rounds until no new identity appears (an e-mail found in the
  CRM yields a customer number, which finds the portal login and the support tickets).
- `keep_hook`: GDPR Art. 17(3)(b): a row covered by a retention rule with a legal obligation is
  kept only while the statutory period of its storage country runs
  (`steward.legal.retention_periods`); the reason names the article, the statute and the date.
- `erasure_plans`: the connectors' dry runs, serialisable without personal values.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypedDict

from steward.connectors.base import (
    Connector,
    ErasurePlan,
    Identities,
    KeepHook,
    Row,
    SubjectRecords,
)
from steward.errors import InvalidInput
from steward.legal import retention_periods
from steward.legal.periods import years_plus_current_year
from steward.policy.models import EraseAction, Policy, SystemSpec, TableSpec
from steward.requests import fanout, legalholds

# A round searches its systems at once, so an identity found in one system reaches the next
# in the following round: a chain of systems takes one round per link.
MAX_ROUNDS = 8
# Identity types that name one person and may be carried from one system to the next. Phone
# numbers are not carried: a company switchboard number would pull in other people's data
# (Art. 15(4)); they are still matched inside the system where they were found.
PROPAGATE = frozenset({"email", "customer_number", "national_id"})


class _Where(TypedDict):
    """Where a connector finds its URL and files: the keyword arguments of `connector_for`
    and `resolve_url`."""

    env: Mapping[str, str]
    base_dir: Path
    policy_dir: Path | None


_POOL: dict[tuple[str, str], Connector] = {}
_POOL_LOCK = threading.Lock()
# Per policy object: system key -> (the spec as planned for erasure, its JSON for the pool key).
# Serialising a system declaration costs about as much as a lookup query, so it is done once per
# loaded policy, not once per request. Keyed by id() with the policy kept alive by the entry.
_SPECS: dict[int, tuple[Policy, dict[str, tuple[SystemSpec, str]]]] = {}


def close_pool() -> None:
    """Close every pooled connector (tests, shutdown)."""
    with _POOL_LOCK:
        conns = list(_POOL.values())
        _POOL.clear()
    for conn in conns:
        conn.close()


class Systems:
    """Connectors for a policy's systems, made through the registry on first use.

    Connectors are pooled per process, keyed by the system's declaration and its resolved URL:
    reflecting tables and opening connections once, not per request, is most of the speed of a
    request. A changed URL (or policy) gets a new connector.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        env: Mapping[str, str] | None = None,
        base_dir: Path | None = None,
        policy_dir: Path | None = None,
        pooled: bool = True,
    ) -> None:
        self.policy = policy
        self.env = env
        self.base_dir = base_dir if base_dir is not None else Path.cwd()
        self.policy_dir = policy_dir
        self.pooled = pooled
        self._conns: dict[str, Connector] = {}

    def get(self, key: str) -> Connector:
        if key in self._conns:
            return self._conns[key]
        from steward.connectors.registry import connector_for, resolve_url

        spec, spec_json = _planned_spec(self.policy, key)
        env = self.env if self.env is not None else os.environ
        kwargs: _Where = {"env": env, "base_dir": self.base_dir, "policy_dir": self.policy_dir}
        if not self.pooled:
            conn = connector_for(spec, **kwargs)
        else:
            ident = (spec_json, resolve_url(spec, **kwargs))
            with _POOL_LOCK:
                pooled = _POOL.get(ident)
            if pooled is None:
                made = connector_for(spec, **kwargs)
                with _POOL_LOCK:
                    pooled = _POOL.setdefault(ident, made)
            conn = pooled
        self._conns[key] = conn
        return conn

    def close(self) -> None:
        if not self.pooled:
            for conn in self._conns.values():
                conn.close()
        self._conns.clear()


def _planned_spec(policy: Policy, key: str) -> tuple[SystemSpec, str]:
    with _POOL_LOCK:
        entry = _SPECS.get(id(policy))
        if entry is None or entry[0] is not policy:
            if len(_SPECS) > 64:  # policies reloaded many times in one process (tests)
                _SPECS.clear()
            entry = _SPECS[id(policy)] = (policy, {})
        specs = entry[1]
        if key not in specs:
            spec = _for_erasure(policy, policy.system(key))
            specs[key] = (spec, spec.model_dump_json())
        return specs[key]


def systems_for(
    policy: Policy,
    settings: Any,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> Systems:
    """The policy's systems as this installation reaches them: relative SQLite paths and the
    HTTP token file under `<data_dir>/demo` (where `steward demo` puts them) unless `base_dir`
    says otherwise; `url_file`s relative to the policy folder."""
    p = Path(settings.policy)
    policy_dir = p if p.is_dir() else p.parent
    if base_dir is None:
        base_dir = Path(settings.data_dir) / "demo"
    return Systems(policy, env=env, base_dir=base_dir, policy_dir=policy_dir)


def _for_erasure(policy: Policy, spec: SystemSpec) -> SystemSpec:
    """A table marked `erase: keep` because of a legal-obligation retention rule is kept only
    while that obligation runs: the keep hook decides per row, so such a table is planned as
    `delete_row` and rows past the statutory period are erased too."""
    tables = []
    changed = False
    for t in spec.tables:
        rule = _rule(policy, t)
        if t.erase is EraseAction.keep and rule is not None and rule.legal_obligation:
            t = t.model_copy(update={"erase": EraseAction.delete_row})
            changed = True
        tables.append(t)
    return spec.model_copy(update={"tables": tables}) if changed else spec


def _rule(policy: Policy, table: TableSpec) -> Any:
    if not table.retention:
        return None
    try:
        return policy.retention_rule(table.retention)
    except Exception:  # noqa: BLE001 - crossrefs report a dangling rule key
        return None


@dataclass
class Discovery:
    identities: dict[str, list[str]]
    records: dict[str, SubjectRecords] = field(default_factory=dict)
    rounds: int = 0

    def found_systems(self) -> list[str]:
        return [k for k, r in self.records.items() if not r.is_empty()]

    def total(self) -> int:
        return sum(r.count() for r in self.records.values())

    def all_identities(self) -> dict[str, set[str]]:
        """Every identity value of the subject: the ones carried between systems and the ones
        each system found (phones are matched only where found)."""
        out: dict[str, set[str]] = {k: set(v) for k, v in self.identities.items()}
        for r in self.records.values():
            for k, v in r.identities.items():
                out.setdefault(k, set()).update(v)
        return out


def searchable(spec: SystemSpec, identities: Mapping[str, Iterable[str]]) -> bool:
    kinds = {k for t in spec.tables for k in t.identities}
    return any(k in kinds and list(v) for k, v in identities.items())


def _finder(
    systems: Systems, queries: Mapping[str, Identities]
) -> Callable[[str], SubjectRecords]:
    """`key -> records` for one round; connectors are made here, not on the pool's threads."""
    conns = {key: systems.get(key) for key in queries}
    return lambda key: conns[key].find(queries[key])


def discover(
    policy: Policy,
    systems: Systems,
    identities: Mapping[str, Iterable[str]],
    only: Iterable[str] | None = None,
) -> Discovery:
    """Search every system (or `only` these) in rounds until no new identity appears.
    Raises Unavailable when a system cannot be reached."""
    known: dict[str, list[str]] = {k: sorted(set(v)) for k, v in identities.items() if v}
    wanted = set(only) if only is not None else {s.key for s in policy.systems}
    result = Discovery(identities=known)
    asked: dict[str, dict[str, list[str]]] = {}
    for _ in range(MAX_ROUNDS):
        result.rounds += 1
        grew = False
        queries: dict[str, dict[str, list[str]]] = {}
        for spec in policy.systems:
            if spec.key not in wanted or not searchable(spec, known):
                continue
            kinds = {k for t in spec.tables for k in t.identities}
            query = {k: v for k, v in known.items() if k in kinds}
            seen = asked.get(spec.key)
            if seen is not None and all(set(v) <= set(seen.get(k, [])) for k, v in query.items()):
                continue  # this system already searched (or found) every value we know
            queries[spec.key] = query
        # The systems of one round are searched at the same time (`fanout`); what they find
        # is merged in policy order, and new identities are searched in the next round.
        found = fanout.each_system(list(queries), _finder(systems, queries))
        for key, records in zip(queries, found, strict=True):
            spec = policy.system(key)
            asked[spec.key] = {k: list(v) for k, v in records.identities.items()}
            result.records[spec.key] = records
            for kind, values in records.new_identities(known).items():
                if kind in PROPAGATE:
                    known[kind] = sorted(set(known.get(kind, [])) | set(values))
                    grew = True
        if not grew:
            break
    result.identities = known
    return result


# --- Art. 17(3)(b): what the law requires to keep -------------------------------------------


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def keep_until(
    policy: Policy, spec: SystemSpec, table: TableSpec, row: Row
) -> tuple[date, str] | None:
    """(last day to keep, statute) when a legal obligation covers the row, else None."""
    rule = _rule(policy, table)
    if rule is None or not rule.legal_obligation:
        return None
    column = rule.trigger.field.split(".", 1)[-1]
    record_date = _as_date(row.get(column))
    country = spec.storage_country if rule.jurisdiction == "storage_country" else rule.jurisdiction
    if record_date is None:
        # Without its date the period cannot be shown to have ended: keep (the safer side).
        return date.max, f"retention rule {rule.key} (record date unknown)"
    kind = rule.record_kind if rule.record_kind != "other" else "accounting"
    try:
        ends = retention_periods.minimum_ends(record_date, country, kind=kind)
    except InvalidInput:
        # No statute recorded for this storage country: the rule's own period applies.
        if rule.period.anchor == "end_of_year":
            end = years_plus_current_year(record_date, rule.period.years)
        else:
            from steward.legal.periods import company_maximum

            end = company_maximum(record_date, rule.period.years * 12 + rule.period.months)
        return end, f"retention rule {rule.key}"
    statute, end = max(ends, key=lambda pair: pair[1])
    return end, statute.citation


def keep_hook(policy: Policy, spec: SystemSpec, today: date) -> KeepHook:
    """The hook the connectors call per row while planning an erasure."""

    def hook(table: TableSpec, row: Row) -> str | None:
        found = keep_until(policy, spec, table, row)
        if found is None:
            return None
        end, statute = found
        if end < today:
            return None  # the statutory period is over: the row is erased with the rest
        until = "" if end == date.max else f" until {end.isoformat()}"
        return f"GDPR Art. 17(3)(b): {statute}{until}"

    return hook


def erasure_plans(
    policy: Policy,
    systems: Systems,
    found: Discovery,
    today: date,
    salt: str,
    holds: Sequence[legalholds.Hold] = (),
) -> dict[str, ErasurePlan]:
    """Each system's plan; rows under a legal hold (`holds`, Art. 17(3)(e)) are kept first,
    then rows a statutory period still covers (Art. 17(3)(b))."""
    plans: dict[str, ErasurePlan] = {}
    for key, records in found.records.items():
        if records.is_empty():
            continue
        spec = policy.system(key)
        held = legalholds.held_rows(spec, records, found.all_identities(), holds) if holds else {}
        plans[key] = systems.get(key).plan_erasure(
            records, keep=legalholds.binding(held, keep_hook(policy, spec, today)), salt=salt
        )
    return plans


def plan_summary(plans: Mapping[str, ErasurePlan]) -> dict[str, Any]:
    """The dry run as JSON-safe data without personal values (shown before approval)."""
    out: dict[str, Any] = {}
    for key, plan in plans.items():
        out[key] = {
            "statements": [
                {
                    "table": s.table,
                    "op": s.op,
                    "rows": s.rows,
                    "sql": s.sql.strip(),
                    "actions": [list(a) for a in s.actions],
                }
                for s in plan.statements
            ],
            "kept": [{"table": k.table, "pk": k.pk, "reason": k.reason} for k in plan.kept],
        }
    return out


# --- policy lookups for answers ---------------------------------------------------------------


def activities_for(policy: Policy, systems: Iterable[str]) -> list[Any]:
    keys = set(systems)
    return [a for a in policy.processing_activities if keys & set(a.systems)]
