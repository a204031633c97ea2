"""Limits on the code mails the public can trigger, so the verification step (GDPR Art. 12(6))
cannot be used to flood someone's inbox or to keep killing their code: at most
`CODES_PER_REQUEST` codes per request and `MAILS_PER_ADDRESS` code mails per address in an hour.

The counts live in the store (`dsr_send_quota`), not in a process's memory, so they hold across
web processes, workers and the CLI. Each limit is a fixed one-hour window per key, taken with one
conditional UPDATE (`... WHERE count < limit`) that the database applies atomically: parallel
senders cannot both take the last slot. Around a window boundary a fixed window lets up to twice
the limit through within an hour; that bound is still small, and it needs no log of sends.

Lock order, to avoid deadlocks on PostgreSQL: quota rows (request, then address) are taken
before the request's code rows and before any audit append in the same transaction.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, insert, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward.requests.tables import DsrRequest, DsrSendQuota
from steward.requests.verification import CODE_DIGITS, issue_code
from steward.store.db import rows_matched
from steward.store.sealing import Sealer

CODES_PER_REQUEST = 3
MAILS_PER_ADDRESS = 5
WINDOW = timedelta(hours=1)

# The `Table` itself (`__table__` is typed as any FromClause), for Core statements.
_QUOTA = DsrSendQuota.metadata.tables[DsrSendQuota.__tablename__]


def address_key(sealer: Sealer, email: str) -> str:
    """The quota key of an address: a keyed hash, so the table holds no address."""
    return "addr:" + sealer.mac("mail-quota", email.strip().lower())


def _ensure_row(session: Session, key: str, now: datetime) -> None:
    values = {"key": key, "window_start": now, "count": 0}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(ins(_QUOTA).values(**values).on_conflict_do_nothing(index_elements=["key"]))
        return
    # Other databases: a savepoint keeps a lost insert race from failing the transaction.
    with contextlib.suppress(IntegrityError), session.begin_nested():
        session.execute(insert(_QUOTA).values(**values))


def _take(session: Session, key: str, limit: int, now: datetime) -> bool:
    """Take one slot of `key`'s window; False when the window is full."""
    _ensure_row(session, key, now)
    expired = _QUOTA.c.window_start <= now - WINDOW
    taken = session.execute(
        update(_QUOTA)
        .where(_QUOTA.c.key == key, or_(expired, _QUOTA.c.count < limit))
        .values(
            count=case((expired, 1), else_=_QUOTA.c.count + 1),
            window_start=case((expired, now), else_=_QUOTA.c.window_start),
        )
    )
    return rows_matched(taken) == 1


def allow_code_mail(
    session: Session, sealer: Sealer, req: DsrRequest, now: datetime | None = None
) -> bool:
    """Take a slot from the request's and the address's limit, or from neither (savepoint):
    True when a code may be mailed now."""
    now = now or datetime.now(UTC)
    savepoint = session.begin_nested()
    # Both are always taken (no short cut), so a full window costs the same work as a free one.
    per_request = _take(session, f"req:{req.id}", CODES_PER_REQUEST, now)
    per_address = _take(session, address_key(sealer, req.email), MAILS_PER_ADDRESS, now)
    ok = per_request and per_address
    if ok:
        savepoint.commit()
    else:
        savepoint.rollback()
    return ok


def issue_within_limits(
    session: Session, sealer: Sealer, req: DsrRequest, purpose: str, now: datetime | None = None
) -> str | None:
    """A fresh code for the e-mail when the limits allow one, else None, and then the person's
    live code (if any) keeps working: nothing is invalidated without a new code being sent.

    Held back, it still draws and hashes a code as issuing would, so the answer takes about
    the same time either way (the caller also renders the mail it does not send)."""
    now = now or datetime.now(UTC)
    if allow_code_mail(session, sealer, req, now):
        return issue_code(session, sealer, req, purpose, now)
    dummy = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    sealer.mac("code", req.public_id, purpose, dummy)
    return None
