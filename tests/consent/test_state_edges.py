"""The consent state projection at its edges: expiry on the exact instant, in batches, oldest
first, written as a system event; states of many subjects across chunks; every way the state
row can disagree with the log is reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, event, select, update

from steward.consent import ledger, state
from steward.consent.purposes import resolve
from steward.consent.tables import ConsentEvent, ConsentState
from steward.store.db import as_utc, make_sessionmaker, transaction

GIVEN = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)  # cookie.marketing is valid 180 days


def _give(s, policy, ref, purpose="cookie.marketing", at=GIVEN, action="given"):  # type: ignore[no-untyped-def]
    return ledger.record(
        s,
        policy,
        subject_ref=ref,
        purpose=resolve(policy, purpose),
        action=action,
        method="test",
        recorded_by="test",
        at=at,
    )


def test_expiry_is_exact_batched_oldest_first_and_a_system_event(sqlite_engine, policy):  # type: ignore[no-untyped-def]
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        # cid:2 first gave at 07:58 and renewed at 08:02, so the oldest validity is cid:0's
        # although cid:2's state row was written first.
        _give(s, policy, "cid:2", at=GIVEN - timedelta(minutes=2))
        for i in range(3):
            _give(s, policy, f"cid:{i}", at=GIVEN + timedelta(minutes=i))
        _give(s, policy, "cid:no", action="refused")
    until = GIVEN + timedelta(days=180)
    with transaction(sm) as s:
        assert state.expire_due(s, policy, at=until - timedelta(microseconds=1)) == 0
        assert (
            state.effective(
                state.get(s, "cid:0", "cookie.marketing"), until - timedelta(microseconds=1)
            )
            == "given"
        )
        assert state.effective(state.get(s, "cid:0", "cookie.marketing"), until) == "expired"
        # On the instant itself the first is due; a limit of 1 takes the oldest only.
        assert state.expire_due(s, policy, at=until, limit=1) == 1
        assert state.get(s, "cid:0", "cookie.marketing").state == "expired"  # type: ignore[union-attr]
        assert state.get(s, "cid:1", "cookie.marketing").state == "given"  # type: ignore[union-attr]
        later = until + timedelta(minutes=5)
        assert state.expire_due(s, policy, at=later, limit=1) == 1
        assert state.get(s, "cid:1", "cookie.marketing").state == "expired"  # type: ignore[union-attr]
        assert state.get(s, "cid:2", "cookie.marketing").state == "given"  # type: ignore[union-attr]
        assert state.expire_due(s, policy, at=later) == 1
        assert state.expire_due(s, policy, at=later) == 0
        last = state.history(s, "cid:2", "cookie.marketing")[-1]
        assert (last.action, last.method, last.recorded_by) == (
            "expired",
            "system",
            "steward:expiry",
        )
        assert as_utc(last.at) == later  # dated at the sweep's instant, not the clock's
        assert [e.action for e in state.history(s, "cid:2")] == ["given", "given", "expired"]
        assert state.get(s, "cid:no", "cookie.marketing").state == "refused"  # type: ignore[union-attr]
        assert state.mismatches(s) == []


def test_states_of_many_subjects_cross_chunks(sqlite_engine, policy):  # type: ignore[no-untyped-def]
    sm = make_sessionmaker(sqlite_engine)
    refs = [f"cid:{i:04d}" for i in range(1203)]
    with transaction(sm) as s:
        for ref in refs[::2]:
            _give(s, policy, ref)
        _give(s, policy, "cid:0000", purpose="cookie.analytics")
        _give(s, policy, "cid:not-asked")  # a subject outside the list is not returned
    with transaction(sm) as s:
        found = state.for_subjects(s, refs, "cookie.marketing")
        assert sorted(found) == refs[::2]
        assert {r.purpose for r in found.values()} == {"cookie.marketing"}
        assert set(state.for_subjects(s, refs, "cookie.analytics")) == {"cid:0000"}


def test_every_disagreement_between_state_and_log_is_reported(sqlite_engine, policy):  # type: ignore[no-untyped-def]
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        a = _give(s, policy, "cid:a")
        b = _give(s, policy, "cid:b")
        c = _give(s, policy, "cid:c")
        d = _give(s, policy, "cid:d")
    with transaction(sm) as s:
        assert state.mismatches(s) == []
        # A state that is not the newest event's decision, and one pointing at an older event.
        s.execute(
            update(ConsentState)
            .where(ConsentState.subject_ref == "cid:b")
            .values(state="withdrawn")
        )
        s.execute(
            update(ConsentState).where(ConsentState.subject_ref == "cid:c").values(event_seq=a.seq)
        )
        # A state row whose event is gone from the log.
        s.execute(delete(ConsentEvent).where(ConsentEvent.seq == d.seq))
    with transaction(sm) as s:
        assert state.mismatches(s) == [
            ("cid:b", "cookie.marketing", b.seq),
            ("cid:c", "cookie.marketing", c.seq),
            ("cid:d", "cookie.marketing", d.seq),
        ]


def test_a_subjects_states_are_its_own_newest_decisions(sqlite_engine, policy):  # type: ignore[no-untyped-def]
    """Hand-written sequences and the state each must leave: the newest decision per purpose,
    so a withdrawal after a consent reads as withdrawn (GDPR Art. 7(3)) and a consent given
    again after a withdrawal reads as given; another subject's decisions are not mixed in."""
    sm = make_sessionmaker(sqlite_engine)
    day = timedelta(days=1)
    with transaction(sm) as s:
        _give(s, policy, "cid:anna", "cookie.marketing", at=GIVEN)
        _give(s, policy, "cid:anna", "cookie.marketing", at=GIVEN + day, action="withdrawn")
        _give(s, policy, "cid:anna", "cookie.analytics", at=GIVEN, action="withdrawn")
        _give(s, policy, "cid:anna", "cookie.analytics", at=GIVEN + day)
        _give(s, policy, "cid:bo", "cookie.preferences", at=GIVEN)
        _give(s, policy, "cid:bo", "cookie.marketing", at=GIVEN + 2 * day)
    with transaction(sm) as s:
        anna = state.for_subject(s, "cid:anna")
        assert {k: (v.subject_ref, v.state) for k, v in anna.items()} == {
            "cookie.marketing": ("cid:anna", "withdrawn"),
            "cookie.analytics": ("cid:anna", "given"),
        }
        assert {k: v.state for k, v in state.for_subject(s, "cid:bo").items()} == {
            "cookie.preferences": "given",
            "cookie.marketing": "given",
        }
        assert state.for_subject(s, "cid:nobody") == {}


