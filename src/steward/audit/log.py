"""The append-only, hash-chained audit log.

Every disclosure, change, deletion and consent is an event. Each event's hash covers its own
fields and the previous event's hash, so changing or removing any row breaks the chain from
there on; the head row records the last sequence number and hash, so a removed tail shows too.
Details must never hold personal data values: references and counts only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from steward.audit import chain
from steward.audit.chain import Verdict
from steward.audit.tables import AuditEvent, AuditHead


def canonical(details: dict[str, Any]) -> str:
    return chain.canonical(details)


def event_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject_ref: str | None,
    details: str,
) -> str:
    return chain.link(prev_hash, str(seq), chain.iso(at), actor, action, subject_ref or "", details)


# The `Table`s themselves (`__table__` is typed as any FromClause), for Core statements.
_EVENTS = AuditEvent.metadata.tables[AuditEvent.__tablename__]
_HEAD = AuditHead.metadata.tables[AuditHead.__tablename__]
# Lock the head first (FOR UPDATE on PostgreSQL; SQLite transactions already hold the write
# lock from BEGIN IMMEDIATE), so concurrent appends take turns and never fork the chain.
_SELECT_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_INSERT_EVENT = insert(_EVENTS)
_UPDATE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_ref: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction and return it.

    The head row is updated first: that takes the write lock (a row lock on PostgreSQL, the
    database lock on SQLite) before the previous hash is read, so appends never fork.
    """
    at = at or datetime.now(UTC)
    if at.tzinfo is not None:
        # SQLite stores the wall time and drops the zone: store the UTC time that is hashed,
        # or an event given in another zone reads back as tampered with.
        at = at.astimezone(UTC)
    body = canonical(details or {})
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return _append_postgres(conn, at, actor, action, subject_ref, body)
    row = conn.execute(_SELECT_HEAD).one_or_none()
    if row is None:
        raise RuntimeError("the audit head row is missing: run `steward db upgrade`")
    seq, prev = row[0] + 1, row[1]
    digest = event_hash(prev, seq, at, actor, action, subject_ref, body)
    values = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject_ref": subject_ref,
        "details": body,
        "prev_hash": prev,
        "hash": digest,
    }
    # Prebuilt Core statements on the session's connection: building ORM statements per call
    # cost more than the database work itself.
    conn.execute(_INSERT_EVENT, values)
    conn.execute(_UPDATE_HEAD, {"new_seq": seq, "new_hash": digest})
    return AuditEvent(**values)


# PostgreSQL: lock the head, compute the same hash as `event_hash` in SQL, insert the event and
# move the head, all in one statement: one round trip instead of three.
_PG_APPEND = text("""
WITH h AS (SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE),
n AS (
  SELECT h.seq + 1 AS seq, h.hash AS prev,
         encode(sha256(convert_to(concat_ws(chr(31), h.hash, (h.seq + 1)::text,
                CAST(:at_iso AS text), CAST(:actor AS text), CAST(:action AS text),
                CAST(:subject AS text), CAST(:details AS text)), 'UTF8')), 'hex') AS hash
  FROM h
),
ins AS (
  INSERT INTO audit_events (seq, at, actor, action, subject_ref, details, prev_hash, hash)
  SELECT n.seq, :at, :actor, :action, :subject_ref, :details, n.prev, n.hash FROM n
  RETURNING seq, prev_hash, hash
)
UPDATE audit_head SET seq = ins.seq, hash = ins.hash FROM ins WHERE audit_head.id = 1
RETURNING ins.seq, ins.prev_hash, ins.hash
""")


def _append_postgres(
    conn: Connection, at: datetime, actor: str, action: str, subject_ref: str | None, body: str
) -> AuditEvent:
    row = conn.execute(
        _PG_APPEND,
        {
            "at_iso": chain.iso(at),
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject_ref or "",
            "subject_ref": subject_ref,
            "details": body,
        },
    ).one_or_none()
    if row is None:
        raise RuntimeError("the audit head row is missing: run `steward db upgrade`")
    return AuditEvent(
        seq=row[0],
        at=at,
        actor=actor,
        action=action,
        subject_ref=subject_ref,
        details=body,
        prev_hash=row[1],
        hash=row[2],
    )


def verify(session: Session, *, batch: int = 5000) -> Verdict:
    """Walk the chain in order and recompute every hash; name the first broken event."""
    return chain.verify(
        session,
        AuditEvent,
        AuditHead,
        lambda prev, ev: event_hash(
            prev, ev.seq, ev.at, ev.actor, ev.action, ev.subject_ref, ev.details
        ),
        batch=batch,
    )


def events_for(session: Session, subject_ref: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.subject_ref == subject_ref).order_by(AuditEvent.seq)
        )
    )


def recent(
    session: Session, *, limit: int = 100, before: int | None = None, action: str | None = None
) -> list[AuditEvent]:
    q = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if before is not None:
        q = q.where(AuditEvent.seq < before)
    if action:
        q = q.where(AuditEvent.action == action)
    return list(session.scalars(q))
