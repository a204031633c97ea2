"""The last plan of each rule, kept in Steward's store: the console shows the counts (expired,
held, due soon, ...) "as of" their time without querying every company database on each page
load. `refresh` counts (the daily sweep job after its sweep, and the console's refresh
button); `cached` only reads the store.

A cached plan carries a digest of the rule it was counted for: when the policy changes the
rule (period, action, fields, ...), the old counts are shown as stale rather than as current.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steward.connectors.engines import SystemEngines
from steward.policy.models import Policy, RetentionRule
from steward.retention.plan import RulePlan, plan_rule
from steward.retention.tables import RetentionPlanCache
from steward.store.db import as_utc

_PLAN_FIELDS = {f.name for f in fields(RulePlan)}


def rule_digest(rule: RetentionRule) -> str:
    """A digest of the rule's definition: a changed rule no longer matches its cached plan.
    (`sweep`, who starts the run, changes no count: it is left out.)"""
    return hashlib.sha256(rule.model_dump_json(exclude={"sweep"}).encode()).hexdigest()


@dataclass
class CachedPlan:
    """One rule as the console shows it: its last plan (None: never counted) and when it was
    counted; `stale` when the rule has changed since."""

    rule: RetentionRule
    plan: RulePlan | None = None
    refreshed_at: datetime | None = None
    stale: bool = False
    stale_reason: str | None = None


def refresh(
    session: Session, policy: Policy, *, engines: SystemEngines, rules: list[str] | None = None,
    today: date | None = None, now: datetime | None = None, secret: str | None = None,
) -> list[RulePlan]:
    """Count `rules` (default: every rule of the policy) in the company systems and store the
    plans, replacing earlier ones; a rule whose system is down is stored with its error.
    Rules no longer in the policy lose their cached plan. In the caller's transaction."""
    now = now or datetime.now(UTC)
    keys = rules if rules is not None else [r.key for r in policy.retention_rules]
    plans = [plan_rule(policy, k, engines=engines, session=session, today=today, secret=secret)
             for k in keys]
    stale = sa.delete(RetentionPlanCache)
    if rules is not None:
        stale = stale.where(RetentionPlanCache.rule.in_(keys))
    session.execute(stale)
    for p in plans:
        session.add(RetentionPlanCache(
            rule=p.rule, plan=json.dumps(p.to_dict()), refreshed_at=now,
            rule_digest=rule_digest(policy.retention_rule(p.rule))))
    session.flush()
    return plans


def refresh_stale(
    session: Session, policy: Policy, *, engines: SystemEngines, secret: str | None = None,
    today: date | None = None,
) -> list[str]:
    """Count again the rules whose cached plan was marked stale (e.g. by a consent decision
    for a purpose their condition reads, see `consentlink.py`); their keys, in the caller's
    transaction. The jobs worker calls this every quarter of an hour."""
    keys = [k for k in session.scalars(sa.select(RetentionPlanCache.rule).where(
        RetentionPlanCache.stale_reason.is_not(None)).order_by(RetentionPlanCache.rule))
        if k in {r.key for r in policy.retention_rules}]
    if keys:
        refresh(session, policy, engines=engines, rules=keys, secret=secret, today=today)
    return keys


def cached(session: Session, policy: Policy) -> list[CachedPlan]:
    """Every rule of the policy with its last stored plan, in policy order (store only)."""
    rows = {r.rule: r for r in session.scalars(sa.select(RetentionPlanCache))}
    out: list[CachedPlan] = []
    for rule in policy.retention_rules:
        row = rows.get(rule.key)
        if row is None:
            out.append(CachedPlan(rule))
            continue
        data = json.loads(row.plan)
        plan = RulePlan(**{k: v for k, v in data.items() if k in _PLAN_FIELDS})
        changed = row.rule_digest != rule_digest(rule)
        reason = "the rule changed since" if changed else row.stale_reason
        out.append(CachedPlan(rule, plan, as_utc(row.refreshed_at),
                              stale=reason is not None, stale_reason=reason))
    return out


def as_of(entries: list[CachedPlan]) -> datetime | None:
    """The oldest count among `entries` (what "as of" can honestly claim), None if none."""
    times = [e.refreshed_at for e in entries if e.refreshed_at is not None]
    return min(times) if times else None


def awaiting_approval(entries: list[CachedPlan]) -> list[CachedPlan]:
    """The rules the nightly sweep leaves to an officer (`sweep: approval`) that have work
    waiting: rows to process in their last count, or no usable count yet (unknown is not
    nothing)."""
    return [e for e in entries if e.rule.sweep == "approval"
            and (e.plan is None or e.plan.error is not None or e.plan.to_process > 0)]
