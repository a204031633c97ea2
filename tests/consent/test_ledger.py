"""The ledger and its current state on SQLite and PostgreSQL, including concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select, text, update
from tests.consent.conftest import SECRET

from steward.consent import ledger, state
from steward.consent.purposes import resolve
from steward.consent.snapshots import purpose_notice
from steward.consent.subjects import email_ref
from steward.consent.tables import ConsentEvent, ConsentSnapshot, ConsentState
from steward.store.db import make_sessionmaker, transaction


def _give(s, policy, ref, key="newsletter", action="given", **kw):
    return ledger.record(s, policy, subject_ref=ref, purpose=resolve(policy, key), action=action,
                         method="test", recorded_by="test",
                         notice=purpose_notice(policy, key, "en"), **kw)


def test_events_state_and_supersedes(engine, policy):
    sm = make_sessionmaker(engine)
    ref = email_ref(SECRET, "Alice.Lund@Example.com")
    assert ref == email_ref(SECRET, "alice.lund@example.com")
    with transaction(sm) as s:
        first = _give(s, policy, ref, ip_address="192.0.2.7")
    with transaction(sm) as s:
        second = _give(s, policy, ref, action="withdrawn")
    with transaction(sm) as s:
        st = state.get(s, ref, "newsletter")
        assert st.state == "withdrawn" and st.event_id == second.event_id
        evs = state.history(s, ref)
        assert [e.action for e in evs] == ["given", "withdrawn"]
        assert evs[1].supersedes == first.event_id
        assert evs[0].ip_address is None  # policy.consent.store_ip_addresses is false
        assert "alice" not in (evs[0].subject_ref + (evs[0].evidence_ref or ""))
        snap = s.get(ConsentSnapshot, evs[0].snapshot_sha256)
        assert "newsletter" in snap.content and snap.language == "en"
        assert ledger.verify(s).ok


def test_validity_expires(engine, policy):
    sm = make_sessionmaker(engine)
    past = datetime.now(UTC) - timedelta(days=400)
    with transaction(sm) as s:
        ledger.record(s, policy, subject_ref="cid:00000000-0000-4000-8000-000000000001",
                      purpose=resolve(policy, "cookie.marketing"), action="given",
                      method="test", recorded_by="test", at=past)
    with transaction(sm) as s:
        st = state.get(s, "cid:00000000-0000-4000-8000-000000000001", "cookie.marketing")
        assert state.effective(st) == "expired"  # valid_days 180 in the policy
        assert state.expire_due(s, policy) == 1
        assert state.expire_due(s, policy) == 0
        assert ledger.verify(s).ok


def test_valid_months_are_calendar_months(engine, policy):
    """valid_months counts calendar months and clamps to the month's end (Reg. 1182/71
    Art. 3(2)(c), via steward.legal.periods.add_months), not 30-day blocks."""
    purposes = [p.model_copy(update={"valid_months": 1}) if p.key == "newsletter" else p
                for p in policy.consent.purposes]
    monthly = policy.model_copy(update={"consent": policy.consent.model_copy(
        update={"purposes": purposes})})
    info = resolve(monthly, "newsletter")
    at = datetime(2028, 1, 31, 9, 30, tzinfo=UTC)
    assert info.valid_until(at) == datetime(2028, 2, 29, 9, 30, tzinfo=UTC)  # leap year
    assert info.valid_until(datetime(2027, 1, 31, tzinfo=UTC)) == datetime(2027, 2, 28,
                                                                          tzinfo=UTC)
    assert info.valid_until(datetime(2027, 3, 15, tzinfo=UTC)) == datetime(2027, 4, 15,
                                                                          tzinfo=UTC)
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        ev = ledger.record(s, monthly, subject_ref="acct:31", purpose=info, action="given",
                           method="test", recorded_by="test", at=at)
    with transaction(sm) as s:
        st = state.get(s, "acct:31", "newsletter")
        assert state.effective(st, datetime(2028, 2, 29, 9, 29, tzinfo=UTC)) == "given"
        assert state.effective(st, datetime(2028, 2, 29, 9, 30, tzinfo=UTC)) == "expired"
        assert state.expire_due(s, monthly, at=datetime(2028, 3, 1, tzinfo=UTC)) == 1
        assert state.history(s, "acct:31")[-1].supersedes == ev.event_id
        assert ledger.verify(s).ok


def test_concurrent_writers_agree_with_log(engine, policy):
    sm = make_sessionmaker(engine)
    ref = email_ref(SECRET, "race@example.com")
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for j in range(8):
                with transaction(sm) as s:
                    _give(s, policy, ref, action="given" if (i + j) % 2 else "withdrawn")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with transaction(sm) as s:
        events = state.history(s, ref, "newsletter")
        assert len(events) == 48
        st = state.get(s, ref, "newsletter")
        assert st.event_seq == events[-1].seq and st.state == events[-1].action
        # every event supersedes the one before it: no two writers read the same state
        assert [e.supersedes for e in events[1:]] == [e.event_id for e in events[:-1]]
        assert ledger.verify(s).ok


def test_verify_names_an_edited_row(engine, policy):
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        for n in range(3):
            _give(s, policy, f"acct:{n}")
    with transaction(sm) as s:
        seq = s.scalar(select(ConsentEvent.seq).where(ConsentEvent.subject_ref == "acct:1"))
        s.execute(update(ConsentEvent).where(ConsentEvent.seq == seq).values(action="refused"))
    with transaction(sm) as s:
        v = ledger.verify(s)
        assert not v.ok and v.first_broken == seq and "hash" in v.reason


def test_verify_catches_state_drift(engine, policy):
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        _give(s, policy, "acct:7")
    with transaction(sm) as s:
        s.execute(update(ConsentState).values(state="refused"))
    with transaction(sm) as s:
        v = ledger.verify(s)
        assert not v.ok and "disagree" in v.reason


def test_deleted_tail_is_detected(engine, policy):
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        _give(s, policy, "acct:1")
        _give(s, policy, "acct:2")
    with transaction(sm) as s:
        s.execute(text("DELETE FROM consent_state WHERE subject_ref = 'acct:2'"))
        s.execute(text("DELETE FROM consent_events WHERE subject_ref = 'acct:2'"))
    with transaction(sm) as s:
        v = ledger.verify(s)
        assert not v.ok and "head records 2" in v.reason


def test_a_decision_given_with_a_time_in_another_zone_is_stored_in_utc(engine, policy):
    """SQLite keeps a time's wall clock and drops its zone: a decision recorded at 10:00+02:00
    must be stored as 08:00 UTC, the time its hash covers, or the ledger would read it back as
    tampered with."""
    sm = make_sessionmaker(engine)
    ref = email_ref(SECRET, "zone@example.com")
    at = datetime(2026, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    with transaction(sm) as s:
        _give(s, policy, ref, at=at)
    with transaction(sm) as s:
        [stored] = s.scalars(select(ConsentEvent.at).where(ConsentEvent.subject_ref == ref))
        assert stored.replace(tzinfo=None) == datetime(2026, 6, 1, 8, 0)
        assert ledger.verify(s).ok
