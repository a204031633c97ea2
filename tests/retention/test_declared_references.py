"""Sweeps over a database that declares no foreign keys, on every dialect: the references exist
only in the policy, so every join, every dependant delete and every walk up to a hold follows
them and nothing else. Tasks of a fictional workshop are kept 6 months after their project
closed; a task takes its logged hours (keyed by task and week) and its comments (which also name
a reviewer, a table outside the task's tree) with it.

The rows, the holds and the rows that must go or stay are written by hand below."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company as co

from steward.connectors.engines import SystemEngines
from steward.policy.models import Policy
from steward.retention.holds import add_hold
from steward.retention.plan import plan_rule
from steward.retention.sweep import run_rule
from steward.store.db import transaction

NOW = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)  # six months back: 1 March 2025
LONG_AGO = datetime(2024, 1, 10, 12, 0)
LATELY = datetime(2025, 8, 20, 12, 0)

# No sa.ForeignKey anywhere: the database knows nothing of the references.
md = sa.MetaData()
clients = sa.Table(
    "ws_clients",
    md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(100)),
)
projects = sa.Table(
    "ws_projects",
    md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("client_id", sa.Integer),
    sa.Column("closed_at", sa.DateTime),
)
reviewers = sa.Table(
    "ws_reviewers",
    md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(100)),
)
tasks = sa.Table(
    "ws_tasks",
    md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("project_id", sa.Integer),
    sa.Column("title", sa.String(100)),
)
hours = sa.Table(
    "ws_hours",
    md,
    sa.Column("task_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("week", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("spent", sa.Integer),
)
comments = sa.Table(
    "ws_comments",
    md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("reviewer_id", sa.Integer),
    sa.Column("task_id", sa.Integer),
    sa.Column("body", sa.Text),
)

SYSTEM: dict[str, Any] = {
    "key": "workshop",
    "name": "Workshop",
    "connector": "sql",
    "storage_country": "DK",
    "tables": [
        {"name": "ws_clients", "fields": [{"name": "name"}]},
        {
            "name": "ws_projects",
            "references": [{"field": "client_id", "to": "ws_clients.id"}],
            "fields": [{"name": "closed_at"}],
        },
        {"name": "ws_reviewers", "fields": [{"name": "name"}]},
        {
            "name": "ws_tasks",
            "references": [{"field": "project_id", "to": "ws_projects.id"}],
            "fields": [{"name": "title"}],
        },
        {
            "name": "ws_hours",
            "primary_key": ["task_id", "week"],
            "references": [{"field": "task_id", "to": "ws_tasks.id"}],
            "fields": [{"name": "spent"}],
        },
        # The reviewer comes first: a reference out of the task's tree is passed over.
        {
            "name": "ws_comments",
            "references": [
                {"field": "reviewer_id", "to": "ws_reviewers.id"},
                {"field": "task_id", "to": "ws_tasks.id"},
            ],
            "fields": [{"name": "body"}],
        },
    ],
}
TASKS_RULE = {
    "key": "tasks",
    "description": "6 months after the project closed",
    "system": "workshop",
    "table": "ws_tasks",
    "trigger": {"field": "ws_projects.closed_at"},
    "period": {"months": 6},
}
CLIENTS_RULE = {
    "key": "clients",
    "description": "6 months after the last project closed",
    "system": "workshop",
    "table": "ws_clients",
    "trigger": {"field": "ws_projects.closed_at", "of": "latest"},
    "period": {"months": 6},
}

CLIENTS = {1: "Client One", 2: "Client Two", 3: "Client Three"}  # 3 has no project
PROJECTS = {10: (1, LONG_AGO), 20: (2, LONG_AGO), 30: (2, LATELY)}  # id -> (client, closed)
TASKS = {1: 10, 2: 10, 3: 20, 4: 30, 5: 20, 6: 20}  # task -> project: all due but 4
# (task, week): the hold names (3, 6), whose week is task 6's id; task 3 also has week 1.
HOURS = [(3, 1), (3, 6), (6, 1), (6, 2), (1, 6)]
COMMENTS = {500: (7, 1), 501: (7, 5), 502: (8, 6), 503: (None, 6)}  # id -> (reviewer, task)


def policy(url: str, *rules: dict[str, Any]) -> Policy:
    return Policy.model_validate(
        {**co.BASE, "systems": [{**SYSTEM, "url": url}], "retention_rules": list(rules)}
    )


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        out = f"sqlite:///{tmp_path / 'workshop.db'}"
    elif request.param == "postgres":
        out = request.getfixturevalue("pg_server_url")
    else:
        out = request.getfixturevalue("mariadb_server_url")
    eng = sa.create_engine(out)
    md.drop_all(eng)
    md.create_all(eng)
    with eng.begin() as c:
        c.execute(clients.insert(), [{"id": i, "name": n} for i, n in CLIENTS.items()])
        c.execute(
            projects.insert(),
            [{"id": i, "client_id": cl, "closed_at": at} for i, (cl, at) in PROJECTS.items()],
        )
        c.execute(
            reviewers.insert(),
            [{"id": 7, "name": "Reviewer Seven"}, {"id": 8, "name": "Reviewer Eight"}],
        )
        c.execute(
            tasks.insert(),
            [{"id": i, "project_id": p, "title": f"Task {i}"} for i, p in TASKS.items()],
        )
        c.execute(hours.insert(), [{"task_id": t, "week": w, "spent": 3} for t, w in HOURS])
        c.execute(
            comments.insert(),
            [
                {"id": i, "reviewer_id": r, "task_id": t, "body": "ok"}
                for i, (r, t) in COMMENTS.items()
            ],
        )
    yield out
    md.drop_all(eng)
    eng.dispose()


def left(url: str, table: sa.Table) -> set[Any]:
    eng = sa.create_engine(url)
    with eng.connect() as c:
        cols = [table.c[k.name] for k in table.primary_key.columns]
        out = {r[0] if len(cols) == 1 else tuple(r) for r in c.execute(sa.select(*cols))}
    eng.dispose()
    return out


def test_holds_reach_tasks_through_declared_references_only(
    url: str, store: sessionmaker[Session]
) -> None:
    p = policy(url, TASKS_RULE)
    engines = SystemEngines(urls={"workshop": url})
    with transaction(store) as s:
        # Client 1 (two references up): its tasks 1 and 2. Week (3, 6): task 3, not task 6.
        # Comment 501, found through its second reference: task 5.
        add_hold(
            s,
            actor="officer",
            reason="client dispute",
            policy=p,
            system="workshop",
            table="ws_clients",
            pk="1",
        )
        add_hold(
            s,
            actor="officer",
            reason="timesheet audit",
            policy=p,
            system="workshop",
            table="ws_hours",
            pk="3,6",
        )
        add_hold(
            s,
            actor="officer",
            reason="complaint",
            policy=p,
            system="workshop",
            table="ws_comments",
            pk="501",
        )
    try:
        with transaction(store) as s:
            plan = plan_rule(p, "tasks", engines=engines, session=s, today=NOW.date())
        assert plan.error is None, plan.error
        assert (plan.expired, plan.sample, plan.held) == (5, [1, 2, 3, 5, 6], 4)
        assert sorted(plan.dependants) == ["ws_comments", "ws_hours"]
        result = run_rule(store, p, "tasks", engines=engines, now=NOW)
    finally:
        engines.dispose()
    assert result.status == "done" and result.held == 4
    assert result.counts == {"ws_hours": 2, "ws_comments": 2, "ws_tasks": 1}
    assert left(url, tasks) == {1, 2, 3, 4, 5}
    assert left(url, hours) == {(3, 1), (3, 6), (1, 6)}
    assert left(url, comments) == {500, 501}
    assert left(url, reviewers) == {7, 8}
    assert left(url, projects) == {10, 20, 30}


def test_a_trigger_read_from_child_rows_joins_by_the_declared_reference(url: str) -> None:
    engines = SystemEngines(urls={"workshop": url})
    try:
        plan = plan_rule(policy(url, CLIENTS_RULE), "clients", engines=engines, today=NOW.date())
    finally:
        engines.dispose()
    assert plan.error is None, plan.error
    # Client 1's last project closed long ago; client 2's closed lately; 3 has none.
    assert (plan.expired, plan.sample, plan.missing_trigger) == (1, [1], 1)


def test_a_condition_reads_the_rule_table_and_the_tables_the_trigger_joins(url: str) -> None:
    # A bare column is the rule table's; the project is on the trigger's join path.
    cond = {"all": ["title", {"not": {"column": "ws_projects.id", "op": "eq", "value": 20}}]}
    engines = SystemEngines(urls={"workshop": url})
    try:
        plan = plan_rule(
            policy(url, {**TASKS_RULE, "condition": cond}),
            "tasks",
            engines=engines,
            today=NOW.date(),
        )
    finally:
        engines.dispose()
    assert plan.error is None, plan.error
    assert (plan.expired, plan.sample) == (2, [1, 2])  # project 20's tasks 3, 5, 6 stay
