"""Rule conditions on SQLite, PostgreSQL and MariaDB: yes/no columns read as booleans (MariaDB's
TINYINT(1) 0 is false), all/any/not, comparisons, and consent states from Steward's ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import hr

from steward.connectors.engines import SystemEngines
from steward.consent import ledger
from steward.consent.purposes import resolve as consent_purpose
from steward.consent.subjects import email_ref
from steward.retention.plan import plan_rule
from steward.retention.sweep import run_rule
from steward.store.db import transaction

NOW = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
LEFT = datetime(2024, 1, 10, 12, 0)  # six months are long past on NOW
SECRET = "test-secret-for-retention-consent-0123456789"


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def hr_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hr.db'}"
    elif request.param == "postgres":
        url = request.getfixturevalue("pg_server_url")
    else:
        url = request.getfixturevalue("mariadb_server_url")
    eng = hr.create(url)
    yield url
    hr.md.drop_all(eng)
    eng.dispose()


def fill(url: str, rows: list[dict[str, Any]]) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(hr.candidates.insert(), [
            {"email": None, "rejected": None, "talent_pool": None, "status": None,
             "archived": None, "left_at": LEFT, **r} for r in rows])
    eng.dispose()


def sweep(url: str, store: sessionmaker[Session], *rules: dict[str, Any],
          secret: str | None = None) -> tuple[list[Any], set[int]]:
    """(the plan's sample of due keys, the candidate ids left after a sweep)."""
    policy = hr.make_policy(*rules, url=url)
    engines = SystemEngines(urls={"hr": url})
    try:
        with transaction(store) as s:
            plan = plan_rule(policy, "candidates", engines=engines, session=s,
                             today=NOW.date(), secret=secret)
        assert plan.error is None, plan.error
        result = run_rule(store, policy, "candidates", engines=engines, now=NOW, secret=secret)
        assert result.status == "done"
    finally:
        engines.dispose()
    return plan.sample, hr.ids(url)


ROWS = [
    {"id": 1, "rejected": True, "talent_pool": False},
    {"id": 2, "rejected": True, "talent_pool": True},
    {"id": 3, "rejected": False, "talent_pool": False},  # 0 on MariaDB: not rejected
    {"id": 4, "rejected": True, "talent_pool": None},    # never said yes to the pool
    {"id": 5, "rejected": None, "talent_pool": None},
]


def test_yes_no_columns_are_read_as_booleans_on_every_dialect(
    hr_url: str, store: sessionmaker[Session]
) -> None:
    fill(hr_url, ROWS)
    # "rejected, unless the person joined the talent pool": deletes 1 and 4 only.
    cond = {"all": ["candidates.rejected", {"not": "candidates.talent_pool"}]}
    sample, left = sweep(hr_url, store, hr.rule(condition=cond))
    assert sample == [1, 4]
    assert left == {2, 3, 5}


def test_plain_column_form_on_a_tinyint(hr_url: str, store: sessionmaker[Session]) -> None:
    fill(hr_url, ROWS)
    if hr_url.startswith("mysql"):
        eng = sa.create_engine(hr_url)
        with eng.connect() as c:  # what the company's DDL really is
            kind = c.execute(sa.text(
                "SELECT column_type FROM information_schema.columns WHERE table_schema = "
                "DATABASE() AND table_name = 'candidates' AND column_name = 'rejected'"
            )).scalar_one()
        eng.dispose()
        assert kind == "tinyint(1)"
    # The existing column form: a yes/no column must hold yes (0 is "no", not "a value").
    sample, left = sweep(hr_url, store, hr.rule(condition="candidates.rejected"))
    assert sample == [1, 2, 4]
    assert left == {3, 5}


def test_comparisons_any_and_explicit_false(hr_url: str, store: sessionmaker[Session]) -> None:
    fill(hr_url, [
        {"id": 1, "status": "rejected", "talent_pool": False},
        {"id": 2, "status": "withdrawn", "talent_pool": None},
        {"id": 3, "status": "hired", "talent_pool": False},
        {"id": 4, "status": "rejected", "talent_pool": True},
        {"id": 5, "status": None, "talent_pool": False},
    ])
    cond = {"all": [
        {"any": [{"column": "candidates.status", "op": "eq", "value": "rejected"},
                 {"column": "status", "op": "eq", "value": "withdrawn"}]},
        {"column": "candidates.talent_pool", "op": "ne", "value": True},
    ]}
    sample, left = sweep(hr_url, store, hr.rule(condition=cond))
    assert sample == [1, 2]
    assert left == {3, 4, 5}


def test_an_integer_flag_compared_with_false(hr_url: str, store: sessionmaker[Session]) -> None:
    fill(hr_url, [{"id": 1, "archived": 0}, {"id": 2, "archived": 1}, {"id": 3, "archived": None},
                  {"id": 4, "archived": 2}])
    # `value: false` declares a yes/no meaning: 0 and empty are "no", any other number "yes".
    cond = {"column": "candidates.archived", "op": "eq", "value": False}
    sample, left = sweep(hr_url, store, hr.rule(condition=cond))
    assert sample == [1, 3]
    assert left == {2, 4}


# --- consent read from Steward's own ledger ------------------------------------------------


def record(store: sessionmaker[Session], email: str, action: str) -> None:
    policy = hr.make_policy()
    with transaction(store) as s:
        ledger.record(s, policy, subject_ref=email_ref(SECRET, email),
                      purpose=consent_purpose(policy, "talent_pool"), action=action,
                      method="test", recorded_by="test")


PEOPLE = [
    {"id": 1, "email": "aino@example.com"},     # given
    {"id": 2, "email": "bertta@example.com"},   # given, then withdrawn
    {"id": 3, "email": "cecilia@example.com"},  # no decision
    {"id": 4, "email": "Dora@Example.com"},     # given (ledger keeps the normalized address)
    {"id": 5, "email": None},                   # no address: cannot have consented
]


@pytest.mark.parametrize(("state", "negate", "deleted"), [
    ("given", True, {2, 3, 5}),     # "unless the person consented to the talent pool"
    ("given", False, {1, 4}),
    ("withdrawn", False, {2}),
    ("none", False, {3, 5}),
])
def test_consent_condition_from_the_ledger(
    sqlite_company_hr: str, store: sessionmaker[Session], state: str, negate: bool,
    deleted: set[int],
) -> None:
    fill(sqlite_company_hr, PEOPLE)
    for email in ("aino@example.com", "bertta@example.com", "dora@example.com"):
        record(store, email, "given")
    record(store, "bertta@example.com", "withdrawn")
    part: dict[str, Any] = {"consent": {"purpose": "talent_pool", "state": state}}
    cond = {"not": part} if negate else part
    sample, left = sweep(sqlite_company_hr, store, hr.rule(condition=cond), secret=SECRET)
    assert sample == sorted(deleted)
    policy = hr.make_policy(hr.rule(condition=cond), url=sqlite_company_hr)
    engines = SystemEngines(urls={"hr": sqlite_company_hr})
    with transaction(store) as s:
        plan = plan_rule(policy, "candidates", engines=engines, session=s, today=NOW.date(),
                         secret=SECRET)
    engines.dispose()
    # The plan's statements carry placeholders, never the addresses matched.
    assert plan.statements and not any("example.com" in st for st in plan.statements)
    assert any("candidates.email" in st and "IN (:param_" in st for st in plan.statements)
    assert left == {1, 2, 3, 4, 5} - deleted


def test_consent_condition_needs_the_ledger(
    sqlite_company_hr: str, store: sessionmaker[Session]
) -> None:
    fill(sqlite_company_hr, PEOPLE)
    policy = hr.make_policy(hr.rule(condition={"not": {"consent": {
        "purpose": "talent_pool", "state": "given"}}}), url=sqlite_company_hr)
    engines = SystemEngines(urls={"hr": sqlite_company_hr})
    plan = plan_rule(policy, "candidates", engines=engines, today=NOW.date())
    engines.dispose()
    assert plan.error is not None and "consent ledger" in plan.error
    assert "example.com" not in plan.error
    assert hr.ids(sqlite_company_hr) == {1, 2, 3, 4, 5}


@pytest.fixture
def sqlite_company_hr(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    hr.create(url).dispose()
    yield url


def test_a_consent_decision_replans_the_rules_reading_it(
    sqlite_company_hr: str, store: sessionmaker[Session]
) -> None:
    from steward.retention import plancache

    fill(sqlite_company_hr, PEOPLE[:3])
    record(store, "aino@example.com", "given")
    keep_pool = hr.rule(condition={"not": {"consent": {"purpose": "talent_pool",
                                                       "state": "given"}}})
    other = {**hr.rule(), "key": "others"}  # reads no consent
    policy = hr.make_policy(keep_pool, other, url=sqlite_company_hr)
    engines = SystemEngines(urls={"hr": sqlite_company_hr})
    try:
        with transaction(store) as s:
            plancache.refresh(s, policy, engines=engines, today=NOW.date(), secret=SECRET)
        with transaction(store) as s:
            entries = {e.rule.key: e for e in plancache.cached(s, policy)}
        assert entries["candidates"].plan is not None
        assert entries["candidates"].plan.sample == [2, 3]
        assert not entries["candidates"].stale

        # Aino withdraws: the ledger write marks the rule's counts stale, in its transaction.
        with transaction(store) as s:
            ledger.record(s, policy, subject_ref=email_ref(SECRET, "aino@example.com"),
                          purpose=consent_purpose(policy, "talent_pool"), action="withdrawn",
                          method="test", recorded_by="test")
        with transaction(store) as s:
            entries = {e.rule.key: e for e in plancache.cached(s, policy)}
        assert entries["candidates"].stale
        assert "talent_pool" in (entries["candidates"].stale_reason or "")
        assert not entries["others"].stale
        # The next count (the jobs worker's, every quarter of an hour) and the next sweep use
        # the ledger as it is now; only the stale rule is counted again.
        with transaction(store) as s:
            assert plancache.refresh_stale(s, policy, engines=engines, today=NOW.date(),
                                           secret=SECRET) == ["candidates"]
        with transaction(store) as s:
            entries = {e.rule.key: e for e in plancache.cached(s, policy)}
        assert entries["candidates"].plan is not None
        assert entries["candidates"].plan.sample == [1, 2, 3]
        with transaction(store) as s:
            assert not {e.rule.key: e for e in plancache.cached(s, policy)}["candidates"].stale
        result = run_rule(store, policy, "candidates", engines=engines, now=NOW, secret=SECRET)
        assert result.counts["candidates"] == 3
    finally:
        engines.dispose()
    assert hr.ids(sqlite_company_hr) == set()
