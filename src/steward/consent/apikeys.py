"""API keys for the consent API: `stk_<prefix>_<secret>`, shown once, stored as sha256.

Keys are 256-bit random values, so a fast hash is enough (no password stretching needed);
lookups go by the non-secret prefix and compare digests in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.consent.purposes import now
from steward.consent.tables import ConsentApiKey
from steward.errors import InvalidInput, NotFound


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, *, name: str, actor: str) -> tuple[ConsentApiKey, str]:
    """Create a key; returns the row and the plain key (shown to the caller once)."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("an API key needs a name of 1-120 characters")
    prefix = secrets.token_hex(6)
    key = f"stk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ConsentApiKey(name=name, prefix=prefix, key_hash=_hash(key), created_at=now(),
                        created_by=actor)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="consent.api_key_created",
                 subject_ref=f"consent_api_key:{row.id}", details={"name": name})
    return row, key


def verify(session: Session, key: str) -> ConsentApiKey | None:
    """The active key row for `key`, or None."""
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "stk":
        return None
    row = session.scalar(select(ConsentApiKey).where(ConsentApiKey.prefix == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    return row if hmac.compare_digest(row.key_hash, _hash(key)) else None


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
