"""Evidence of what a sweep did: per-run totals from the batch records, and the audit events.

The audit details hold the rule, the cutoff, counts per table, the key range, the times and
the statutory basis — references and counts only, never a deleted value (GDPR Art. 5(2):
the controller demonstrates compliance).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steward import audit
from steward.errors import StewardError
from steward.policy.models import Policy
from steward.retention import statutes
from steward.retention.cutoff import describe
from steward.retention.tables import RetentionBatch, RetentionRun

ACTOR = "retention"


def batch_totals(session: Session, run_id: int) -> dict[str, int]:
    """Rows changed per table over the run's completed batches."""
    totals: dict[str, int] = {}
    for counts in session.scalars(sa.select(RetentionBatch.counts).where(
            RetentionBatch.run_id == run_id, RetentionBatch.status == "done")):
        for table, n in json.loads(counts or "{}").items():
            totals[table] = totals.get(table, 0) + int(n)
    return totals


def skipped(session: Session, run_id: int) -> dict[str, int]:
    """Values the scanner could not read over the run's batches, by reason (binary,
    too_large, not_text): a `redact` rule leaves them as they are, so the evidence names them."""
    out: dict[str, int] = {}
    for text in session.scalars(sa.select(RetentionBatch.skipped).where(
            RetentionBatch.run_id == run_id, RetentionBatch.skipped.is_not(None))):
        for reason, n in json.loads(text or "{}").items():
            out[reason] = out.get(reason, 0) + int(n)
    return dict(sorted(out.items()))


def batches(session: Session, run_id: int) -> list[RetentionBatch]:
    return list(session.scalars(sa.select(RetentionBatch).where(
        RetentionBatch.run_id == run_id).order_by(RetentionBatch.batch_no)))


def key_range(session: Session, run_id: int) -> dict[str, Any]:
    first = session.scalars(sa.select(RetentionBatch.after_pk).where(
        RetentionBatch.run_id == run_id).order_by(RetentionBatch.batch_no).limit(1)).first()
    last = session.scalars(sa.select(RetentionBatch.last_pk).where(
        RetentionBatch.run_id == run_id).order_by(RetentionBatch.batch_no.desc()).limit(1)).first()
    return {"after": json.loads(first) if first else None,
            "through": json.loads(last) if last else None}


def summary(session: Session, run: RetentionRun, policy: Policy | None = None) -> dict[str, Any]:
    """The run's evidence as a JSON-safe mapping."""
    held = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(RetentionBatch.held), 0)).where(
        RetentionBatch.run_id == run.id)) or 0
    blocked = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(RetentionBatch.blocked), 0))
                             .where(RetentionBatch.run_id == run.id)) or 0
    unscannable = skipped(session, run.id)
    out: dict[str, Any] = {
        "run": run.id, "rule": run.rule, "system": run.system, "table": run.table_name,
        "action": run.action, "status": run.status, "cutoff": run.cutoff.isoformat(),
        "counts": batch_totals(session, run.id), "keys": key_range(session, run.id),
        "batches": run.batches_done, "held": int(held), "blocked": int(blocked),
        "skipped_unscannable": sum(unscannable.values()), "skipped_by_reason": unscannable,
        "missing_trigger_date": run.missing_trigger, "attempts": run.attempts,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "reason": run.reason,
    }
    if policy is not None:
        try:
            rule = policy.retention_rule(run.rule)
        except Exception:  # noqa: BLE001 - the rule may have left the policy since the run
            return out
        out["period"] = describe(rule.period)
        out["statutory_basis"] = policy.text(rule.statutory_basis) or None
        # Art. 17(3)(b) only where a statute requires keeping; otherwise the period is the
        # company's own maximum under storage limitation, Art. 5(1)(e).
        out["legal_basis"] = (
            statutes.RUN_ON_STATUTE if statutes.rests_on_statute(rule) else statutes.RUN_OWN
        )
        try:
            country = statutes.country_of(rule, policy.system(rule.system))
            out["basis"] = statutes.basis(policy, rule, country)
        except StewardError:
            pass  # the system left the policy since the run
    return out


def record_run(session: Session, run: RetentionRun, policy: Policy) -> None:
    """Audit the finished run, in the caller's transaction."""
    run.rows_done = batch_totals(session, run.id).get(run.table_name, 0)
    audit.append(session, actor=ACTOR, action="retention.run_completed",
                 subject_ref=f"retention_run:{run.id}", details=summary(session, run, policy))


def record_stop(session: Session, run: RetentionRun) -> None:
    """Audit a run that stopped (system unreachable, or failed) with its reason."""
    audit.append(session, actor=ACTOR, action=f"retention.run_{run.status}",
                 subject_ref=f"retention_run:{run.id}", details=summary(session, run))


def recent_runs(
    session: Session, *, rule: str | None = None, limit: int = 50
) -> list[RetentionRun]:
    q = sa.select(RetentionRun).order_by(RetentionRun.id.desc()).limit(limit)
    if rule:
        q = q.where(RetentionRun.rule == rule)
    return list(session.scalars(q))
