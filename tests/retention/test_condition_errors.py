"""What a plan says when a rule's condition cannot be run as written: a column on a table the
sweep does not join, a column the database lacks, a consent state on a table that names no
e-mail address. The texts are those `steward retention plan` prints after "error:"; the policy
itself is valid, so they come from the database and the rule together, not from a line of the
policy file. Nothing is counted and nothing is deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import hr
from tests.retention.test_conditions import (
    NOW,
    PEOPLE,
    SECRET,
    fill,
    hr_url,  # noqa: F401 - the dialect fixture
    record,
)

from steward.connectors.engines import SystemEngines
from steward.retention.plan import RulePlan, plan_rule
from steward.store.db import transaction


def plan(url: str, rule: dict[str, Any], store: sessionmaker[Session] | None = None) -> RulePlan:
    policy = hr.make_policy(rule, url=url)
    engines = SystemEngines(urls={"hr": url})
    try:
        if store is None:
            return plan_rule(policy, str(rule["key"]), engines=engines, today=NOW.date())
        with transaction(store) as s:
            return plan_rule(
                policy,
                str(rule["key"]),
                engines=engines,
                session=s,
                today=NOW.date(),
                secret=SECRET,
            )
    finally:
        engines.dispose()


def test_a_condition_off_the_trigger_path_is_named(hr_url: str) -> None:  # noqa: F811
    fill(hr_url, PEOPLE)
    # Applications sit below candidates; the trigger is on candidates itself.
    cond = {"column": "applications.closed_at", "op": "gt", "value": "2024-01-01"}
    p = plan(hr_url, hr.rule(condition=cond))
    assert p.error == (
        "retention rule 'candidates': the condition must be on 'candidates' or on a table of "
        "the trigger's join path"
    )
    assert p.expired == 0 and p.statements == []
    assert hr.ids(hr_url) == {1, 2, 3, 4, 5}


def test_a_condition_column_the_database_lacks_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as c:  # candidates without its talent_pool column
        c.exec_driver_sql(
            "CREATE TABLE candidates (id INTEGER PRIMARY KEY, email TEXT, "
            "rejected BOOLEAN, status TEXT, archived INTEGER, left_at DATETIME)"
        )
        c.exec_driver_sql(
            "CREATE TABLE applications (id INTEGER PRIMARY KEY, "
            "candidate_id INTEGER, closed_at DATETIME)"
        )
        c.exec_driver_sql(
            "CREATE TABLE interviews (candidate_id INTEGER, round INTEGER, "
            "notes TEXT, held_at DATETIME, PRIMARY KEY (candidate_id, round))"
        )
    eng.dispose()
    p = plan(url, hr.rule(condition={"not": "talent_pool"}))  # a bare column: on candidates
    assert p.error == (
        "system 'hr': table 'candidates' has no column 'talent_pool' (retention rule 'candidates')"
    )


def test_a_consent_state_needs_an_address_on_the_rule_table(
    hr_url: str,  # noqa: F811
    store: sessionmaker[Session],
) -> None:
    record(store, "aino@example.com", "given")
    interviews = {
        "key": "interviews",
        "description": "6 months after the interview",
        "system": "hr",
        "table": "interviews",
        "trigger": {"field": "interviews.held_at"},
        "period": {"months": 6},
        "condition": {"not": {"consent": {"purpose": "talent_pool", "state": "given"}}},
    }
    p = plan(hr_url, interviews, store)
    assert p.error == (
        "retention rule 'interviews': table 'interviews' declares no 'email' identity to match "
        "consent records with"
    )
