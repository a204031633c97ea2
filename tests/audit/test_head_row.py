"""The head row and the time of an event: a deleted head row is reported by the verifier and stops
appends with the fix spelled out; an event appended without a time is stamped with the current
time in UTC; a time given in another zone is hashed as its UTC wall time."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.audit.tables import GENESIS, AuditEvent, AuditHead
from steward.store.db import transaction


def _fill(sm: sessionmaker[Session], n: int) -> None:
    for i in range(n):
        with transaction(sm) as s:
            audit.append(s, actor="user:3", action="dsr.note_added", details={"i": i})


def test_a_deleted_head_row_is_reported(sm: sessionmaker[Session]) -> None:
    _fill(sm, 3)
    with transaction(sm) as s:
        s.execute(delete(AuditHead))
    with transaction(sm) as s:
        v = audit.verify(s)
    assert (v.ok, v.checked, v.first_broken, v.reason) == (
        False,
        3,
        4,
        "the head records 0 events, found 3",
    )


def test_appending_without_a_head_row_names_the_fix(sm: sessionmaker[Session]) -> None:
    with transaction(sm) as s:
        s.execute(delete(AuditHead))
    with pytest.raises(RuntimeError) as err, transaction(sm) as s:
        audit.append(s, actor="user:3", action="dsr.note_added")
    assert str(err.value) == "the audit head row is missing: run `steward db upgrade`"
    with transaction(sm) as s:
        assert s.query(AuditEvent).count() == 0


def test_an_event_without_a_time_is_stamped_now_in_utc(sm: sessionmaker[Session]) -> None:
    before = datetime.now(UTC)
    with transaction(sm) as s:
        ev = audit.append(s, actor="user:3", action="dsr.note_added")
    after = datetime.now(UTC)
    assert ev.at.utcoffset() == timedelta(0)
    assert before <= ev.at <= after
    with transaction(sm) as s:
        assert audit.verify(s).ok


@pytest.fixture(params=["UTC", "America/New_York"])
def server_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The server's own time zone, which must not change what is stored or hashed."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_a_time_in_another_zone_is_hashed_as_its_utc_wall_time(
    sm: sessionmaker[Session], server_zone: str
) -> None:
    # 10:30 in UTC+01:00 is 09:30 UTC; the hash is written out by hand over the documented parts.
    at = datetime(2026, 3, 1, 10, 30, 0, 250000, tzinfo=timezone(timedelta(hours=1)))
    expected = hashlib.sha256(
        "\x1f".join(
            [GENESIS, "1", "2026-03-01T09:30:00.250000", "user:3", "dsr.note_added", "", "{}"]
        ).encode()
    ).hexdigest()
    with transaction(sm) as s:
        ev = audit.append(s, actor="user:3", action="dsr.note_added", at=at)
    assert ev.hash == expected
    with transaction(sm) as s:
        assert s.get_one(AuditEvent, 1).hash == expected
        assert audit.verify(s).ok


def test_an_empty_log_without_a_head_row_verifies_as_empty(sm: sessionmaker[Session]) -> None:
    # Nothing recorded and no head row: nothing to check, and nothing to crash on either
    # (`steward audit verify` reports it instead of stopping with a traceback).
    with transaction(sm) as s:
        s.execute(delete(AuditHead))
    with transaction(sm) as s:
        v = audit.verify(s)
    assert (v.ok, v.checked, v.first_broken, v.reason) == (True, 0, None, None)
