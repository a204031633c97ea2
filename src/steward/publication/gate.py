"""The start-date gate: processing for an announced purpose waits until the people concerned
were told and the notice period has run (GDPR Art. 13(3), Art. 14(4)).

`not_yet(conn, purpose, ref, at)` answers for one subject, `not_yet_among` for many; both
return the reason (a check's `basis`) or None. The consent checks and the batch filter call
them (`steward.consent.checks`). Before sending, a new purpose waits for everyone; after the
start date, a person whose mail failed waits until told, and one told late until their own
date (sending time plus the notice period), so the announced date never moves. A purpose
that is only widened (new data categories or recipients) is not held back as a whole: its
existing processing goes on, and the officer holds the new part until the date shown.

The consent check is a hot path, so the announcements of a purpose are kept in the process
(per engine, policy version and purpose) instead of being read on every check: any change to
an announcement made through the ORM in this process empties the cache at once (when flushed,
and again when committed or rolled back), and a change made by another process (the CLI
publishing a version, a worker sending the mail) is seen within `CACHE_SECONDS`. The answer is
still computed on every call from the kept rows and the time asked about, so a start date
passes exactly when it should. Only the per-person rows (people told late) are read each time.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, event, select
from sqlalchemy.orm import Mapper, Session, object_session

from steward.publication.tables import Announcement, AnnouncementRecipient
from steward.store.db import as_utc

ARTICLE = "GDPR Art. 13(3), Art. 14(4)"
_ANN = Announcement.__table__
_REC = AnnouncementRecipient.__table__
# Only a purpose that is new is held back as a whole: a widened one keeps its existing
# processing, and its announcement's date is shown to the officer for the new part.
_OPEN = (select(_ANN.c.id, _ANN.c.status, _ANN.c.starts_at, _ANN.c.all_on_time)
         .where(_ANN.c.purpose == bindparam("purpose")).where(_ANN.c.change == "added"))

CACHE_SECONDS = 5.0
_Rows = tuple[tuple[Any, ...], ...]
_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Engine, dict[tuple[str | None, str], tuple[float, _Rows]]] = (
    weakref.WeakKeyDictionary())
_generation = 0
_DIRTY = "steward.publication.gate.dirty"


def invalidate() -> None:
    """Forget every kept answer (an announcement changed)."""
    global _generation
    with _lock:
        _generation += 1
        _cache.clear()


def _changed(_mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    invalidate()
    session = object_session(target)
    if session is not None:
        session.info[_DIRTY] = True


for _when in ("after_insert", "after_update", "after_delete"):
    event.listen(Announcement, _when, _changed)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _settled(session: Session, *_: Any) -> None:
    # Again once the change is visible (or gone): a check on another connection may have kept
    # the rows as they were before the commit.
    if session.info.pop(_DIRTY, False):
        invalidate()


def _announced(conn: Connection, purpose: str, version: str | None) -> _Rows:
    """The purpose's `added` announcements (id, status, starts_at, all_on_time), kept."""
    engine, key = conn.engine, (version, purpose)
    with _lock:
        hit = _cache.get(engine, {}).get(key)
        generation = _generation
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    rows = tuple(tuple(r) for r in conn.execute(_OPEN, {"purpose": purpose}))
    with _lock:
        if generation == _generation:  # nothing changed while reading: keep it
            _cache.setdefault(engine, {})[key] = (time.monotonic(), rows)
    return rows


def _basis(purpose: str, starts_at: datetime | None) -> dict[str, Any]:
    when = f"it may start on {starts_at.date().isoformat()}" if starts_at else \
        "the people concerned have not been told yet"
    return {"kind": "not_yet", "article": ARTICLE, "purpose": purpose,
            "starts_at": starts_at.isoformat() if starts_at else None,
            "reason": f"the new purpose {purpose!r} is announced before its processing "
                      f"starts: {when} ({ARTICLE})"}


def _open(conn: Connection, purpose: str, at: datetime,
          version: str | None) -> tuple[dict[str, Any] | None, list[int]]:
    """(a basis blocking everyone, or None; announcements whose recipients are checked one by
    one because some were not told in time)."""
    per_person = []
    for aid, status, starts_at, on_time in _announced(conn, purpose, version):
        start = as_utc(starts_at)
        if status == "planned" or start is None or at < start:
            return _basis(purpose, start), []
        if not on_time:
            per_person.append(aid)
    return None, per_person


def _conn(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def not_yet(session: Session | Connection, purpose: str, ref: str | None,
            at: datetime, *, policy_version: str | None = None) -> dict[str, Any] | None:
    """Why processing `ref` for the policy purpose `purpose` must wait, or None.
    `policy_version`: the version of the policy the caller runs (the cache's key)."""
    conn = _conn(session)
    everyone, ids = _open(conn, purpose, at, policy_version)
    if everyone or not ids or ref is None:
        return everyone
    return _person(purpose, at, conn.execute(
        select(_REC.c.status, _REC.c.starts_at)
        .where(_REC.c.announcement_id.in_(ids)).where(_REC.c.subject_ref == ref)).all())


def not_yet_among(session: Session | Connection, purpose: str, refs: list[str],
                  at: datetime, *, policy_version: str | None = None
                  ) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """(a basis for everyone, or None; the bases of the refs that must wait)."""
    conn = _conn(session)
    everyone, ids = _open(conn, purpose, at, policy_version)
    if everyone or not ids or not refs:
        return everyone, {}
    found: dict[str, list[Any]] = {}
    for ref, status, starts_at in conn.execute(
            select(_REC.c.subject_ref, _REC.c.status, _REC.c.starts_at)
            .where(_REC.c.announcement_id.in_(ids)).where(_REC.c.subject_ref.in_(refs))):
        found.setdefault(ref, []).append((status, starts_at))
    out = {}
    for ref, rows in found.items():
        basis = _person(purpose, at, rows)
        if basis:
            out[ref] = basis
    return None, out


def _person(purpose: str, at: datetime, rows: Sequence[Any]) -> dict[str, Any] | None:
    for status, starts_at in rows:
        start = as_utc(starts_at)
        if status != "sent" or start is None:
            return _basis(purpose, None)
        if at < start:
            return _basis(purpose, start)
    return None
