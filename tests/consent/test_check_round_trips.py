"""The consent check is the API's hot path, and its module promises how it reads the store:
once the store's shape is known, one check is one statement (the state row and the restriction
flag together); the shape is looked up again at most every 30 seconds per store, so a
restrictions table created later is noticed; the batch filter reads states and restrictions
500 subjects at a time. The statements are counted as the database driver receives them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from tests.consent.conftest import SECRET

from steward.consent import checks, ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine

EMAIL = "counted@example.com"
RESTRICTED = "processing is restricted (GDPR Art. 18(1)): only storage is allowed"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The statements sent to the database meanwhile (not the transactions' BEGIN)."""
    seen: list[str] = []

    def sent(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", sent)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", sent)


def unrestricted(engine: Engine) -> None:
    """A store without the requests capability's restrictions table."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS restrictions"))


def restrict(engine: Engine, *addresses: str) -> None:
    """A stand-alone restrictions table of the requests capability's shape."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS restrictions (id INTEGER PRIMARY KEY, "
                "subject_ref VARCHAR(120), lifted_at TIMESTAMP NULL)"
            )
        )
        for address in addresses:
            conn.execute(
                text("INSERT INTO restrictions (subject_ref) VALUES (:s)"),
                {"s": email_ref(SECRET, address)},
            )


@pytest.fixture(autouse=True)
def _fresh_plans() -> Iterator[None]:
    checks._plans.clear()
    yield
    checks._plans.clear()


def test_a_check_is_one_statement(sqlite_engine, policy) -> None:
    unrestricted(sqlite_engine)
    restrict(sqlite_engine, EMAIL)
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        assert checks.is_restricted(s, email_ref(SECRET, EMAIL))  # the store's shape, read
        with statements(sqlite_engine) as seen:
            # A cookie category: no start-date gate to ask, only the consent store to read.
            held = checks.check(s, policy, EMAIL, "cookie.preferences", secret=SECRET)
    assert (held.allowed, held.basis) == (False, {"kind": "blocked", "reason": RESTRICTED})
    assert len(seen) == 1, seen
    with sqlite_engine.connect() as conn:  # the API's hot path: a plain connection
        with statements(sqlite_engine) as seen:
            held = checks.check(conn, policy, EMAIL, "cookie.marketing", secret=SECRET)
            free = checks.check(conn, policy, "free@example.com", "cookie.marketing", secret=SECRET)
    assert (held.allowed, held.basis) == (False, {"kind": "blocked", "reason": RESTRICTED})
    assert (free.allowed, free.basis["kind"]) == (False, "no_consent")
    assert len(seen) == 2, seen


def test_the_stores_shape_is_looked_up_again_after_30_seconds(
    sqlite_engine, policy, monkeypatch
) -> None:
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(checks, "time", SimpleNamespace(monotonic=lambda: clock.now))
    sm = make_sessionmaker(sqlite_engine)

    def preferences() -> tuple[checks.CheckResult, list[str]]:
        # A cookie category: no start-date gate, so the check reads only the consent store.
        with transaction(sm) as s, statements(sqlite_engine) as seen:
            return checks.check(s, policy, EMAIL, "cookie.preferences", secret=SECRET), seen

    unrestricted(sqlite_engine)
    first, _ = preferences()  # no restrictions table yet
    assert first.basis["kind"] == "no_consent"
    restrict(sqlite_engine, EMAIL)  # the requests capability creates it and restricts
    clock.now = 1029.9
    _, seen = preferences()
    assert len(seen) == 1, seen  # the shape is not looked up again within 30 s
    clock.now = 1030.0
    noticed, _ = preferences()
    assert (noticed.allowed, noticed.basis) == (False, {"kind": "blocked", "reason": RESTRICTED})


def test_each_store_is_read_by_its_own_shape(sqlite_engine, policy, tmp_path: Path) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade_engine(other)
    try:
        unrestricted(other)
        unrestricted(sqlite_engine)
        restrict(sqlite_engine, EMAIL)
        answers = []
        for engine in (sqlite_engine, other, sqlite_engine):
            with transaction(make_sessionmaker(engine)) as s:
                answers.append(
                    checks.check(s, policy, EMAIL, "event_photos", secret=SECRET).basis["kind"]
                )
    finally:
        other.dispose()
    assert answers == ["blocked", "legitimate_interest", "blocked"]


def test_the_batch_filter_reads_500_subjects_at_a_time(sqlite_engine, policy) -> None:
    # 1,000 addresses: two batches, each one statement for the states and one for the
    # restrictions; nothing is read for the empty rest.
    emails = [f"batch{i}@example.com" for i in range(1000)]
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        for e in emails[:2]:
            ledger.record(
                s,
                policy,
                subject_ref=email_ref(SECRET, e),
                purpose=resolve(policy, "cookie.preferences"),
                action="given",
                method="test",
                recorded_by="test",
            )
    unrestricted(sqlite_engine)
    restrict(sqlite_engine, emails[1], emails[999])
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        checks.is_restricted(s, email_ref(SECRET, EMAIL))  # the store's shape, read once
        with statements(sqlite_engine) as seen:
            answers = [
                r and r.basis["kind"]
                for _, r in checks.filter_rows(
                    s, policy, SECRET, [{"email": e} for e in emails], "cookie.preferences"
                )
            ]
    assert answers[:3] == ["consent", "blocked", "no_consent"]
    assert answers[999] == "blocked" and answers.count("no_consent") == 997
    reads = [("consent_state" in q, "restrictions" in q) for q in seen]
    assert reads == [(True, False), (False, True)] * 2, seen
