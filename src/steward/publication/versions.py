"""Recording and reading published policy versions.

`publish(session, policy)` is idempotent: the same policy content (by SHA-256 of its canonical
JSON) is stored once; a new version that adds or widens a purpose creates its announcements
(`announcements.create_for_version`). Earlier versions are rebuilt from their stored document,
so their notice renders exactly as the policy said then.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward import audit
from steward.errors import NotFound
from steward.policy.diff import PolicyDiff, diff_policies
from steward.policy.models import Policy
from steward.publication.tables import PolicyVersion


def document(policy: Policy) -> str:
    return json.dumps(policy.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def publish(session: Session, policy: Policy, *, actor: str = "system") -> PolicyVersion:
    """Store `policy` as a published version unless the same content is already stored."""
    doc = document(policy)
    digest = hashlib.sha256(doc.encode()).hexdigest()
    found = session.scalar(select(PolicyVersion).where(PolicyVersion.sha256 == digest))
    if found is not None:
        return found
    row = PolicyVersion(policy_id=policy.policy.id, version=policy.policy.version,
                        effective=policy.policy.effective, sha256=digest,
                        published_at=datetime.now(UTC), document=doc)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another process published the same content first
        found = session.scalar(select(PolicyVersion).where(PolicyVersion.sha256 == digest))
        assert found is not None
        return found
    audit.append(session, actor=actor, action="policy.published",
                 subject_ref=f"policy:{policy.policy.id}",
                 details={"version": policy.policy.version, "sha256": digest,
                          "version_id": row.id})
    prev = session.scalar(
        select(PolicyVersion).where(PolicyVersion.id < row.id).order_by(PolicyVersion.id.desc())
    )
    if prev is not None:
        # New purposes wait for their announcement (Art. 13(3), Art. 14(4)).
        from steward.publication.announcements import create_for_version

        old = Policy.model_validate(json.loads(prev.document))
        create_for_version(session, old, policy, row, actor=actor)
        # New sub-processors are told to the controllers served (Art. 28(2)).
        from steward.processors.subnotices import create_for_version as tell_controllers

        tell_controllers(session, old, policy, row.id, actor=actor)
    return row


def history(session: Session) -> list[PolicyVersion]:
    """Newest first."""
    return list(session.scalars(select(PolicyVersion).order_by(PolicyVersion.id.desc())))


def load_version(session: Session, version_id: int) -> tuple[PolicyVersion, Policy]:
    row = session.get(PolicyVersion, version_id)
    if row is None:
        raise NotFound(f"no published policy version {version_id}")
    return row, Policy.model_validate(json.loads(row.document))


def changes_since_previous(session: Session, version_id: int) -> PolicyDiff | None:
    """What changed from the version published before `version_id` (None for the first)."""
    row, new = load_version(session, version_id)
    prev = session.scalar(
        select(PolicyVersion).where(PolicyVersion.id < row.id).order_by(PolicyVersion.id.desc())
    )
    if prev is None:
        return None
    return diff_policies(Policy.model_validate(json.loads(prev.document)), new)
