"""Running a retention rule as a batched, resumable, idempotent sweep.

Two databases take part — the company system and Steward's store — and no transaction spans
both, so every batch follows one protocol:

1. in the company system's transaction, read the next window of expired keys (keyset on the
   primary key) and work out the changes and the rows they will touch;
2. in Steward's store, record the batch as *pending* (its key window and the expected counts)
   and renew the sweep lock; commit;
3. apply the changes and commit the company transaction;
4. in Steward's store, mark the batch *done* with the counts the database reported and move the
   run's checkpoint; commit.

A crash between 3 and 4 leaves a pending batch. The restart prepares that same window again:
if no work is left, step 3 had committed and the expected counts are recorded; otherwise it
had not (a transaction is all or nothing) and the batch runs now. Either way no row is
processed twice, none is skipped, and the batch counts stay exact. A run keeps its cutoff, so
a resumed run selects what the first attempt would have.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from steward.connectors.engines import SystemEngines
from steward.errors import Conflict, StewardError, Unavailable
from steward.policy.models import Policy
from steward.retention import consentstate, evidence, locks
from steward.retention.batch import Governed, Prepared, apply, prepare
from steward.retention.consentstate import ConsentReader
from steward.retention.cutoff import cutoff as cutoff_for
from steward.retention.holds import active_holds
from steward.retention.rules import ResolvedRule, resolve
from steward.retention.statements import RuleSql, reflect
from steward.retention.tables import RetentionBatch, RetentionRun
from steward.store.db import as_utc, transaction

UNFINISHED = ("running", "paused", "waiting", "failed")
DEFAULT_BATCH = 1000


@dataclass
class RunResult:
    """What `run_rule` did: status done, paused (`max_batches` reached; resumed by the next
    call), locked (another worker runs it), waiting (system unreachable; retried) or failed;
    `run_all` adds awaiting_approval for a rule the nightly sweep leaves to an officer."""

    rule: str
    status: str
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    reason: str | None = None
    skipped_unscannable: int = 0  # values a redact rule could not read, left as they were
    held: int = 0  # expired rows a legal hold kept (counted per batch of this run)
    blocked: int = 0  # expired rows kept because a dependant is still inside its own period


Progress = Callable[[int, dict[str, int]], None]  # (batch_no, counts of that batch)


def _dump(pk: Any) -> str:
    return json.dumps(pk)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _today(now: datetime | None) -> date:
    return (now or datetime.now(UTC)).astimezone(UTC).date()


def start_or_resume(
    session: Session, rr: ResolvedRule, *, batch_size: int, actor: str, now: datetime | None = None
) -> RetentionRun:
    """The rule's unfinished run (resumed with its own cutoff) or a new one."""
    run = session.scalars(
        sa.select(RetentionRun)
        .where(RetentionRun.rule == rr.key, RetentionRun.status.in_(UNFINISHED))
        .order_by(RetentionRun.id.desc()).limit(1)
    ).first()
    if run is not None:
        run.status, run.reason, run.attempts = "running", None, run.attempts + 1
        return run
    moment = now or datetime.now(UTC)
    run = RetentionRun(
        rule=rr.key, system=rr.system.key, table_name=rr.table, action=rr.rule.action.value,
        status="running", cutoff=cutoff_for(rr.rule.period, _today(moment), rr.rule.kind),
        batch_size=batch_size, started_at=moment, batches_done=0, rows_done=0, held=0,
        blocked=0, missing_trigger=0, attempts=1, actor=actor,
    )
    session.add(run)
    session.flush()
    return run


def governed_for(
    policy: Policy, rr: ResolvedRule, sql: RuleSql, today: date
) -> list[Governed]:
    """The dependants of `rr` swept by rules of their own, with those rules' cutoffs."""
    out = []
    for table, rule in rr.governed.items():
        other = resolve(policy, rule)
        due = cutoff_for(rule.period, today, rule.kind)
        out.append(Governed(table, RuleSql(other, sql.tables), due))
    return out


