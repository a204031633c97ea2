"""The person's session on one request: one verification per journey.

After a right code the person stays signed in to that request (status, messages, download)
for a bounded time: `idle` without a visit, `absolute` after the code however active. The
cookie carries a random token and a signature binding it to the request's public id; the store
keeps only the token's HMAC, so a copy of the store opens nothing, and deleting the row (sign
out, or every session of a request) ends it at once (GDPR Art. 12(6), Art. 32).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from steward.requests.tables import DsrRequest, DsrSubjectSession
from steward.store.db import as_utc
from steward.store.sealing import Sealer

# The last-seen time is written at most this often (one write a minute per active session).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Limits:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=2)


def _hash(sealer: Sealer, token: str) -> str:
    return sealer.mac("dsr-session", token)


def _sign(sealer: Sealer, public_id: str, token: str) -> str:
    return sealer.mac("dsr-cookie", public_id, token)[:32]


def open_session(
    session: Session, sealer: Sealer, req: DsrRequest, now: datetime | None = None
) -> str:
    """Start a session on `req`; return the cookie value (token and signature)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.add(
        DsrSubjectSession(
            token_hash=_hash(sealer, token), request_id=req.id, created_at=now, last_seen_at=now
        )
    )
    session.flush()
    return f"{token}.{_sign(sealer, req.public_id, token)}"


def _token(sealer: Sealer, public_id: str, cookie: str | None) -> str | None:
    token, _, sig = (cookie or "").partition(".")
    if not token or not sig or not hmac.compare_digest(sig, _sign(sealer, public_id, token)):
        return None
    return token


def is_live(
    session: Session,
    sealer: Sealer,
    req: DsrRequest,
    cookie: str | None,
    limits: Limits,
    now: datetime | None = None,
) -> bool:
    """True when `cookie` is a live session on `req` (marking it used); an idle or too old
    session is deleted."""
    now = now or datetime.now(UTC)
    token = _token(sealer, req.public_id, cookie)
    if token is None:
        return False
    row = session.get(DsrSubjectSession, _hash(sealer, token))
    if row is None or row.request_id != req.id:
        return False
    if (
        now - as_utc(row.created_at) > limits.absolute
        or now - as_utc(row.last_seen_at) > limits.idle
    ):
        session.delete(row)
        session.flush()
        return False
    if now - as_utc(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
    return True


def end(session: Session, sealer: Sealer, req: DsrRequest, cookie: str | None) -> None:
    """End one session (sign out); an unknown cookie is ignored."""
    token = _token(sealer, req.public_id, cookie)
    if token is not None:
        session.execute(
            delete(DsrSubjectSession).where(
                DsrSubjectSession.token_hash == _hash(sealer, token),
                DsrSubjectSession.request_id == req.id,
            )
        )


def end_all(session: Session, req: DsrRequest) -> int:
    """End every session on `req`; return how many there were."""
    rows = session.scalars(
        select(DsrSubjectSession.token_hash).where(DsrSubjectSession.request_id == req.id)
    ).all()
    session.execute(delete(DsrSubjectSession).where(DsrSubjectSession.request_id == req.id))
    return len(rows)
