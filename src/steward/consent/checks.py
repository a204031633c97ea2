"""May we process this subject's data for this purpose? `check(...)` answers with the basis.

Rules (GDPR):
- opt-in purposes (Art. 6(1)(a)): allowed only with a `given`, unexpired consent event;
- opt-out and legitimate-interest purposes (Art. 6(1)(f)): allowed unless the subject objected
  (Art. 21(1)); for direct marketing the objection is absolute (Art. 21(3));
- anything a registered *blocker* reports wins over both, e.g. a restriction of processing
  (Art. 18(1));
- a purpose announced as new waits for its start date: "not yet" (`kind: not_yet`, Art.
  13(3), Art. 14(4)), asked of the `steward.consent_gates` entry points (the publication's
  start-date gate, `steward.publication.gate`) by `check` and `filter_rows`.

Blockers are the extension point for other capabilities: a function
`(session, subject_ref) -> str | None` returning the reason processing is blocked, added with
`register_blocker`. The built-in `restriction_blocker` reads a `restrictions` table when one
exists (columns `subject_ref`, optionally `lifted_at`/`ended_at` — a row without an end date is
an active restriction); the requests capability writes it, using the subject references of
`steward.consent.subjects` (e.g. `email_ref(secret, address)`).

A check reads the state row and the restriction flag in one query (`_plan`), so the hot path
is one round trip; other registered blockers run after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    and_,
    bindparam,
    column,
    exists,
    false,
    inspect,
    literal,
    select,
    table,
)
from sqlalchemy.orm import Session

from steward.consent import hooks
from steward.consent import state as states
from steward.consent.purposes import PurposeInfo, now, resolve
from steward.consent.subjects import subject_ref
from steward.consent.tables import ConsentState
from steward.errors import InvalidInput
from steward.policy.models import Policy
from steward.store.db import as_utc

Blocker = Callable[[Session, str], str | None]
BLOCKERS: list[Blocker] = []
RESTRICTED = "processing is restricted (GDPR Art. 18(1)): only storage is allowed"


def register_blocker(fn: Blocker) -> Blocker:
    """Add a blocker (usable as a decorator); registering the same function twice is a no-op."""
    if fn not in BLOCKERS:
        BLOCKERS.append(fn)
    return fn


# --- the restrictions table, if the requests capability has created one ----------------------


@dataclass(frozen=True)
class _Plan:
    """Statements prebuilt for one shape of the store: `one` reads a subject's state row and
    whether it is restricted in a single round trip; `restricted` finds the restricted
    subjects among a list (None when there is no restrictions table)."""

    one: Select[Any]
    restricted: Select[Any] | None


_TTL = 30.0
_lock = threading.Lock()
_plans: dict[int, tuple[float, _Plan]] = {}
_STATE = ConsentState.__table__


def _restriction_where(conn: Connection) -> Callable[[Any], Any] | None:
    """A function giving the active-restriction condition for a subject-ref expression, or
    None when the store has no usable `restrictions` table."""
    insp = inspect(conn)
    if not insp.has_table("restrictions"):
        return None
    cols = {c["name"] for c in insp.get_columns("restrictions")}
    if "subject_ref" not in cols:
        return None
    ends = [c for c in ("lifted_at", "ended_at") if c in cols]
    r = table("restrictions", column("subject_ref"), *[column(c) for c in ends])

    def where(ref: Any) -> Any:
        return and_(r.c.subject_ref == ref, *[r.c[c].is_(None) for c in ends])

    where.table = r  # type: ignore[attr-defined]
    return where


def _plan(conn: Connection) -> _Plan:
    """The statements for this engine's store. The table's shape is looked up at most every
    30 s per engine, so a restrictions table created later is noticed."""
    key = id(conn.engine)
    with _lock:
        hit = _plans.get(key)
    if hit and time.monotonic() - hit[0] < _TTL:
        return hit[1]
    where = _restriction_where(conn)
    s: BindParameter[str] = bindparam("s")
    p: BindParameter[str] = bindparam("p")
    flag = exists().where(where(s)) if where else false()
    # LEFT JOIN from a one-row relation: a row comes back even when there is no state yet.
    one_row = select(literal(1).label("one")).subquery("one_row")
    one = select(
        _STATE.c.state, _STATE.c.valid_until, _STATE.c.event_id, flag.label("restricted")
    ).select_from(one_row.outerjoin(_STATE, and_(_STATE.c.subject_ref == s, _STATE.c.purpose == p)))
    many = None
    if where:
        r = where.table  # type: ignore[attr-defined]
        many = (
            select(r.c.subject_ref)
            .where(where(r.c.subject_ref))
            .where(r.c.subject_ref.in_(bindparam("refs", expanding=True)))
        )
    plan = _Plan(one, many)
    with _lock:
        _plans[key] = (time.monotonic(), plan)
    return plan


def is_restricted(session: Session, subject: str) -> bool:
    """True while processing of `subject` (a subject reference) is restricted (Art. 18)."""
    conn = session.connection()
    row = conn.execute(_plan(conn).one, {"s": subject, "p": ""}).first()
    return bool(row and row.restricted)


def restricted_among(session: Session, refs: list[str]) -> set[str]:
    """The references among `refs` whose processing is restricted (one query)."""
    conn = session.connection()
    stmt = _plan(conn).restricted
    if stmt is None or not refs:
        return set()
    return {r for (r,) in conn.execute(stmt, {"refs": refs})}


@register_blocker
def restriction_blocker(session: Session, subject: str) -> str | None:
    return RESTRICTED if is_restricted(session, subject) else None


# --- the check -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    allowed: bool
    subject_ref: str
    purpose: str
    state: str | None
    basis: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "subject_ref": self.subject_ref,
            "purpose": self.purpose,
            "state": self.state,
            "basis": self.basis,
        }


def _blocked(session: Session | Connection, ref: str, restricted: bool | None) -> str | None:
    """The first blocker's reason, or None. `restricted` already read: the built-in restriction
    blocker is skipped. Blockers get a Session (one bound to the connection if need be)."""
    if restricted:
        return RESTRICTED
    others = [b for b in BLOCKERS if restricted is None or b is not restriction_blocker]
    if not others:
        return None
    if isinstance(session, Session):
        return next((r for b in others if (r := b(session, ref))), None)
    with Session(bind=session) as bound:
        return next((r for b in others if (r := b(bound, ref))), None)


def decide(
    session: Session | Connection,
    info: PurposeInfo,
    ref: str,
    st: ConsentState | Any,
    at: datetime | None = None,
    *,
    restricted: bool | None = None,
) -> CheckResult:
    """Apply the rules to one subject's state row (already read). `restricted`: the Art. 18
    restriction when the caller has read it already (then the built-in blocker is skipped)."""
    reason = _blocked(session, ref, restricted)
    if reason:
        return CheckResult(
            False, ref, info.key, states.effective(st, at), {"kind": "blocked", "reason": reason}
        )
    eff = states.effective(st, at)
    event = st.event_id if st else None
    if info.legitimate_interest and not info.required:
        if eff in ("objected", "withdrawn", "refused", "gpc_opt_out"):
            article = "GDPR Art. 21(3)" if info.direct_marketing else "GDPR Art. 21(1)"
            return CheckResult(
                False,
                ref,
                info.key,
                eff,
                {
                    "kind": "objection",
                    "article": article,
                    "event_id": event,
                    "reason": "the subject objected"
                    + (
                        "; an objection to direct marketing is absolute"
                        if info.direct_marketing
                        else ""
                    ),
                },
            )
        return CheckResult(
            True,
            ref,
            info.key,
            eff,
            {
                "kind": "legitimate_interest",
                "article": f"GDPR Art. 6(1)({info.legal_basis})",
                "event_id": event,
                "reason": "no objection recorded (GDPR Art. 21)",
            },
        )
    if info.statistics:
        return CheckResult(
            True,
            ref,
            info.key,
            eff,
            {
                "kind": "statistics_without_consent",
                "article": "GDPR Art. 6(1)(f)",
                "reason": "visitor statistics counted without consent as the policy says: no "
                "cookie, nothing stored on the device, no identifier kept (ePrivacy Directive "
                "Art. 5(3))",
            },
        )
    if info.required:
        return CheckResult(
            True,
            ref,
            info.key,
            eff,
            {
                "kind": "strictly_necessary",
                "reason": "strictly necessary: no consent needed (ePrivacy Directive Art. 5(3))",
            },
        )
    if eff == "given":
        return CheckResult(
            True,
            ref,
            info.key,
            eff,
            {
                "kind": "consent",
                "article": "GDPR Art. 6(1)(a)",
                "event_id": event,
                # In UTC with its offset on every database (SQLite hands it back naive).
                "valid_until": as_utc(st.valid_until).isoformat()
                if st and st.valid_until
                else None,
            },
        )
    return CheckResult(
        False,
        ref,
        info.key,
        eff,
        {
            "kind": "no_consent",
            "article": "GDPR Art. 6(1)(a), Art. 7(1)",
            "event_id": event,
            "reason": {None: "no consent recorded", "expired": "the consent has expired"}.get(
                eff, f"the consent was {eff}"
            ),
        },
    )


def _served(policy: Policy, info: PurposeInfo) -> str | None:
    """The policy purpose a consent purpose serves (None for cookie categories): the key the
    start-date gate of announced purposes is kept under."""
    if info.kind != "purpose":
        return None
    return policy.consent_purpose(info.key).purpose


def check(
    session: Session | Connection,
    policy: Policy,
    subject: str,
    purpose: str,
    *,
    secret: str | None = None,
    at: datetime | None = None,
) -> CheckResult:
    """Check one subject (a subject reference, or an e-mail when `secret` is given).

    `session` may be a plain Connection (the API's hot path: no ORM session is built unless
    a blocker other than the built-in restriction blocker is registered)."""
    info = resolve(policy, purpose)
    ref = subject_ref(secret, subject) if secret is not None else subject
    conn = session.connection() if isinstance(session, Session) else session
    served = _served(policy, info)
    if served and (
        wait := hooks.not_yet(conn, served, ref, at or now(), policy_version=policy.policy.version)
    ):
        return CheckResult(False, ref, info.key, None, wait)
    # One round trip: the state row (or nulls) and the restriction flag together.
    row = conn.execute(_plan(conn).one, {"s": ref, "p": info.key}).one()
    st = row if row.state is not None else None
    return decide(session, info, ref, st, at, restricted=bool(row.restricted))


def filter_rows(
    session: Session,
    policy: Policy,
    secret: str,
    rows: Iterable[dict[str, str]],
    purpose: str,
    *,
    email_column: str = "email",
) -> Iterator[tuple[dict[str, str], CheckResult | None]]:
    """Yield (row, result) for every row; result None for a row without a usable address.
    Callers keep rows whose result is allowed. States and restrictions are read in batches
    of 500."""
    info = resolve(policy, purpose)
    at = now()
    buf: list[tuple[dict[str, str], str | None]] = []

    served = _served(policy, info)

    def flush() -> Iterator[tuple[dict[str, str], CheckResult | None]]:
        refs = [r for _, r in buf if r]
        everyone, waiting = (
            hooks.not_yet_among(session, served, refs, at, policy_version=policy.policy.version)
            if served
            else (None, {})
        )
        found = states.for_subjects(session, refs, info.key)
        held = restricted_among(session, refs)
        for row, ref in buf:
            if ref and (wait := everyone or waiting.get(ref)):
                yield row, CheckResult(False, ref, info.key, None, wait)
                continue
            yield (
                row,
                (
                    decide(session, info, ref, found.get(ref), at, restricted=ref in held)
                    if ref
                    else None
                ),
            )
        buf.clear()

    for row in rows:
        if email_column not in row:
            raise InvalidInput(f"the file has no {email_column!r} column")
        try:
            ref: str | None = subject_ref(secret, row[email_column] or "")
        except InvalidInput:
            ref = None
        buf.append((row, ref))
        if len(buf) >= 500:
            yield from flush()
    yield from flush()