def run_rule(
    sm: sessionmaker[Session],
    policy: Policy,
    rule_key: str,
    *,
    engines: SystemEngines,
    anonymize_key: bytes = b"",
    batch_size: int = DEFAULT_BATCH,
    actor: str = "retention",
    owner: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    max_batches: int | None = None,
    secret: str | None = None,
) -> RunResult:
    """Sweep one rule to the end (or `max_batches`), holding the rule's lock throughout.

    Raises InvalidInput before touching anything when the rule breaks the statutory minimum
    or does not match the database; returns `locked` when another worker holds the sweep and
    `waiting` when the system is unreachable (the run is kept and resumed by the next call).
    A rule whose condition reads consent states needs `secret` (the ledger's hashing key);
    the states are read when the run (or its resumption) starts.
    """
    if batch_size < 1:
        raise StewardError("the batch size must be at least 1")
    rr = resolve(policy, rule_key)
    rr.check()
    owner = owner or locks.new_owner()
    if not locks.acquire(sm, rr.key, owner):
        return RunResult(rr.key, "locked", reason="another worker is running this rule")
    run_id: int | None = None
    try:
        with transaction(sm) as s:
            run = start_or_resume(s, rr, batch_size=batch_size, actor=actor, now=now)
            run_id = run.id
            locks.renew(s, rr.key, owner, run_id=run.id)
        return _sweep(sm, policy, rr, run_id, engines=engines, owner=owner, key=anonymize_key,
                      progress=progress, max_batches=max_batches, secret=secret)
    except Unavailable as err:
        if run_id is not None:
            _stop(sm, run_id, "waiting", err.detail)
        return RunResult(rr.key, "waiting", run_id, reason=err.detail)
    except StewardError as err:
        if run_id is not None:
            _stop(sm, run_id, "failed", err.detail)
        raise
    finally:
        locks.release(sm, rr.key, owner)


def _stop(sm: sessionmaker[Session], run_id: int, status: str, reason: str) -> None:
    with transaction(sm) as s:
        run = s.get(RetentionRun, run_id)
        if run is not None:
            run.status, run.reason = status, reason
            evidence.record_stop(s, run)


def _sweep(
    sm: sessionmaker[Session], policy: Policy, rr: ResolvedRule, run_id: int, *,
    engines: SystemEngines, owner: str, key: bytes, progress: Progress | None,
    max_batches: int | None, secret: str | None = None,
) -> RunResult:
    with transaction(sm) as s:
        run = s.get(RetentionRun, run_id)
        assert run is not None
        cutoff, size, today = run.cutoff, run.batch_size, as_utc(run.started_at).date()
    with engines.begin(rr.system) as conn:
        sql = reflect(conn, rr)
        if secret:
            with transaction(sm) as s:
                consentstate.load(conn, sql, ConsentReader(s, secret))
        missing = int(conn.execute(sql.count_missing_trigger()).scalar_one())
    governed = governed_for(policy, rr, sql, today)
    with transaction(sm) as s:
        s.get(RetentionRun, run_id).missing_trigger = missing  # type: ignore[union-attr]
    done_now = 0
    while max_batches is None or done_now < max_batches:
        with transaction(sm) as s:
            run = s.get(RetentionRun, run_id)
            assert run is not None
            pending = s.scalars(sa.select(RetentionBatch).where(
                RetentionBatch.run_id == run_id, RetentionBatch.status == "pending")).first()
            after = sql.as_key(_load(pending.after_pk if pending else run.last_pk))
            upto = sql.as_key(_load(pending.last_pk)) if pending else None
            batch_no = pending.batch_no if pending else run.batches_done + 1
            expected_before = json.loads(pending.expected) if pending else None
            holds = active_holds(s)  # read per batch: a hold placed mid-run applies at once
        with engines.begin(rr.system) as conn:
            p = prepare(conn, sql, cutoff=cutoff, holds=holds, governed=governed, after=after,
                        upto=upto, limit=None if pending else size, anonymize_key=key)
            if pending is None and not p.ids:
                break
            with transaction(sm) as s:
                if not locks.renew(s, rr.key, owner, run_id=run_id):
                    raise Conflict(f"the lock of rule {rr.key!r} was taken over; stopping")
                if pending is None:
                    s.add(RetentionBatch(
                        run_id=run_id, batch_no=batch_no, after_pk=_dump(after),
                        last_pk=_dump(p.last), status="pending", expected=json.dumps(p.expected),
                        held=p.held, blocked=p.blocked, skipped=_skipped(p),
                        started_at=datetime.now(UTC)))
            if pending is not None and not p.has_work:
                counts = dict(expected_before or {})  # the earlier attempt had committed
            else:
                counts = apply(conn, sql, p)
        last = upto if pending is not None else p.last
        _finish_batch(sm, run_id, batch_no, last, counts, p)
        done_now += 1
        if progress is not None:
            progress(batch_no, counts)
    else:
        with transaction(sm) as s:
            s.get(RetentionRun, run_id).status = "paused"  # type: ignore[union-attr]
        return _result(sm, run_id, "paused")
    with transaction(sm) as s:
        run = s.get(RetentionRun, run_id)
        assert run is not None
        run.status, run.finished_at = "done", datetime.now(UTC)
        evidence.record_run(s, run, policy)
    return _result(sm, run_id, "done")


