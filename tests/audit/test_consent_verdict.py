"""The consent ledger's chain goes through the same verifier as the audit log; its events carry a
consent record id, and the verdict names the broken event by it too (`steward consent verify`
prints it), for an edited event and for a broken link."""

from __future__ import annotations

from sqlalchemy import Engine, update
from tests.consent.conftest import PROMARK

from steward.consent import ledger
from steward.consent.purposes import resolve
from steward.consent.snapshots import purpose_notice
from steward.consent.tables import ConsentEvent
from steward.policy.loader import load_policy
from steward.store.db import make_sessionmaker, transaction


def test_the_verdict_names_the_broken_consent_record(sqlite_engine: Engine) -> None:
    policy = load_policy(PROMARK)
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        ids = [
            ledger.record(
                s,
                policy,
                subject_ref=f"acct:{n}",
                purpose=resolve(policy, "newsletter"),
                action="given",
                method="test",
                recorded_by="test",
                notice=purpose_notice(policy, "newsletter", "en"),
            ).event_id
            for n in range(3)
        ]
    with transaction(sm) as s:
        v = ledger.verify(s)
    assert (v.ok, v.checked, v.event_id) == (True, 3, None)
    with transaction(sm) as s:
        s.execute(update(ConsentEvent).where(ConsentEvent.seq == 2).values(action="withdrawn"))
    with transaction(sm) as s:
        v = ledger.verify(s)
    assert (v.ok, v.first_broken, v.event_id, v.reason) == (
        False,
        2,
        ids[1],
        "event content does not match its hash",
    )
    with transaction(sm) as s:
        s.execute(update(ConsentEvent).where(ConsentEvent.seq == 3).values(prev_hash="0" * 64))
        s.execute(update(ConsentEvent).where(ConsentEvent.seq == 2).values(action="given"))
    with transaction(sm) as s:
        v = ledger.verify(s)
    assert (v.ok, v.first_broken, v.event_id, v.reason) == (
        False,
        3,
        ids[2],
        "previous-hash link does not match",
    )
