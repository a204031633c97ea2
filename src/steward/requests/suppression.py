"""Restrictions (GDPR Art. 18) and objections (Art. 21) recorded in Steward, so that consent
checks and later processing skip the subject.

Subjects are named by the consent ledger's references (`steward.consent.subjects`):
`email:<HMAC of the address>` and `acct:<customer number>`. A restriction is a row in the
`restrictions` table, which the consent checks' built-in blocker reads; an objection is a row
in `dsr_objections` and an `objected` event in the consent ledger for every purpose it covers
(direct marketing: absolute, Art. 21(3); legitimate interests: unless compelling grounds are
recorded, Art. 21(1)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.consent.subjects import email_ref
from steward.policy.models import LegalBasis, Policy
from steward.requests.tables import DsrObjection, Restriction


def subject_refs(secret: str, identities: Mapping[str, Sequence[str]]) -> list[str]:
    """The ledger references of a subject's identities (e-mails and customer numbers)."""
    refs = [email_ref(secret, e) for e in identities.get("email", [])]
    refs += [f"acct:{c}" for c in identities.get("customer_number", []) if len(c) <= 100]
    return sorted(set(refs))


def restrict(session: Session, request_id: int, refs: Sequence[str]) -> int:
    """Add an active restriction for each reference that has none; return how many were added."""
    n = 0
    for ref in refs:
        active = session.scalar(
            select(Restriction.id)
            .where(Restriction.subject_ref == ref, Restriction.lifted_at.is_(None))
            .limit(1)
        )
        if active is None:
            session.add(
                Restriction(subject_ref=ref, request_id=request_id, created_at=datetime.now(UTC))
            )
            n += 1
    return n


def is_restricted(session: Session, subject_ref: str) -> bool:
    """Art. 18: is processing of this subject (a ledger reference) restricted?"""
    return (
        session.scalar(
            select(Restriction.id)
            .where(Restriction.subject_ref == subject_ref, Restriction.lifted_at.is_(None))
            .limit(1)
        )
        is not None
    )


def has_objection(session: Session, subject_ref: str, scope: str = "direct_marketing") -> bool:
    """Art. 21: an objection in force (not overridden by compelling grounds)."""
    return (
        session.scalar(
            select(DsrObjection.id)
            .where(
                DsrObjection.subject_ref == subject_ref,
                DsrObjection.scope == scope,
                DsrObjection.overridden.is_(False),
            )
            .limit(1)
        )
        is not None
    )


def record_objection(
    session: Session,
    policy: Policy,
    request_id: int,
    refs: Sequence[str],
    scope: str,
    *,
    overridden: bool,
    actor: str,
) -> int:
    """Record the objection; unless overridden, also as `objected` in the consent ledger for
    every consent purpose it covers. Returns the number of ledger events written."""
    from steward.consent import ledger
    from steward.consent.purposes import resolve

    now = datetime.now(UTC)
    for ref in refs:
        session.add(
            DsrObjection(
                subject_ref=ref,
                request_id=request_id,
                scope=scope,
                created_at=now,
                overridden=overridden,
            )
        )
    if overridden:
        return 0
    if scope == "direct_marketing":
        keys = [p.key for p in policy.consent.purposes if p.direct_marketing]
    else:
        keys = [
            p.key
            for p in policy.consent.purposes
            if p.legal_basis is LegalBasis.legitimate_interests
        ]
    n = 0
    for ref in refs:
        if not ref.startswith("email:"):
            continue
        for key in keys:
            ledger.record(
                session,
                policy,
                subject_ref=ref,
                purpose=resolve(policy, key),
                action="objected",
                method="dsr",
                recorded_by=actor,
                evidence_ref=f"dsr request {request_id}",
            )
            n += 1
    return n
