"""API keys for the consent API: `stk_<prefix>_<secret>`, shown once, stored as sha256
(the mechanism is `steward.store.apikeys`, shared with the controllers' keys)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.consent.purposes import now
from steward.consent.tables import ConsentApiKey
from steward.errors import InvalidInput, NotFound
from steward.store import apikeys

TAG = "stk"


def create(session: Session, *, name: str, actor: str) -> tuple[ConsentApiKey, str]:
    """Create a key; returns the row and the plain key (shown to the caller once)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("an API key needs a name of 1-120 characters")
    new = apikeys.make(TAG)
    row = ConsentApiKey(name=name, prefix=new.prefix, key_hash=new.key_hash, created_at=now(),
                        created_by=actor)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="consent.api_key_created",
                 subject_ref=f"consent_api_key:{row.id}", details={"name": name})
    return row, new.key


def verify(session: Session, key: str) -> ConsentApiKey | None:
    """The active key row for `key`, or None."""
    return apikeys.active(session, ConsentApiKey, key, TAG)


def revoke(session: Session, prefix: str, *, actor: str) -> ConsentApiKey:
    row = session.scalar(select(ConsentApiKey).where(ConsentApiKey.prefix == prefix))
    if row is None:
        raise NotFound(f"no API key with prefix {prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = now()
        audit.append(session, actor=actor, action="consent.api_key_revoked",
                     subject_ref=f"consent_api_key:{row.id}", details={"name": row.name})
    return row


def listing(session: Session) -> list[ConsentApiKey]:
    return list(session.scalars(select(ConsentApiKey).order_by(ConsentApiKey.id)))