def _finish_batch(
    sm: sessionmaker[Session], run_id: int, batch_no: int, last: Any, counts: dict[str, int],
    p: Prepared,
) -> None:
    with transaction(sm) as s:
        batch = s.get(RetentionBatch, (run_id, batch_no))
        run = s.get(RetentionRun, run_id)
        assert batch is not None and run is not None
        if batch.status == "done":  # recorded already: never count a batch twice
            return
        batch.status, batch.counts, batch.done_at = "done", json.dumps(counts), datetime.now(UTC)
        batch.held, batch.blocked, batch.skipped = p.held, p.blocked, _skipped(p)
        run.last_pk = _dump(last)
        run.batches_done = batch_no
        run.rows_done += counts.get(run.table_name, 0)


def _skipped(p: Prepared) -> str | None:
    return json.dumps(dict(sorted(p.skipped.items()))) if p.skipped else None


def _result(sm: sessionmaker[Session], run_id: int, status: str) -> RunResult:
    with transaction(sm) as s:
        run = s.get(RetentionRun, run_id)
        assert run is not None
        kept = s.execute(sa.select(
            sa.func.coalesce(sa.func.sum(RetentionBatch.held), 0),
            sa.func.coalesce(sa.func.sum(RetentionBatch.blocked), 0),
        ).where(RetentionBatch.run_id == run_id)).one()
        return RunResult(run.rule, status, run_id, evidence.batch_totals(s, run_id),
                         run.batches_done,
                         skipped_unscannable=sum(evidence.skipped(s, run_id).values()),
                         held=int(kept[0]), blocked=int(kept[1]))


AWAITING = "awaiting_approval"
AWAITING_REASON = "the policy has this rule wait for an officer's approval (sweep: approval)"


def run_all(
    sm: sessionmaker[Session], policy: Policy, *, engines: SystemEngines,
    anonymize_key: bytes = b"", batch_size: int = DEFAULT_BATCH, actor: str = "retention",
    secret: str | None = None, unattended_only: bool = False,
) -> list[RunResult]:
    """Sweep every SQL rule of the policy once; one rule's failure does not stop the others.
    With `unattended_only` (the nightly sweep), a rule whose policy says `sweep: approval`
    is not touched: its result is `awaiting_approval`, and it runs when an officer approves
    it (`run_rule` for that rule)."""
    results: list[RunResult] = []
    for rule in policy.retention_rules:
        if unattended_only and rule.sweep == "approval":
            results.append(RunResult(rule.key, AWAITING, reason=AWAITING_REASON))
            continue
        try:
            results.append(run_rule(sm, policy, rule.key, engines=engines,
                                    anonymize_key=anonymize_key, batch_size=batch_size,
                                    actor=actor, secret=secret))
        except StewardError as err:
            results.append(RunResult(rule.key, "failed", reason=err.detail))
    return results
