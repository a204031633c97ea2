"""One sweep per rule at a time, across processes and machines: a lock row in Steward's store.

The row names its owner (`host:pid:token`) and an expiry that every batch renews. Another
worker finds the row and leaves; it may take the lock over only once it has expired, or at once
when the owner is a process on the same host that no longer exists (a sweep killed with
`kill -9` leaves its row behind, and the restart should not wait for the expiry).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session, sessionmaker

from steward.retention.tables import RetentionLock
from steward.store.db import as_utc, transaction

DEFAULT_TTL = timedelta(minutes=5)


def _updated(result: Result[Any]) -> int:
    """Rows an UPDATE matched. `Session.execute` is typed as returning a plain `Result`; for
    an UPDATE it is a `CursorResult`, which carries the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"an UPDATE gave {type(result).__name__}, not a CursorResult")
    return result.rowcount


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_local_owner(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def acquire(
    sm: sessionmaker[Session], rule: str, owner: str, *, ttl: timedelta = DEFAULT_TTL
) -> bool:
    """Take the lock of `rule` for `owner`; False when another live owner holds it."""
    now = datetime.now(UTC)
    with transaction(sm) as s:
        current = s.get(RetentionLock, rule)
        if current is not None:
            expires = as_utc(current.expires_at)
            if current.owner != owner and expires > now and not _dead_local_owner(current.owner):
                return False
            # Conditional takeover: if two workers race here, only one matches the old owner.
            took = _updated(s.execute(
                sa.update(RetentionLock)
                .where(RetentionLock.rule == rule, RetentionLock.owner == current.owner)
                .values(owner=owner, expires_at=now + ttl, run_id=None)
            ))
            return bool(took)
    try:
        with transaction(sm) as s:
            s.add(RetentionLock(rule=rule, owner=owner, expires_at=now + ttl))
    except sa_exc.IntegrityError:
        return False
    return True


def renew(
    session: Session, rule: str, owner: str, *, run_id: int | None = None,
    ttl: timedelta = DEFAULT_TTL,
) -> bool:
    """Extend the lock in the caller's transaction; False when `owner` no longer holds it."""
    values: dict[str, object] = {"expires_at": datetime.now(UTC) + ttl}
    if run_id is not None:
        values["run_id"] = run_id
    return bool(_updated(session.execute(
        sa.update(RetentionLock)
        .where(RetentionLock.rule == rule, RetentionLock.owner == owner)
        .values(**values)
    )))


def release(sm: sessionmaker[Session], rule: str, owner: str) -> None:
    with transaction(sm) as s:
        s.execute(sa.delete(RetentionLock).where(
            RetentionLock.rule == rule, RetentionLock.owner == owner))


def holder(session: Session, rule: str) -> RetentionLock | None:
    return session.get(RetentionLock, rule)
