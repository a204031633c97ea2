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

from steward.i18n import gettext as _
from steward.requests.tables import DsrCode, DsrRequest
from steward.store.db import as_utc, rows_matched
from steward.store.sealing import Sealer

CODE_DIGITS = 8
CODE_MINUTES = 30
MAX_ATTEMPTS = 5
# The `Table` itself (`__table__` is typed as any FromClause), for Core statements.
_CODES = DsrCode.metadata.tables[DsrCode.__tablename__]


class Check(StrEnum):
    ok = "ok"
    wrong = "wrong"  # attempts left
    expired = "expired"  # too old, used up, or none issued: a new code is needed
    exhausted = "exhausted"  # too many wrong guesses: a new code is needed


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
    """Check a code; every guess is counted (the caller commits even when it fails).
    A right code is used up.

    The count is taken before the comparison with one conditional UPDATE (`attempts <
    MAX_ATTEMPTS`), and a right code is used up with another (`used_at IS NULL`): the database
    applies each atomically (PostgreSQL locks the row, SQLite the file), so parallel guesses
    never share a slot and at most MAX_ATTEMPTS guesses are ever compared, and a code verifies
    once. A read-then-write of the counter let parallel guesses all read the same count."""
    now = now or datetime.now(UTC)
    row = session.execute(
        select(_CODES.c.id, _CODES.c.code_hash, _CODES.c.expires_at)
        .where(
            _CODES.c.request_id == req.id,
            _CODES.c.purpose == purpose,
            _CODES.c.used_at.is_(None),
        )
        .order_by(_CODES.c.id.desc())
        .limit(1)
    ).first()
    clean = "".join(ch for ch in (code or "") if ch.isdigit())
    # Compute the digest even without a live code, so both paths take the same time.
    digest = _digest(sealer, req, purpose, clean)
    if row is None or as_utc(row.expires_at) < now:
        return Check.expired
    counted = rows_matched(session.execute(
        update(_CODES)
        .where(
            _CODES.c.id == row.id,
            _CODES.c.used_at.is_(None),
            _CODES.c.attempts < MAX_ATTEMPTS,
        )
        .values(attempts=_CODES.c.attempts + 1)
    ))
    now_row = session.execute(
        select(_CODES.c.attempts, _CODES.c.used_at).where(_CODES.c.id == row.id)
    ).one()
    if counted != 1:
        # no slot left, or a parallel right guess used the code up meanwhile
        return Check.expired if now_row.used_at is not None else Check.exhausted
    if len(clean) == CODE_DIGITS and hmac.compare_digest(digest, row.code_hash):
        used = rows_matched(session.execute(
            update(_CODES)
            .where(_CODES.c.id == row.id, _CODES.c.used_at.is_(None))
            .values(used_at=now)
        ))
        return Check.ok if used == 1 else Check.expired
    return Check.exhausted if now_row.attempts >= MAX_ATTEMPTS else Check.wrong


def explain(result: Check) -> str:
    """The result in words for the person, in the language in force."""
    return {
        Check.ok: _("verified"),
        Check.wrong: _("that code is not right; check the e-mail and try again"),
        Check.expired: _("the code has expired or was already used; ask for a new code"),
        Check.exhausted: _("too many wrong codes; ask for a new code"),
    }[result]
