"""Retention over a table keyed by two columns, on every dialect: batches walk the composite key,
checkpoints resume it, holds name it, field rewrites update by it, evidence records it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import hr
from tests.retention.test_conditions import hr_url  # noqa: F401 - the dialect fixture

from steward.connectors.engines import SystemEngines
from steward.retention.holds import add_hold
from steward.retention.plan import plan_rule
from steward.retention.rules import resolve
from steward.retention.statements import reflect, show
from steward.retention.sweep import run_rule
from steward.retention.tables import RetentionBatch, RetentionRun
from steward.store.db import transaction

NOW = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
OLD = datetime(2024, 5, 2, 10, 0)  # due 2 Nov 2024
RECENT = datetime(2025, 6, 1, 10, 0)  # due 1 Dec 2025: kept
SQLITE = sqlite.dialect()  # plans shown as for SQLite (PostgreSQL adds casts)

# (candidate_id, round) -> held_at; keys chosen so that ordering by the first column alone
# would be wrong: (1, 2) comes before (2, 1).
ROWS = {(1, 1): OLD, (1, 2): OLD, (2, 1): RECENT, (2, 2): OLD, (3, 1): OLD, (3, 2): OLD}


def fill(url: str) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(
            hr.interviews.insert(),
            [
                {
                    "candidate_id": k[0],
                    "round": k[1],
                    "notes": f"Notes on round {k[1]}",
                    "held_at": at,
                }
                for k, at in ROWS.items()
            ],
        )
    eng.dispose()


def rule(**extra: object) -> dict[str, object]:
    return {
        "key": "interviews",
        "description": "6 months after the interview",
        "system": "hr",
        "table": "interviews",
        "trigger": {"field": "interviews.held_at"},
        "period": {"months": 6},
        **extra,
    }


def test_delete_by_composite_key_with_a_hold_and_resume(
    hr_url: str,  # noqa: F811
    store: sessionmaker[Session],
) -> None:
    fill(hr_url)
    policy = hr.make_policy(rule(), url=hr_url)
    engines = SystemEngines(urls={"hr": hr_url})
    with transaction(store) as s:
        add_hold(
            s,
            actor="officer",
            reason="claim about round 2",
            policy=policy,
            system="hr",
            table="interviews",
            pk="3,2",
        )
    try:
        with transaction(store) as s:
            plan = plan_rule(policy, "interviews", engines=engines, session=s, today=NOW.date())
        assert plan.error is None, plan.error
        assert plan.sample == [[1, 1], [1, 2], [2, 2], [3, 1], [3, 2]]
        assert (plan.expired, plan.held) == (5, 1)
        # Two batches of two due keys, then stop: the checkpoint holds a composite key.
        first = run_rule(
            store, policy, "interviews", engines=engines, now=NOW, batch_size=2, max_batches=2
        )
        assert first.status == "paused"
        with transaction(store) as s:
            run = s.get(RetentionRun, first.run_id)
            assert run is not None and json.loads(run.last_pk or "null") == [3, 1]
        # (2, 1) is not due and (3, 2) is held; the rest went in the first two batches.
        assert hr.ids(hr_url, hr.interviews) == {(2, 1), (3, 2)}
        done = run_rule(store, policy, "interviews", engines=engines, now=NOW, batch_size=2)
        assert done.status == "done" and done.run_id == first.run_id
        assert done.counts == {"interviews": 4} and done.held == 1
        with transaction(store) as s:
            windows = [
                (json.loads(b.after_pk), json.loads(b.last_pk))
                for b in s.scalars(
                    sa.select(RetentionBatch)
                    .where(RetentionBatch.run_id == done.run_id)
                    .order_by(RetentionBatch.batch_no)
                )
            ]
        assert windows == [(None, [1, 2]), ([1, 2], [3, 1]), ([3, 1], [3, 2])]
    finally:
        engines.dispose()
    assert hr.ids(hr_url, hr.interviews) == {(2, 1), (3, 2)}


def test_null_fields_by_composite_key(hr_url: str, store: sessionmaker[Session]) -> None:  # noqa: F811
    fill(hr_url)
    policy = hr.make_policy(rule(action="null", fields=["notes"]), url=hr_url)
    engines = SystemEngines(urls={"hr": hr_url})
    try:
        result = run_rule(store, policy, "interviews", engines=engines, now=NOW, batch_size=4)
    finally:
        engines.dispose()
    assert result.status == "done" and result.counts == {"interviews": 5}
    eng = sa.create_engine(hr_url)
    with eng.connect() as c:
        kept = {
            (r[0], r[1])
            for r in c.execute(
                sa.select(hr.interviews.c.candidate_id, hr.interviews.c.round).where(
                    hr.interviews.c.notes.is_not(None)
                )
            )
        }
    eng.dispose()
    assert kept == {(2, 1)}


def test_a_window_of_composite_keys_as_a_plan_shows_it_and_as_it_runs(
    hr_url: str,  # noqa: F811
) -> None:
    fill(hr_url)
    cutoff = date(2025, 3, 1)  # six months before NOW
    eng = sa.create_engine(hr_url)
    with eng.begin() as c:
        sql = reflect(c, resolve(hr.make_policy(rule(), url=hr_url), "interviews"))
        window = sql.candidates(cutoff, after=(1, 2), upto=(3, 1), limit=2)
        # Each key column has a placeholder of its own, named after the column.
        assert " ".join(show(window, SQLITE).split()) == (
            "SELECT interviews.candidate_id, interviews.round FROM interviews WHERE "
            "interviews.held_at < :cutoff_1 AND (interviews.candidate_id, interviews.round) > "
            "(:after_candidate_id_1, :after_round_1) AND (interviews.candidate_id, "
            "interviews.round) <= (:upto_candidate_id_1, :upto_round_1) "
            "ORDER BY interviews.candidate_id, interviews.round LIMIT :param_1 OFFSET :param_2"
        )
        assert [tuple(r) for r in c.execute(window)] == [(2, 2), (3, 1)]
        # After (1, 1): (1, 2) differs in its second column only, and comes next.
        after = sql.candidates(cutoff, after=(1, 1))
        assert [tuple(r) for r in c.execute(after)] == [(1, 2), (2, 2), (3, 1), (3, 2)]
        deletes = sql.delete_window(cutoff, (1, 1), (3, 1))
        assert [" ".join(show(s, SQLITE).split()) for _, s in deletes] == [
            "DELETE FROM interviews WHERE interviews.held_at < :cutoff_1 AND "
            "(interviews.candidate_id, interviews.round) <= (:last_candidate_id_1, "
            ":last_round_1) AND (interviews.candidate_id, interviews.round) > "
            "(:after_candidate_id_1, :after_round_1)"
        ]
        for _, stmt in deletes:
            c.execute(stmt)
    eng.dispose()
    # (2, 1) is not due; (1, 1) starts the window and (3, 2) is past its end.
    assert hr.ids(hr_url, hr.interviews) == {(1, 1), (2, 1), (3, 2)}
