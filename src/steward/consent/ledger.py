"""The consent ledger: append-only events in their own hash chain, with the current-state
projection written in the same transaction.

Writers take turns on the chain head row, so concurrent writes for the same subject and purpose
can never leave the state table disagreeing with the log, and the chain never forks. The
statements are prebuilt Core, few per event:

- SQLite (the transaction holds the write lock from BEGIN IMMEDIATE): bump the head and read
  the subject's previous state in one statement; insert the notice snapshot unless present
  (`ON CONFLICT DO NOTHING`); insert the event; upsert the state (`ON CONFLICT DO UPDATE`);
  set the head hash — five statements, four without a notice.
- PostgreSQL: bump the head (`UPDATE ... RETURNING` waits for the row lock); then one
  statement reads the previous state — a new statement, so it sees what the previous holder
  of the lock committed —, computes the event's hash in SQL, inserts the snapshot, the event
  and the state, and sets the head hash: two round trips. The SQL hash is the same sha256 over
  the same canonical JSON that `event_hash` computes (Python builds the JSON around the one
  value only the database knows, `supersedes`), so the Python verifier checks it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from steward.audit import chain
from steward.consent import hooks
from steward.consent.purposes import PurposeInfo, now
from steward.consent.snapshots import Notice
from steward.consent.tables import (
    GENESIS,
    ConsentEvent,
    ConsentHead,
    ConsentSnapshot,
    ConsentState,
)
from steward.errors import InvalidInput, Unavailable
from steward.policy.models import Policy

ACTIONS = ("given", "withdrawn", "refused", "expired", "gpc_opt_out", "objected")
# Fields covered by an event's hash, in order (prev_hash is chained in separately).
HASHED = (
    "seq", "event_id", "at", "subject_ref", "purpose", "purpose_version", "action", "notice_id",
    "notice_version", "notice_language", "snapshot_sha256", "method", "ui_action",
    "source_page", "form_id", "banner_revision", "evidence_ref", "recorded_by", "valid_until",
    "gpc", "supersedes", "ip_address",
)


def _payload(values: Mapping[str, Any]) -> str:
    fields = {}
    for name in HASHED:
        value = values[name]
        fields[name] = (None if value is None else chain.iso(value)) if isinstance(
            value, datetime) or name in ("at", "valid_until") else value
    fields["gpc"] = bool(fields["gpc"])
    return chain.canonical(fields)


def hash_values(prev_hash: str, values: Mapping[str, Any]) -> str:
    """The hash of an event given as a mapping of the HASHED fields."""
    return chain.link(prev_hash, _payload(values))


def event_hash(prev_hash: str, ev: ConsentEvent) -> str:
    return hash_values(prev_hash, {name: getattr(ev, name) for name in HASHED})


# The `Table`s themselves (`__table__` is typed as any FromClause), for Core statements.
_EV = ConsentEvent.metadata.tables[ConsentEvent.__tablename__]
_ST = ConsentState.metadata.tables[ConsentState.__tablename__]
_HEAD = ConsentHead.metadata.tables[ConsentHead.__tablename__]
_SNAP = ConsentSnapshot.metadata.tables[ConsentSnapshot.__tablename__]
_PRIOR = (select(_ST.c.event_id)
          .where(_ST.c.subject_ref == bindparam("s"), _ST.c.purpose == bindparam("p"))
          .scalar_subquery())
_BUMP_SQLITE = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
                .returning(_HEAD.c.seq, _HEAD.c.hash, _PRIOR))
_SNAP_SQLITE = sqlite_insert(_SNAP).on_conflict_do_nothing(index_elements=["sha256"])
_INSERT_EVENT = insert(_EV)
_STATE_COLS = ("state", "purpose_version", "event_id", "event_seq", "updated_at", "valid_until")
_UPSERT_SQLITE = sqlite_insert(_ST)
_UPSERT_SQLITE = _UPSERT_SQLITE.on_conflict_do_update(
    index_elements=["subject_ref", "purpose"],
    set_={c: _UPSERT_SQLITE.excluded[c] for c in _STATE_COLS})
_SET_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("h"))
_BUMP_PG = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
            .returning(_HEAD.c.seq, _HEAD.c.hash))
_NEW_HEAD = insert(_HEAD).values(id=1, seq=0, hash=GENESIS)


def _pg_write(with_snapshot: bool) -> Any:
    """The PostgreSQL write statement (after the head bump): see the module docstring."""
    cols = [c.name for c in _EV.columns]
    ev_vals = ", ".join(
        "(SELECT event_id FROM prior)" if c == "supersedes" else
        "(SELECT h FROM digest)" if c == "hash" else f":{c}" for c in cols)
    snap = ""
    if with_snapshot:
        snap = ("snap AS (INSERT INTO consent_snapshots (sha256, notice_id, notice_version, "
                "language, content, created_at) VALUES (:snapshot_sha256, :notice_id, "
                ":notice_version, :notice_language, :snap_content, :at) "
                "ON CONFLICT (sha256) DO NOTHING),\n")
    st_cols = ["subject_ref", "purpose", *_STATE_COLS]
    st_vals = {"state": ":action", "event_seq": ":seq", "updated_at": ":at"}
    # Column names come from the table definitions; every value is a bound parameter.
    return text(
        "WITH prior AS (SELECT event_id FROM consent_state WHERE subject_ref = :subject_ref "  # noqa: S608
        "AND purpose = :purpose),\n"
        "digest AS (SELECT encode(sha256(convert_to(CAST(:head_text AS text) || "
        "coalesce(to_json((SELECT event_id FROM prior))::text, 'null') || "
        "CAST(:tail_text AS text), 'UTF8')), 'hex') AS h),\n"
        + snap +
        f"ev AS (INSERT INTO consent_events ({', '.join(cols)}) VALUES ({ev_vals}) "  # noqa: S608
        "RETURNING hash, supersedes),\n"
        f"st AS (INSERT INTO consent_state ({', '.join(st_cols)}) VALUES "
        f"({', '.join(st_vals.get(c, ':' + c) for c in st_cols)}) "
        "ON CONFLICT (subject_ref, purpose) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in _STATE_COLS) + ")\n"
        "UPDATE consent_head SET hash = ev.hash FROM ev WHERE consent_head.id = 1 "
        "RETURNING ev.hash, ev.supersedes"
    )


_PG_WRITE = {True: _pg_write(True), False: _pg_write(False)}
_SUPERSEDES_NULL = ',"supersedes":null'


def record(
    session: Session,
    policy: Policy,
    *,
    subject_ref: str,
    purpose: PurposeInfo,
    action: str,
    method: str,
    recorded_by: str,
    notice: Notice | None = None,
    ui_action: str | None = None,
    source_page: str | None = None,
    form_id: str | None = None,
    banner_revision: str | None = None,
    evidence_ref: str | None = None,
    gpc: bool = False,
    ip_address: str | None = None,
    at: datetime | None = None,
) -> ConsentEvent:
    """Append one decision in the caller's transaction; returns the event (hash set)."""
    if action not in ACTIONS:
        raise InvalidInput(f"unknown consent action {action!r}; one of {', '.join(ACTIONS)}")
    at = at or now()
    if at.tzinfo is not None:
        # SQLite stores the wall time and drops the zone: store the UTC time that is hashed,
        # or a decision given with a time in another zone reads back as tampered with.
        at = at.astimezone(UTC)
    values: dict[str, Any] = {
        "event_id": str(uuid.uuid4()), "at": at, "subject_ref": subject_ref,
        "purpose": purpose.key, "purpose_version": purpose.version, "action": action,
        "notice_id": notice.notice_id if notice else None,
        "notice_version": notice.version if notice else None,
        "notice_language": notice.language if notice else None,
        "snapshot_sha256": notice.sha256 if notice else None,
        "method": method, "ui_action": ui_action, "source_page": _clip(source_page, 500),
        "form_id": _clip(form_id, 120), "banner_revision": _clip(banner_revision, 40),
        "evidence_ref": _clip(evidence_ref, 600), "recorded_by": recorded_by[:200],
        "valid_until": purpose.valid_until(at) if action == "given" else None, "gpc": gpc,
        # Data minimisation (Art. 5(1)(c)): addresses only when the policy says so.
        "ip_address": ip_address if policy.consent.store_ip_addresses else None,
    }
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        _write_sqlite(conn, values, notice)
    elif dialect == "postgresql":
        _write_postgres(conn, values, notice)
    else:
        raise Unavailable(f"the consent ledger needs SQLite or PostgreSQL, not {dialect}")
    _forget(session, subject_ref, purpose.key)
    hooks.changed(session, policy, purpose.key)  # e.g. retention rules reading this purpose
    return ConsentEvent(**values)


