"""Legal holds: records that must not be deleted or altered while a claim, an investigation or
an authority's order needs them (GDPR Art. 17(3)(e): establishment, exercise or defence of
legal claims).

A hold names either one record (system, table, primary key) or a subject (an identity type
and value, in every system). A sweep leaves every rule-table row alone whose own row, whose
parent rows up to the trigger, or whose dependants are held, and counts them in its plan.
Erasure honours them too (`steward.requests.legalholds`, reading `active_holds`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from steward import audit
from steward.connectors._sqlvalues import python_type
from steward.errors import Conflict, InvalidInput, NotFound
from steward.policy.models import Policy
from steward.retention.statements import RuleSql
from steward.retention.tables import LegalHold


def add_hold(
    session: Session,
    *,
    actor: str,
    reason: str,
    policy: Policy | None = None,
    system: str | None = None,
    table: str | None = None,
    pk: str | None = None,
    identity_type: str | None = None,
    identity_value: str | None = None,
) -> LegalHold:
    """Place a hold on a record (`system`, `table`, `pk`) or on a subject (`identity_type`,
    `identity_value`, optionally limited to `system`). The audit event names the hold, never
    the identity value."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a legal hold needs a reason (e.g. the claim or case it serves)")
    record = bool(table or pk)
    subject = bool(identity_type or identity_value)
    if record == subject:
        raise InvalidInput(
            "a legal hold names either a record (system, table, primary key) or a subject "
            "(identity type and value)"
        )
    if record and not (system and table and pk):
        raise InvalidInput("a record hold needs system, table and primary key")
    if subject and not (identity_type and identity_value and identity_value.strip()):
        raise InvalidInput("a subject hold needs an identity type and value")
    if policy is not None and system:
        spec = policy.system(system)
        if table and table not in {t.name for t in spec.tables}:
            raise InvalidInput(f"system {system!r} has no table {table!r} in the policy")
    hold = LegalHold(
        system=system or None, table_name=table or None, pk=(pk or "").strip() or None,
        identity_type=identity_type or None,
        identity_value=identity_value.strip() if identity_value else None,
        reason=reason, created_by=actor, created_at=datetime.now(UTC),
    )
    session.add(hold)
    session.flush()
    audit.append(session, actor=actor, action="retention.hold_added",
                 subject_ref=f"legal_hold:{hold.id}", details=_describe(hold))
    return hold


def lift_hold(session: Session, hold_id: int, *, actor: str, reason: str) -> LegalHold:
    """Lift an active hold, with the reason; the records become subject to sweeps again."""
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(f"no legal hold {hold_id}")
    if hold.lifted_at is not None:
        raise Conflict(f"legal hold {hold_id} was already lifted")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("lifting a legal hold needs a reason")
    hold.lifted_at, hold.lifted_by, hold.lift_reason = datetime.now(UTC), actor, reason
    audit.append(session, actor=actor, action="retention.hold_lifted",
                 subject_ref=f"legal_hold:{hold.id}", details=_describe(hold))
    return hold


def active_holds(session: Session) -> list[LegalHold]:
    return list(session.scalars(
        sa.select(LegalHold).where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.id)))


def all_holds(session: Session, *, limit: int = 200) -> list[LegalHold]:
    return list(session.scalars(sa.select(LegalHold).order_by(LegalHold.id.desc()).limit(limit)))


def _describe(hold: LegalHold) -> dict[str, Any]:
    # References and kinds only: the identity value is personal data and stays out of the log.
    return {"hold": hold.id, "scope": "record" if hold.pk else "subject",
            "system": hold.system, "table": hold.table_name, "pk": hold.pk,
            "identity_type": hold.identity_type}


def masked(value: str | None) -> str:
    """An identity value for display: first and last character only."""
    if not value:
        return ""
    return value[0] + "…" + value[-1] if len(value) > 2 else "…"


# --- applying holds to a sweep ------------------------------------------------------------


def _typed(column: sa.Column[Any], value: str) -> Any:
    if python_type(column) is int:
        try:
            return int(value)
        except ValueError:
            return value
    return value


def key_parts(pk: str, n: int) -> list[str]:
    """A record hold's key as typed: one value, or the values of a composite key separated by
    commas ("17,2") or as a JSON list ("[17, 2]")."""
    if n == 1:
        return [pk]
    text = pk.strip()
    if text.startswith("["):
        try:
            values = json.loads(text)
        except ValueError:
            values = None
        if isinstance(values, list):
            return [str(v) for v in values]
    return [p.strip() for p in text.split(",")]


def _key_is(columns: list[sa.Column[Any]], pk: str) -> sa.ColumnElement[bool]:
    parts = key_parts(pk, len(columns))
    if len(parts) != len(columns):
        return sa.false()  # a hold naming another shape of key matches no row
    return sa.and_(*(c == _typed(c, v) for c, v in zip(columns, parts, strict=True)))


def held_roots(
    conn: Connection, sql: RuleSql, holds: Iterable[LegalHold], keys: Any
) -> set[Any]:
    """Keys, among `keys`, of rule-table rows a hold protects: the held row itself, rows
    below a held parent, and rows whose dependants (deleted with them) are held."""
    rr = sql.rr
    out: set[Any] = set()
    for hold in holds:
        if hold.system and hold.system != rr.system.key:
            continue
        if hold.pk is not None and hold.table_name:
            if hold.table_name not in sql.tables:
                continue
            columns = [sql.col(hold.table_name, c)
                       for c in rr.graph.table(hold.table_name).key_columns]
            targets = [(hold.table_name, _key_is(columns, hold.pk))]
        else:
            kind = hold.identity_type or ""
            targets = [
                (name, sa.or_(*(sql.col(name, col) == hold.identity_value
                                for k, col in spec.identity_pairs if k == kind)))
                for name, spec in rr.graph.tables.items()
                if spec.identity_column(kind) and name in sql.tables
            ]
        for table, where in targets:
            out |= _roots_for(conn, sql, table, where, keys)
    return out


def _roots_for(conn: Connection, sql: RuleSql, table: str, where: Any, keys: Any) -> set[Any]:
    if table in sql.rr.dependants:
        return sql.roots_from_dependant(conn, table, where, keys)
    q = sql.roots_from_ancestor(table, where, keys)  # the rule table itself or a parent
    return set() if q is None else {sql.row_key(r) for r in conn.execute(q)}
