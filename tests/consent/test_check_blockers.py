"""Blockers another capability registers (a legal hold, an investigation) win over every basis
of a consent check; the first one that reports gives the reason. A blocker gets an ORM Session
on the check's own connection, also when the check was handed a plain connection (the API's
hot path), and the batch filter asks the same blockers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from tests.consent.conftest import SECRET

from steward.consent import checks, ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.store.db import make_sessionmaker, transaction

HELD, AUDITED, FREE = "held@example.com", "audited@example.com", "free@example.com"


def legal_hold(session: Session, ref: str) -> str | None:
    """A hold kept in a table of its own capability, read through the session it is given."""
    held = session.execute(
        text("SELECT reason FROM litigation_holds WHERE subject_ref = :r"), {"r": ref}
    ).scalar()
    return f"on legal hold: {held}" if held else None


@pytest.fixture
def asked(sqlite_engine: Engine) -> Iterator[list[str]]:
    """A legal hold (on HELD) and an investigation (of HELD and AUDITED) registered in this
    order, the hold twice; yields which blocker was asked, in order."""
    with sqlite_engine.begin() as conn:
        conn.execute(text("CREATE TABLE litigation_holds (subject_ref VARCHAR(120), reason TEXT)"))
        conn.execute(
            text("INSERT INTO litigation_holds VALUES (:r, 'case 2026-17')"),
            {"r": email_ref(SECRET, HELD)},
        )
    calls: list[str] = []

    def hold(session: Session, ref: str) -> str | None:
        calls.append("hold")
        return legal_hold(session, ref)

    def investigation(session: Session, ref: str) -> str | None:
        calls.append("investigation")
        assert isinstance(session, Session)
        return (
            "under investigation"
            if ref in (email_ref(SECRET, HELD), email_ref(SECRET, AUDITED))
            else None
        )

    assert checks.register_blocker(hold) is hold  # usable as a decorator
    checks.register_blocker(investigation)
    checks.register_blocker(hold)  # again: still one entry, asked once per check
    try:
        yield calls
    finally:
        checks.BLOCKERS.remove(hold)
        checks.BLOCKERS.remove(investigation)


def test_the_first_blocker_to_report_gives_the_reason(sqlite_engine, policy, asked) -> None:
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        for address in (HELD, AUDITED, FREE):
            ledger.record(
                s,
                policy,
                subject_ref=email_ref(SECRET, address),
                purpose=resolve(policy, "newsletter"),
                action="given",
                method="test",
                recorded_by="test",
            )
    with transaction(sm) as s:
        held, audited, free = (
            checks.check(s, policy, a, "newsletter", secret=SECRET) for a in (HELD, AUDITED, FREE)
        )
    assert held.as_dict() == {
        "allowed": False,
        "subject_ref": email_ref(SECRET, HELD),
        "purpose": "newsletter",
        "state": "given",
        "basis": {"kind": "blocked", "reason": "on legal hold: case 2026-17"},
    }
    assert (audited.allowed, audited.state, audited.basis) == (
        False,
        "given",
        {"kind": "blocked", "reason": "under investigation"},
    )
    assert (free.allowed, free.basis["kind"]) == (True, "consent")
    # The hold answered first for the held subject; each blocker once per check.
    assert asked == ["hold", "hold", "investigation", "hold", "investigation"]


def test_a_plain_connection_check_hands_blockers_a_session(sqlite_engine, policy, asked) -> None:
    with sqlite_engine.connect() as conn:  # the API's hot path
        held = checks.check(conn, policy, HELD, "event_photos", secret=SECRET)
        free = checks.check(conn, policy, FREE, "event_photos", secret=SECRET)
    assert (held.allowed, held.state, held.basis) == (
        False,
        None,
        {"kind": "blocked", "reason": "on legal hold: case 2026-17"},
    )
    assert (free.allowed, free.basis["kind"]) == (True, "legitimate_interest")
    assert asked == ["hold", "hold", "investigation"]


def test_the_batch_filter_asks_the_same_blockers(sqlite_engine, policy, asked) -> None:
    rows = [{"email": a} for a in (HELD, AUDITED, FREE)]
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        answers = [
            (r.allowed, r.basis.get("reason"))
            for _, r in checks.filter_rows(s, policy, SECRET, rows, "event_photos")
            if r
        ]
    assert answers == [
        (False, "on legal hold: case 2026-17"),
        (False, "under investigation"),
        (True, "no objection recorded (GDPR Art. 21)"),
    ]
