"""The hourly `consent.expire` task writes an `expired` event for each lapsed consent, on SQLite
job storage, executed deterministically (`huey.execute(huey.dequeue())`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.helpers import PROMARK

from steward.config import Settings
from steward.consent import ledger, state
from steward.consent.purposes import resolve
from steward.consent.tables import ConsentEvent
from steward.jobs.huey_app import make_huey
from steward.jobs.tasks import Runtime, register
from steward.policy.loader import load_policy
from steward.store.db import make_sessionmaker, transaction

OLD = "cid:00000000-0000-4000-8000-0000000000a1"
FRESH = "cid:00000000-0000-4000-8000-0000000000a2"


def test_hourly_task_expires_lapsed_consents(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    policy = load_policy(PROMARK)
    store: sessionmaker[Session] = make_sessionmaker(sqlite_engine)
    marketing = resolve(policy, "cookie.marketing")  # valid 180 days in the ProMark policy
    with transaction(store) as s:
        for ref, days_ago in ((OLD, 200), (FRESH, 10)):
            ledger.record(s, policy, subject_ref=ref, purpose=marketing, action="given",
                          method="test", recorded_by="test",
                          at=datetime.now(UTC) - timedelta(days=days_ago))
    settings = Settings(data_dir=tmp_path / "var", secret_key="test-secret-key-0123456789")
    tasks = register(make_huey(settings), Runtime(settings, policy_=policy, sm_=store))
    assert any(t.name == "consent.expire" for t in tasks.huey._registry.periodic_tasks)

    tasks.consent_expiry()  # enqueued as the scheduler does each hour (no result is kept)
    tasks.huey.execute(tasks.huey.dequeue())
    with transaction(store) as s:
        assert state.get(s, OLD, "cookie.marketing").state == "expired"
        assert state.get(s, FRESH, "cookie.marketing").state == "given"
        last = s.scalars(sa.select(ConsentEvent).order_by(ConsentEvent.seq.desc())).first()
        assert (last.subject_ref, last.action, last.recorded_by) == (
            OLD, "expired", "steward:expiry")
        assert ledger.verify(s).ok

    assert tasks.consent_expiry.call_local() == 0  # the next hour: nothing new to expire
    with transaction(store) as s:
        assert s.scalar(sa.select(sa.func.count(ConsentEvent.seq))) == 3
