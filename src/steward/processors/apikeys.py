"""API keys of the controllers the company serves: `sck_<prefix>_<secret>`, each scoped to one
controller (Art. 28(3)(e): its admin submits its employees' requests and fetches the answers).
Shown once, stored as sha256, revocable (`steward.store.apikeys`, as the consent API's keys).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.errors import InvalidInput, NotFound
from steward.policy.models import Policy
from steward.policy.tenancy import find
from steward.processors.tables import ControllerApiKey
from steward.store import apikeys

TAG = "sck"


def subject_ref(controller: str) -> str:
    """How the audit log names a controller served (every assisted step is filed under it)."""
    return f"controller:{controller}"


def create(
    session: Session, policy: Policy, *, controller: str, name: str, actor: str
) -> tuple[ControllerApiKey, str]:
    """A new key for `controller` (a key in the policy); the row and the plain key, which the
    caller shows once."""
    find(policy, controller)  # NotFound for a controller the policy does not serve
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("an API key needs a name of 1-120 characters", field="name")
    new = apikeys.make(TAG)
    row = ControllerApiKey(
        controller=controller,
        name=name,
        prefix=new.prefix,
        key_hash=new.key_hash,
        created_at=datetime.now(UTC),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="controllers.api_key_created",
        subject_ref=subject_ref(controller),
        details={"name": name, "prefix": new.prefix},
    )
    return row, new.key


def verify(session: Session, key: str) -> ControllerApiKey | None:
    """The active key row for `key`, or None."""
    return apikeys.active(session, ControllerApiKey, key, TAG)


def revoke(session: Session, prefix: str, *, actor: str) -> ControllerApiKey:
    row = session.scalar(select(ControllerApiKey).where(ControllerApiKey.prefix == prefix))
    if row is None:
        raise NotFound(f"no controller API key with prefix {prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        audit.append(
            session,
            actor=actor,
            action="controllers.api_key_revoked",
            subject_ref=subject_ref(row.controller),
            details={"name": row.name, "prefix": row.prefix},
        )
    return row


def listing(session: Session, controller: str | None = None) -> list[ControllerApiKey]:
    query = select(ControllerApiKey).order_by(ControllerApiKey.id)
    if controller is not None:
        query = query.where(ControllerApiKey.controller == controller)
    return list(session.scalars(query))
