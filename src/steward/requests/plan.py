"""Finding the subject across every connected system, and planning what a request changes.

- `Systems`: one connector per policy system, made through the registry, closed together.
- `discover`: run every system in rounds until no new identity appears (an e-mail found in the
  CRM yields a customer number, which finds the portal login and the support tickets).
- `keep_hook`: GDPR Art. 17(3)(b): a row covered by a retention rule with a legal obligation is
  kept only while the statutory period of its storage country runs
  (`steward.retention.statutes`); the reason names the article, the statute and the date.
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
from steward.connectors.tasks import Awaiting
from steward.errors import InvalidInput, NotFound
from steward.legal import erasure_words
from steward.policy.models import EraseAction, Policy, SystemSpec, TableSpec
from steward.requests import fanout, legalholds
from steward.retention import statutes

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
    """What the search found. `not_searched`: system -> why it could not be searched; while
    it is not empty, the search cannot confirm that no data is held (Art. 15(1))."""

    identities: dict[str, list[str]]
    records: dict[str, SubjectRecords] = field(default_factory=dict)
    rounds: int = 0
    not_searched: dict[str, str] = field(default_factory=dict)

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
) -> Callable[[str], SubjectRecords | InvalidInput]:
    """`key -> records` for one round; connectors are made here, not on the pool's threads.
    A system its connector refuses as misconfigured gives the error instead of records, so
    the round's other systems are still searched."""
    conns: dict[str, Any] = {}
    for key in queries:
        try:
            conns[key] = systems.get(key)
        except InvalidInput as err:
            conns[key] = err

    def find(key: str) -> SubjectRecords | InvalidInput:
        conn = conns[key]
        if isinstance(conn, InvalidInput):
            return conn
        try:
            records: SubjectRecords = conn.find(queries[key])
        except InvalidInput as err:
            return err
        except Awaiting as err:
            # A manual or webhook system whose answer has not come yet: not searched (it
            # does not hold the other systems' results back; Art. 15(1)).
            return InvalidInput(err.detail)
        return records

    return find


def discover(
    policy: Policy,
    systems: Systems,
    identities: Mapping[str, Iterable[str]],
) -> Discovery:
    """Search every system in rounds until no new identity appears.
    Raises Unavailable when a system cannot be reached. A system that cannot be searched
    (its tables unknown, none with an identity column, none for the identities known, or
    refused by its connector as misconfigured) is recorded in `not_searched` with the reason."""
    known: dict[str, list[str]] = {k: sorted(set(v)) for k, v in identities.items() if v}
    wanted = {s.key for s in policy.systems}
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
            if isinstance(records, InvalidInput):
                # Refused by its connector as misconfigured (a table or column the database
                # lacks): not searched, and the reason is kept (Art. 15(1)).
                result.not_searched[key] = records.detail
                wanted.discard(key)
                continue
            asked[spec.key] = {k: list(v) for k, v in records.identities.items()}
            result.records[spec.key] = records
            for kind, values in records.new_identities(known).items():
                if kind in PROPAGATE:
                    known[kind] = sorted(set(known.get(kind, [])) | set(values))
                    grew = True
        if not grew:
            break
    result.identities = known
    for spec in policy.systems:
        if spec.key in wanted and spec.key not in asked:
            result.not_searched[spec.key] = unsearchable_reason(spec, known)
    return result


def unsearchable_reason(spec: SystemSpec, identities: Mapping[str, Iterable[str]]) -> str:
    """Why `spec` cannot be searched with `identities` (it was not)."""
    if spec.dataset_error is not None:
        return spec.dataset_error
    kinds = sorted({k for t in spec.tables for k in t.identities})
    if not kinds:
        return "no table with an identity column"
    given = ", ".join(sorted(k for k, v in identities.items() if list(v))) or "none"
    return (
        f"no identity column for the identities given ({given}; it is searched by "
        f"{', '.join(kinds)})"
    )


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
    """(last day to keep, statute) when a law requires keeping the row, else None (the
    retention rule's own statute and dates: `steward.retention.statutes.legal_keep`)."""
    rule = _rule(policy, table)
    if rule is None:
        return None
    column = rule.trigger.field.split(".", 1)[-1]
    country = statutes.country_of(rule, spec)
    return statutes.legal_keep(policy, rule, country, _as_date(row.get(column)))