def test_purposes_removed_from_the_policy_are_not_expired(sqlite_engine, policy):  # type: ignore[no-untyped-def]
    """A cookie category dropped from the policy keeps its history untouched: the expiry sweep
    passes over its due consents and still expires those of the purposes that remain."""
    cookies = policy.consent.cookies
    without = policy.model_copy(
        update={
            "consent": policy.consent.model_copy(
                update={
                    "cookies": cookies.model_copy(
                        update={
                            "categories": [c for c in cookies.categories if c.key != "marketing"]
                        }
                    )
                }
            )
        }
    )
    purposes = [
        p.model_copy(update={"valid_months": 1}) if p.key == "newsletter" else p
        for p in without.consent.purposes
    ]
    without = without.model_copy(
        update={"consent": without.consent.model_copy(update={"purposes": purposes})}
    )
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        _give(s, policy, "cid:gone", "cookie.marketing")  # valid to 9 July 2026, 08:00
        _give(s, without, "acct:1", "newsletter")  # valid to 10 February 2026, 08:00
    with transaction(sm) as s:
        assert state.expire_due(s, without, at=datetime(2026, 8, 1, tzinfo=UTC)) == 1
        assert [e.action for e in state.history(s, "acct:1")] == ["given", "expired"]
        assert [e.action for e in state.history(s, "cid:gone")] == ["given"]
        assert state.get(s, "cid:gone", "cookie.marketing").state == "given"  # type: ignore[union-attr]


def test_every_due_consent_expires_in_committed_batches(sqlite_engine, policy):  # type: ignore[no-untyped-def]
    """Seven due consents, batches of three: three transactions (3, 3, 1), all seven expired,
    the one still valid untouched; run again, nothing is left to do."""
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        for i in range(7):
            _give(s, policy, f"cid:{i}", at=GIVEN + timedelta(minutes=i))
        _give(s, policy, "cid:late", at=GIVEN + timedelta(days=30))
    at = GIVEN + timedelta(days=181)
    commits: list[int] = []

    def committed(_conn: object) -> None:
        commits.append(1)

    event.listen(sqlite_engine, "commit", committed)
    try:
        assert state.expire_all_due(sm, policy, at=at, batch=3) == 7
    finally:
        event.remove(sqlite_engine, "commit", committed)
    assert len(commits) == 3
    with transaction(sm) as s:
        states = {r.subject_ref: r.state for r in s.scalars(select(ConsentState))}
    assert states == {**{f"cid:{i}": "expired" for i in range(7)}, "cid:late": "given"}
    assert state.expire_all_due(sm, policy, at=at, batch=3) == 0
