"""Consent decisions reaching retention: a rule whose condition reads a consent purpose has
counts that a new decision for that purpose makes out of date. The cached plans of those rules
are marked stale (the console says so and the next count replaces them); sweeps read the
ledger's current state when they start, so the next sweep follows the decision anyway.

Registered in the `steward.consent_listeners` entry-point group (see `consent/hooks.py`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steward.policy.models import Policy
from steward.retention.conditions import consent_parts
from steward.retention.tables import RetentionPlanCache


def rules_reading(policy: Policy, purpose: str) -> list[str]:
    """Keys of the rules whose condition reads consent purpose `purpose`."""
    return [r.key for r in policy.retention_rules
            if any(p.purpose == purpose for p in consent_parts(r.condition))]


def on_consent_change(session: Session, policy: Policy, purpose: str) -> None:
    """Mark the cached plans of the rules reading `purpose` stale, in the caller's
    transaction."""
    keys = rules_reading(policy, purpose)
    if keys:
        session.execute(
            sa.update(RetentionPlanCache).where(RetentionPlanCache.rule.in_(keys))
            .values(stale_reason=f"consent decisions for {purpose!r} changed since"))
