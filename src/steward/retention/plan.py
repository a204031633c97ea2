"""The dry run of retention rules: what a sweep would do today, touching nothing.

Per rule: the cutoff, how many records have expired, the oldest trigger date among them, a few
sample keys, how many are held (legal holds) or blocked (dependants kept by their own rule),
how many cannot be judged because their trigger date is empty (never deleted), how many expire
within the next 30 days, the statements with placeholders, and the statutory findings.

A rule that rewrites fields (null, anonymize, redact) keeps its rows, so they stay expired after
the run: for those the plan also says how many rows a run would change now (`changes`, by the
sweep's own batch logic, read-only), e.g. the closed-case messages that still hold sensitive
text, not every message of a closed case. Up to `SCAN_LIMIT` rows are examined; beyond that
the count is a lower bound (`changes_partial`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steward.connectors.base import json_safe
from steward.connectors.engines import SystemEngines
from steward.errors import StewardError, Unavailable
from steward.policy.models import Policy, RetentionAction
from steward.retention import consentstate, statutes
from steward.retention.batch import Governed, blocked_roots, prepare
from steward.retention.consentstate import ConsentReader
from steward.retention.cutoff import cutoff as cutoff_for
from steward.retention.cutoff import describe
from steward.retention.holds import active_holds, held_roots
from steward.retention.rules import resolve
from steward.retention.statements import RuleSql, batch_keys, reflect, show
from steward.retention.sweep import governed_for
from steward.retention.tables import LegalHold

SAMPLE = 5
SOON_DAYS = 30
SCAN_LIMIT = 20_000  # rows a dry run of a field-rewriting rule examines at most
SCAN_BATCH = 1000


@dataclass
class RulePlan:
    rule: str
    system: str
    table: str
    action: str
    period: str
    basis: str = ""  # the law it rests on (Art. 17(3)(b)) or the company's own choice
    cutoff: str | None = None
    expired: int = 0
    held: int = 0
    blocked: int = 0
    missing_trigger: int = 0
    due_soon: int = 0
    oldest: str | None = None
    sample: list[Any] = field(default_factory=list)
    changes: int | None = None  # null/anonymize/redact: rows a run would change now
    changes_partial: bool = False  # only the first SCAN_LIMIT expired rows were examined
    dependants: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)  # "table (rule)" that can block a delete
    statements: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    not_searched: str | None = None  # why the system could not be read: counts unknown, not 0

    @property
    def to_process(self) -> int:
        """Rows the next run would delete (delete rules) or change (the others)."""
        if self.changes is not None:
            return self.changes
        return max(self.expired - self.held - self.blocked, 0)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "to_process": self.to_process}


def plan_rule(
    policy: Policy, rule_key: str, *, engines: SystemEngines, session: Session | None = None,
    today: date | None = None, secret: str | None = None,
) -> RulePlan:
    """The plan of one rule. A system that cannot be reached or a rule the law forbids gives
    a plan with `error` set rather than an exception, so one rule never hides the others.
    A rule whose condition reads consent states needs `session` (the store) and `secret`
    (the key the ledger hashes e-mail addresses with)."""
    today = today or datetime.now(UTC).date()
    rule = policy.retention_rule(rule_key)
    p = RulePlan(rule.key, rule.system, rule.table, rule.action.value, describe(rule.period))
    try:
        rr = resolve(policy, rule)
        p.basis = statutes.basis(policy, rule, rr.country)
        p.dependants = list(rr.dependants)
        p.blocking = [f"{table} ({other.key})" for table, other in rr.governed.items()]
        p.warnings = [f.message for f in rr.warnings]
        rr.check()
        cutoff = cutoff_for(rule.period, today, rule.kind)
        p.cutoff = cutoff.isoformat()
        holds = active_holds(session) if session is not None else []
        with engines.begin(rr.system) as conn:
            sql = reflect(conn, rr)
            consentstate.load(conn, sql, _reader(session, secret))
            p.expired = int(conn.execute(sql.count_expired(cutoff)).scalar_one())
            p.missing_trigger = int(conn.execute(sql.count_missing_trigger()).scalar_one())
            soon = cutoff_for(rule.period, today + timedelta(days=SOON_DAYS), rule.kind)
            p.due_soon = int(conn.execute(sql.count_between(cutoff, soon)).scalar_one())
            oldest = conn.execute(sql.oldest(cutoff)).scalar_one()
            p.oldest = json_safe(oldest) if oldest is not None else None
            p.sample = [json_safe(sql.row_key(r)) for r in
                        conn.execute(sql.candidates(cutoff, limit=SAMPLE))]
            if p.expired:
                keys = sql.expired_keys(cutoff)
                held = held_roots(conn, sql, holds, keys) if holds else set()
                p.held = len(held)
                governed = governed_for(policy, rr, sql, today)
                p.blocked = len(blocked_roots(conn, sql, governed, keys) - held)
                if rule.action is not RetentionAction.delete:
                    p.changes, p.changes_partial = pending_changes(
                        conn, sql, cutoff, holds, governed)
            elif rule.action is not RetentionAction.delete:
                p.changes = 0
            p.statements = statements(sql, cutoff, conn.dialect)
    except Unavailable as err:
        p.not_searched = err.detail
        p.error = f"not searched: {err.detail}"
    except StewardError as err:
        p.error = err.detail
    return p


def _reader(session: Session | None, secret: str | None) -> ConsentReader | None:
    return ConsentReader(session, secret) if session is not None and secret else None


def pending_changes(
    conn: Any, sql: RuleSql, cutoff: date, holds: list[LegalHold], governed: list[Governed],
    *, limit: int = SCAN_LIMIT,
) -> tuple[int, bool]:
    """How many expired rows of a field-rewriting rule a run would change now, and whether
    the count stopped at `limit` examined rows (a lower bound then). Walks the expired keys in
    windows with the sweep's `prepare`, without row locks, so the dry run and the run agree.
    Pseudonyms are idempotent whatever the key, so an empty key counts the same rows."""
    changes, scanned, after = 0, 0, None
    while scanned < limit:
        p = prepare(conn, sql, cutoff=cutoff, holds=holds, governed=governed, after=after,
                    limit=min(SCAN_BATCH, limit - scanned), lock=False)
        if not p.ids:
            return changes, False
        changes += len(p.updates)
        scanned += len(p.ids)
        after = p.last
    more = conn.execute(sql.candidates(cutoff, after=after, limit=1)).first() is not None
    return changes, more


def statements(sql: RuleSql, cutoff: date, dialect: Any) -> list[str]:
    """The statements one batch runs, with placeholders only."""
    after = tuple(0 for _ in sql.rr.keys) if sql.composite else 0
    out = [show(sql.candidates(cutoff, after=after, limit=1000), dialect)]
    rule = sql.rr.rule
    if rule.action is RetentionAction.delete:
        out += [show(stmt, dialect) for _, stmt in sql.delete_statements(batch_keys(None))]
    else:
        values: dict[str, sa.BindParameter[Any]] = {f: sa.bindparam(f) for f in rule.fields}
        where = sa.and_(*(c == sa.bindparam(c.name) for c in sql.key_cols))
        stmt = sa.update(sql.root).where(where).values(**values)
        out.append(show(stmt, dialect))
    return out


def plan_all(
    policy: Policy, *, engines: SystemEngines, session: Session | None = None,
    rule: str | None = None, today: date | None = None, secret: str | None = None,
) -> list[RulePlan]:
    keys = [rule] if rule else [r.key for r in policy.retention_rules]
    if rule:
        policy.retention_rule(rule)  # NotFound for an unknown rule
    return [plan_rule(policy, k, engines=engines, session=session, today=today, secret=secret)
            for k in keys]
