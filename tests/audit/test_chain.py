"""The audit chain: intact chains verify; any edited, removed or truncated event is named."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.audit.tables import AuditEvent
from steward.store.db import transaction


def _fill(sm: sessionmaker[Session], n: int) -> None:
    for i in range(n):
        with transaction(sm) as s:
            audit.append(
                s,
                actor="officer:1",
                action="dsr.verified",
                subject_ref=f"dsr:{i}",
                details={"step": i, "note": "æøå ✓"},
            )


def test_intact_chain_verifies(sm: sessionmaker[Session]) -> None:
    _fill(sm, 25)
    with transaction(sm) as s:
        v = audit.verify(s)
    assert v.ok and v.checked == 25 and v.first_broken is None


def test_edited_event_is_named(sm: sessionmaker[Session]) -> None:
    _fill(sm, 10)
    with transaction(sm) as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(details='{"step":99}'))
    with transaction(sm) as s:
        v = audit.verify(s)
    assert not v.ok and v.first_broken == 4 and v.checked == 3


def test_edit_with_recomputed_hash_breaks_the_next_link(sm: sessionmaker[Session]) -> None:
    _fill(sm, 6)
    with transaction(sm) as s:
        ev = s.get(AuditEvent, 2)
        assert ev is not None
        forged = audit.log.event_hash(
            ev.prev_hash, ev.seq, ev.at, "intruder", ev.action, ev.subject_ref, ev.details
        )
        s.execute(
            update(AuditEvent).where(AuditEvent.seq == 2).values(actor="intruder", hash=forged)
        )
    with transaction(sm) as s:
        v = audit.verify(s)
    assert not v.ok and v.first_broken == 3


def test_removed_event_is_named(sm: sessionmaker[Session]) -> None:
    _fill(sm, 8)
    with transaction(sm) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 5))
    with transaction(sm) as s:
        v = audit.verify(s)
    assert not v.ok and v.first_broken == 5 and "missing" in (v.reason or "")


def test_removed_tail_is_detected(sm: sessionmaker[Session]) -> None:
    _fill(sm, 8)
    with transaction(sm) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= 7))
    with transaction(sm) as s:
        v = audit.verify(s)
    assert not v.ok and v.first_broken == 7


def test_rolled_back_append_leaves_no_trace(sm: sessionmaker[Session]) -> None:
    _fill(sm, 2)
    try:
        with transaction(sm) as s:
            audit.append(s, actor="x", action="will.fail")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    _fill(sm, 1)
    with transaction(sm) as s:
        v = audit.verify(s)
        assert v.ok and v.checked == 3


def test_concurrent_appends_never_fork(engine: Engine, sm: sessionmaker[Session]) -> None:
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(15):
                with transaction(sm) as s:
                    audit.append(s, actor=f"w{k}", action="t", details={"i": i})
        except BaseException as err:  # noqa: BLE001 - surfaced below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with transaction(sm) as s:
        v = audit.verify(s)
        count = s.scalar(select(func.count(AuditEvent.seq)))
    assert v.ok and v.checked == 60 == count


def test_cli_verify_exit_codes(
    engine: Engine, sm: sessionmaker[Session], tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    _fill(sm, 3)
    env = {
        "STEWARD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "STEWARD_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    cmd = [sys.executable, "-c", "from steward.cli import main; main()", "audit", "verify"]
    ok = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "chain intact" in ok.stdout
    with engine.begin() as c:
        c.execute(text("UPDATE audit_events SET actor = 'someone else' WHERE seq = 2"))
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "broken at event 2" in bad.stderr and "Traceback" not in bad.stderr


def test_forged_last_event_with_recomputed_hash_is_detected(sm: sessionmaker[Session]) -> None:
    # The last event has no successor whose link could break: only the head row (written by
    # every append) can tell that it was rewritten after the fact.
    _fill(sm, 5)
    with transaction(sm) as s:
        ev = s.get(AuditEvent, 5)
        assert ev is not None
        forged = audit.log.event_hash(
            ev.prev_hash, ev.seq, ev.at, "intruder", ev.action, ev.subject_ref, ev.details
        )
        s.execute(
            update(AuditEvent).where(AuditEvent.seq == 5).values(actor="intruder", hash=forged)
        )
    with transaction(sm) as s:
        v = audit.verify(s)
    assert v.ok is False  # the API answers {"ok": false}, not null
    assert v.reason == "the head hash does not match the last event"
    assert v.checked == 5 and v.first_broken == 5