def _bump(conn: Connection, stmt: Any, params: dict[str, Any]) -> Any:
    row = conn.execute(stmt, params).one_or_none()
    if row is None:  # a store created without the migration's head row
        conn.execute(_NEW_HEAD)
        row = conn.execute(stmt, params).one()
    return row


def _state_row(values: dict[str, Any]) -> dict[str, Any]:
    return {"subject_ref": values["subject_ref"], "purpose": values["purpose"],
            "state": values["action"], "purpose_version": values["purpose_version"],
            "event_id": values["event_id"], "event_seq": values["seq"],
            "updated_at": values["at"], "valid_until": values["valid_until"]}


def _write_sqlite(conn: Connection, values: dict[str, Any], notice: Notice | None) -> None:
    seq, prev, prior = _bump(conn, _BUMP_SQLITE, {"s": values["subject_ref"],
                                                  "p": values["purpose"]})
    values.update(seq=seq, prev_hash=prev, supersedes=prior)
    values["hash"] = hash_values(prev, values)
    if notice is not None:
        conn.execute(_SNAP_SQLITE, _snapshot_row(values, notice))
    conn.execute(_INSERT_EVENT, values)
    conn.execute(_UPSERT_SQLITE, _state_row(values))
    conn.execute(_SET_HEAD, {"h": values["hash"]})


