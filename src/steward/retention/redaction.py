"""A retention rule with action `redact`, run on its own (`steward scan redact --rule`): the
rows the rule has made due (trigger on the same or a referenced parent table, e.g.
`tickets.closed_at` via `messages.ticket_id`), selected with the retention engine's own SQL,
leaving rows under a legal hold alone (GDPR Art. 17(3)(e)), and redacted in place by the
scanner's batch loop (`steward.scanner.inplace`: idempotent, one audit event per batch)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from steward.connectors.engines import SystemEngines
from steward.connectors.graph import build_graph
from steward.errors import InvalidInput
from steward.policy.models import Policy, RetentionAction
from steward.retention.cutoff import cutoff
from steward.retention.holds import active_holds, held_roots
from steward.retention.rules import resolve
from steward.retention.statements import batch_keys, reflect, tables_needed
from steward.scanner.inplace import (
    DEFAULT_BATCH,
    Options,
    RedactionReport,
    check_fields,
    reading,
    run_batches,
)
from steward.scanner.redact import Operator, scan_and_redact
from steward.store.db import transaction


def redact_rule(
    sm: sessionmaker[Session], policy: Policy, rule_key: str, engines: SystemEngines, *,
    operator: Operator | str = Operator.TAG, key: bytes | None = None,
    types: frozenset[str] | None = None, batch_size: int = DEFAULT_BATCH,
    actor: str = "scanner", today: date | None = None,
) -> RedactionReport:
    """Redact what the retention rule `rule_key` (action `redact`) has made due today: its
    fields on the rows whose trigger (on the rule's table or a referenced parent) has passed,
    leaving rows under a legal hold alone (GDPR Art. 17(3)(e))."""
    rr = resolve(policy, rule_key)
    if rr.rule.action is not RetentionAction.redact:
        raise InvalidInput(f"retention rule {rule_key!r} has action {rr.rule.action.value}, "
                           "not redact")
    fields = check_fields(rr.system, rr.table, rr.rule.fields)
    if len(build_graph(rr.system).table(rr.table).key_columns) > 1:
        # The retention engine selects due rows by a single key column.
        raise InvalidInput(f"{rr.system.key}.{rr.table} is keyed by several columns: redact "
                           "it with a retention sweep or `redact_rows` by key")
    scan_and_redact("", operator, key=key)
    due = cutoff(rr.rule.period, today or datetime.now(UTC).date(), rr.rule.kind)
    engine = engines.engine(rr.system)
    with reading(rr.system) as _, engine.connect() as conn:
        sql = reflect(conn, rr, tables_needed(rr))
    with transaction(sm) as s:
        holds = active_holds(s)

    def next_keys(conn: Connection, after: Any) -> tuple[list[Any], Any]:
        ids = [r[0] for r in conn.execute(sql.candidates(due, after=after, limit=batch_size))]
        if not ids:
            return [], None
        held = held_roots(conn, sql, holds, batch_keys(ids)) if holds else set()
        report.held += len(held)
        return [i for i in ids if i not in held], ids[-1]

    report = RedactionReport(rr.system.key, rr.table, fields, str(Operator(operator)),
                             rule=rr.key)
    return run_batches(engine, sm, report, sql.root, rr.pk, next_keys,
                       Options(operator, key, types), actor)