def keep_hook(policy: Policy, spec: SystemSpec, today: date) -> KeepHook:
    """The hook the connectors call per row while planning an erasure."""

    def hook(table: TableSpec, row: Row) -> str | None:
        found = keep_until(policy, spec, table, row)
        if found is None:
            return None
        end, statute = found
        if end < today:
            return None  # the statutory period is over: the row is erased with the rest
        if end == date.max:
            return erasure_words.say(erasure_words.KEPT_BY_LAW, law=statute)
        return erasure_words.say(erasure_words.KEPT_BY_LAW_UNTIL, law=statute,
                                 date=end.isoformat())

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
    then rows a statutory period still covers (Art. 17(3)(b)). The systems are planned at the
    same time (`fanout`): each plan reads which other rows point at the rows it would delete."""
    keys = [key for key, records in found.records.items() if not records.is_empty()]
    connectors = {key: systems.get(key) for key in keys}  # made here, not on the pool's threads
    everyone = found.all_identities() if holds else {}

    def plan(key: str) -> ErasurePlan:
        spec, records = policy.system(key), found.records[key]
        held = legalholds.held_rows(spec, records, everyone, holds) if holds else {}
        return connectors[key].plan_erasure(
            records, keep=legalholds.binding(held, keep_hook(policy, spec, today)), salt=salt
        )

    return dict(zip(keys, fanout.each_system(keys, plan), strict=True))


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
            "notes": list(plan.notes),  # rows rewritten not deleted (shared), NOT NULL kept
        }
    return out


def readable_plan(policy: Policy, plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stored dry run (`plan_summary` with the rows found) in words, per system: what will
    be deleted, anonymised (which kinds of data) and kept (and why), the statements beside it
    for whoever wants them. Human names come from the policy (`letters.where`)."""
    from steward.i18n import current
    from steward.requests import letters

    lang = current()  # the officer's language (the console's)
    found = plan.get("found") or {}
    planned = plan.get("systems") or {}
    out: list[dict[str, Any]] = []
    for key in dict.fromkeys([*found, *planned]):
        try:
            name = letters.system_name(policy, key, lang)
        except NotFound:
            name = key  # a system no longer in the policy: its key is all there is
        p = planned.get(key) or {}
        delete, anonymise, keep = [], [], []
        for st in p.get("statements") or []:
            what = letters.table_name(policy, key, st["table"], lang)
            item = {"what": what, "table": st["table"], "rows": st["rows"]}
            if st["op"] == "delete":
                delete.append(item)
            else:
                fields = [a[0] for a in st.get("actions") or []]
                item["fields"] = letters.data_names(policy, key, st["table"], fields, lang)
                anonymise.append(item)
        kept: dict[tuple[str, str], int] = {}
        for k in p.get("kept") or []:
            kept[(k["table"], k["reason"])] = kept.get((k["table"], k["reason"]), 0) + 1
        for (table, reason), n in kept.items():
            what = letters.table_name(policy, key, table, lang)
            keep.append({"what": what, "table": table, "rows": n,
                         "reason": erasure_words.in_language(reason)})
        out.append(
            {
                "key": key,
                "system": name,
                "found": found.get(key, 0),
                "delete": delete,
                "anonymise": anonymise,
                "keep": keep,
                "notes": [erasure_words.in_language(n) for n in p.get("notes") or []],
                "statements": p.get("statements") or [],
                "rows_deleted": sum(i["rows"] for i in delete),
                "rows_anonymised": sum(i["rows"] for i in anonymise),
                "rows_kept": sum(i["rows"] for i in keep),
            }
        )
    return out


# --- policy lookups for answers ---------------------------------------------------------------


def activities_for(policy: Policy, systems: Iterable[str]) -> list[Any]:
    keys = set(systems)
    return [a for a in policy.processing_activities if keys & set(a.systems)]