def _write_postgres(conn: Connection, values: dict[str, Any], notice: Notice | None) -> None:
    seq, prev = _bump(conn, _BUMP_PG, {})
    values.update(seq=seq, prev_hash=prev, supersedes=None)
    payload = _payload(values)
    cut = payload.index(_SUPERSEDES_NULL) + len(_SUPERSEDES_NULL) - len("null")
    params = {**values, "head_text": prev + chain.SEP + payload[:cut],
              "tail_text": payload[cut + len("null"):],
              "snap_content": notice.text if notice is not None else None}
    digest, prior = conn.execute(_PG_WRITE[notice is not None], params).one()
    values.update(hash=digest, supersedes=prior)


def _snapshot_row(values: dict[str, Any], notice: Notice) -> dict[str, Any]:
    return {"sha256": values["snapshot_sha256"], "notice_id": notice.notice_id,
            "notice_version": notice.version, "language": notice.language,
            "content": notice.text, "created_at": values["at"]}


def _forget(session: Session, subject_ref: str, purpose: str) -> None:
    """Expire ORM copies of the rows written with Core, so the session re-reads them."""
    for cls, ident in ((ConsentState, (subject_ref, purpose)), (ConsentHead, (1,))):
        obj = session.identity_map.get(session.identity_key(cls, ident))
        if obj is not None:
            session.expire(obj)


def _clip(value: str | None, n: int) -> str | None:
    return value[:n] if value else None


Verdict = chain.Verdict


def verify(session: Session, *, batch: int = 5000) -> Verdict:
    """Recompute the whole chain in order; name the first broken event. Also checks that the
    state table agrees with the newest event of every (subject, purpose)."""
    verdict = chain.verify(session, ConsentEvent, ConsentHead, event_hash, batch=batch)
    if not verdict.ok:
        return verdict
    checked = verdict.checked
    bad = mismatches(session)
    if bad:
        return Verdict(False, checked, bad[0][2], None,
                       f"{len(bad)} current-state row(s) disagree with the event log")
    return Verdict(True, checked)


def mismatches(session: Session) -> list[tuple[str, str, int]]:
    """(subject, purpose, seq) where the state row is not the newest event's decision."""
    latest = (
        select(ConsentEvent.subject_ref, ConsentEvent.purpose,
               func.max(ConsentEvent.seq).label("seq"))
        .group_by(ConsentEvent.subject_ref, ConsentEvent.purpose).subquery()
    )
    q = (
        select(latest.c.subject_ref, latest.c.purpose, latest.c.seq, ConsentState.event_seq,
               ConsentState.state, ConsentEvent.action)
        .join(ConsentEvent, ConsentEvent.seq == latest.c.seq)
        .outerjoin(ConsentState, (ConsentState.subject_ref == latest.c.subject_ref)
                   & (ConsentState.purpose == latest.c.purpose))
    )
    bad = []
    for subject, purpose, seq, state_seq, state, action in session.execute(q):
        if state_seq != seq or state != action:
            bad.append((subject, purpose, int(seq)))
    orphans = session.execute(
        select(ConsentState.subject_ref, ConsentState.purpose, ConsentState.event_seq)
        .outerjoin(ConsentEvent, ConsentEvent.seq == ConsentState.event_seq)
        .where(ConsentEvent.seq.is_(None))
    ).all()
    bad.extend((s, p, int(q_)) for s, p, q_ in orphans)
    return sorted(bad, key=lambda b: b[2])
