"""The start-date gate's answers kept in the process: a change to an announcement made here is
seen by the very next check, the start date still passes exactly when it should, and a change
made by another process is seen once the kept rows are older than `CACHE_SECONDS`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, text
from tests.consent.conftest import SECRET

from steward.consent import checks, ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.policy.models import Policy
from steward.publication import announcements, gate
from steward.publication.tables import Announcement, PolicyVersion
from steward.store.db import make_reader, make_sessionmaker, transaction

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ANN = "ann@example.com"


def _check(reader: Engine, policy: Policy, at: datetime) -> checks.CheckResult:
    with reader.connect() as conn:  # the API's hot path: a plain connection
        return checks.check(conn, policy, ANN, "newsletter", secret=SECRET, at=at)


def test_a_change_here_is_seen_at_once_and_time_still_counts(engine: Engine,
                                                            policy: Policy) -> None:
    sm = make_sessionmaker(engine)
    reader = make_reader(engine)  # one per app, as the API keeps it: the cache is per engine
    with transaction(sm) as s:
        ledger.record(s, policy, subject_ref=email_ref(SECRET, ANN),
                      purpose=resolve(policy, "newsletter"), action="given", method="test",
                      recorded_by="test")
    assert _check(reader, policy, NOW).allowed  # kept: no announcement for "marketing"
    with transaction(sm) as s:
        v = PolicyVersion(policy_id="p", version="2", effective=NOW.date(), sha256="a" * 64,
                          published_at=NOW, document="{}")
        s.add(v)
        s.flush()
        ann = Announcement(version_id=v.id, purpose="marketing", change="added", details="",
                           status="planned", notice_days=30, created_at=NOW, all_on_time=False,
                           subjects=0, without_address=0)
        s.add(ann)
    r = _check(reader, policy, NOW)
    assert not r.allowed and r.basis["kind"] == "not_yet" and r.basis["starts_at"] is None
    with transaction(sm) as s:
        announcements.start(s, ann.id, actor="officer@example.com", now=NOW)
    starts = NOW + timedelta(days=30)
    r = _check(reader, policy, NOW)  # the start date fixed by start() shows at once
    assert not r.allowed and r.basis["starts_at"] == starts.isoformat()
    with transaction(sm) as s:
        s.get(Announcement, ann.id).status, s.get(Announcement, ann.id).all_on_time = "sent", True
    # the kept rows answer for any time asked about: blocked before the date, allowed after
    assert _check(reader, policy, starts - timedelta(seconds=1)).basis["kind"] == "not_yet"
    after = _check(reader, policy, starts)
    assert after.allowed and after.basis["kind"] == "consent"
    # a rolled-back change leaves the answer as committed
    with pytest.raises(RuntimeError), transaction(sm) as s:
        s.get(Announcement, ann.id).status = "planned"
        s.flush()
        raise RuntimeError("abandoned")
    assert _check(reader, policy, starts).allowed


def test_another_process_is_seen_after_the_cache_time(engine: Engine, policy: Policy,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    sm = make_sessionmaker(engine)
    reader = make_reader(engine)  # one per app, as the API keeps it: the cache is per engine
    with transaction(sm) as s:
        ledger.record(s, policy, subject_ref=email_ref(SECRET, ANN),
                      purpose=resolve(policy, "newsletter"), action="given", method="test",
                      recorded_by="test")
        s.add(PolicyVersion(id=7, policy_id="p", version="2", effective=NOW.date(),
                            sha256="b" * 64, published_at=NOW, document="{}"))
    assert _check(reader, policy, NOW).allowed
    # Another process (its own engine, plain SQL: no event reaches this one) plans an
    # announcement of the purpose the newsletter serves.
    other = create_engine(engine.url)
    with other.begin() as c:
        c.execute(text("INSERT INTO announcements (id, version_id, purpose, change, details, "
                       "status, notice_days, created_at, all_on_time, subjects, "
                       "without_address) VALUES (1, 7, 'marketing', 'added', '', 'planned', "
                       "30, :at, :f, 0, 0)"), {"at": NOW, "f": False})
    other.dispose()
    assert _check(reader, policy, NOW).allowed  # the kept answer, younger than the cache time
    monkeypatch.setattr(gate, "CACHE_SECONDS", 0.0)
    assert _check(reader, policy, NOW).basis["kind"] == "not_yet"
