"""One-time codes proving control of the e-mail address (GDPR Art. 12(6): verify identity
before anything is disclosed or changed).

A code is 8 random digits, stored only as an HMAC (keyed by the app secret and bound to the
request and purpose), valid for `CODE_MINUTES`, and dies after `MAX_ATTEMPTS` wrong guesses;
then a new code is needed. 10^8 codes and 5 guesses give a 1-in-20-million chance per code.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.requests.sealing import Sealer
from steward.requests.tables import DsrCode, DsrRequest

CODE_DIGITS = 8
CODE_MINUTES = 30
MAX_ATTEMPTS = 5


class Check(StrEnum):
    ok = "ok"
    wrong = "wrong"  # attempts left
    expired = "expired"  # too old, used up, or none issued: a new code is needed
    exhausted = "exhausted"  # too many wrong guesses: a new code is needed


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _digest(sealer: Sealer, req: DsrRequest, purpose: str, code: str) -> str:
    return sealer.mac("code", req.public_id, purpose, code)


def issue_code(
    session: Session, sealer: Sealer, req: DsrRequest, purpose: str, now: datetime | None = None
) -> str:
    """Create a fresh code (earlier unused ones of the same purpose stop working); return it
    for the e-mail. Only its HMAC is stored."""
    now = now or datetime.now(UTC)
    session.execute(
        update(DsrCode)
        .where(DsrCode.request_id == req.id, DsrCode.purpose == purpose, DsrCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    session.add(
        DsrCode(
            request_id=req.id,
            purpose=purpose,
            code_hash=_digest(sealer, req, purpose, code),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            attempts=0,
        )
    )
    session.flush()
    return code


def check_code(
    session: Session,
    sealer: Sealer,
    req: DsrRequest,
    purpose: str,
    code: str,
    now: datetime | None = None,
) -> Check:
    """Check a code; a wrong guess is counted (the caller commits even when it fails).
    A right code is used up."""
    now = now or datetime.now(UTC)
    row = session.scalars(
        select(DsrCode)
        .where(DsrCode.request_id == req.id, DsrCode.purpose == purpose, DsrCode.used_at.is_(None))
        .order_by(DsrCode.id.desc())
        .limit(1)
    ).first()
    clean = "".join(ch for ch in (code or "") if ch.isdigit())
    # Compute the digest even without a live code, so both paths take the same time.
    digest = _digest(sealer, req, purpose, clean)
    if row is None or _aware(row.expires_at) < now:
        return Check.expired
    if row.attempts >= MAX_ATTEMPTS:
        return Check.exhausted
    if len(clean) == CODE_DIGITS and hmac.compare_digest(digest, row.code_hash):
        row.used_at = now
        return Check.ok
    row.attempts += 1
    return Check.exhausted if row.attempts >= MAX_ATTEMPTS else Check.wrong


def explain(result: Check) -> str:
    return {
        Check.ok: "verified",
        Check.wrong: "that code is not right; check the e-mail and try again",
        Check.expired: "the code has expired or was already used; ask for a new code",
        Check.exhausted: "too many wrong codes; ask for a new code",
    }[result]
