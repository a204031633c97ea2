"""Server-side console sessions: a session ends when its record ends.

The browser's cookie carries only a random token. A session is live while the store holds
its record, the user signed in less than `absolute` ago and was last seen less than `idle`
ago. Signing out, changing the password, disabling the user and an admin's "sign out
everywhere" end records, so a copied cookie stops working at once.

`SessionStore` is the whole contract (four methods); `SqlSessionStore` keeps the records in
Steward's own store. Another backend (Redis, for several machines) implements the same four
methods and is chosen in `make_store`.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from steward.auth.tables import ConsoleSession
from steward.store.db import as_utc, rows_matched, transaction

if TYPE_CHECKING:
    from steward.config import Settings

# The last-seen time is written at most this often: one write a minute per active session,
# not one per request. The idle timeout is therefore exact to within this much.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionLimits:
    """`idle`: ended after this long without a request; `absolute`: ended this long after
    sign-in, however active (a stolen cookie does not live forever)."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)


class SessionStore(Protocol):
    """Where console sessions live. Tokens are opaque strings handed to the browser."""

    def open(self, user_id: int) -> str:
        """Start a session for `user_id`; return its token (for the cookie)."""
        ...

    def user_of(self, token: str) -> int | None:
        """The user id of the live session `token` (marking it used), or None when the token
        is unknown, ended, idle too long or past its absolute lifetime."""
        ...

    def end(self, token: str) -> None:
        """End one session (sign-out). Unknown tokens are ignored."""
        ...

    def end_all(self, user_id: int) -> int:
        """End every session of `user_id`; return how many were live."""
        ...


def token_hash(token: str) -> str:
    """What the store keeps instead of the token: a leaked store opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


class SqlSessionStore:
    """Session records in the `console_sessions` table of Steward's own store."""

    def __init__(self, sm: sessionmaker[Session], limits: SessionLimits) -> None:
        self.sm = sm
        self.limits = limits

    def open(self, user_id: int) -> str:
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with transaction(self.sm) as s:
            s.add(ConsoleSession(token_hash=token_hash(token), user_id=user_id,
                                 created_at=now, last_seen_at=now))
            # Records of sessions that died on their own are swept here, on sign-in.
            s.execute(delete(ConsoleSession).where(
                ConsoleSession.created_at < now - self.limits.absolute))
        return token

    def user_of(self, token: str) -> int | None:
        if not token or len(token) > 200:
            return None
        key = token_hash(token)
        now = datetime.now(UTC)
        with self.sm() as s:
            row = s.execute(
                select(ConsoleSession.user_id, ConsoleSession.created_at,
                       ConsoleSession.last_seen_at).where(ConsoleSession.token_hash == key)
            ).first()
        if row is None:
            return None
        user_id, created, seen = row[0], as_utc(row[1]), as_utc(row[2])
        if now - created >= self.limits.absolute or now - seen >= self.limits.idle:
            self.end(token)
            return None
        if now - seen >= TOUCH_EVERY:
            # A busy store (SQLite's single writer held by a long sweep) skips the mark rather
            # than failing the request; the next request a minute on marks it.
            with contextlib.suppress(OperationalError), transaction(self.sm) as s:
                s.execute(update(ConsoleSession).where(ConsoleSession.token_hash == key)
                          .values(last_seen_at=now))
        return int(user_id)

    def end(self, token: str) -> None:
        with transaction(self.sm) as s:
            s.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token)))

    def end_all(self, user_id: int) -> int:
        with transaction(self.sm) as s:
            return rows_matched(
                s.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))
            )


def make_store(sm: sessionmaker[Session], settings: Settings) -> SessionStore:
    """The session store of a deployment (Steward's own store, reached through `sm`), with
    the time limits `settings` name."""
    limits = SessionLimits(idle=timedelta(minutes=settings.session_idle_minutes),
                           absolute=timedelta(hours=settings.session_absolute_hours))
    return SqlSessionStore(sm, limits)
