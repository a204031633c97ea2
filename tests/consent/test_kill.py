"""`kill -9` of a process writing consent decisions, on SQLite and PostgreSQL stores (the
consent ledger runs on these two). After the kill the ledger holds a whole prefix of the
decisions, its chain verifies, and once the writer resumes from where the ledger stands, the
decisions and the current state match an uninterrupted run exactly (checksums)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from steward.consent import ledger
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 900


def _writer(url: str, start: int, stop: int, pause: float = 0.0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.consent.kill_writer", url,
                             str(start), str(stop), str(pause)], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _count(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(sa.text("SELECT count(*) FROM consent_events")).scalar_one())


def _checksums(engine: Engine) -> tuple[str, str]:
    """(the decisions in order, the current state), without ids, times or hashes."""
    with engine.connect() as c:
        events = c.execute(sa.text(
            "SELECT subject_ref, purpose, action FROM consent_events ORDER BY seq")).all()
        states = c.execute(sa.text(
            "SELECT subject_ref, purpose, state FROM consent_state "
            "ORDER BY subject_ref, purpose")).all()
    return (hashlib.sha256(repr([tuple(r) for r in events]).encode()).hexdigest(),
            hashlib.sha256(repr([tuple(r) for r in states]).encode()).hexdigest())


def _verify(engine: Engine) -> ledger.Verdict:
    with transaction(make_sessionmaker(engine)) as s:
        return ledger.verify(s)


def test_kill_9_mid_consent_writes(engine: Engine, store_url: str, tmp_path: Path) -> None:
    twin = make_engine(f"sqlite:///{tmp_path / 'twin.db'}")
    upgrade_engine(twin)
    full = _writer(twin.url.render_as_string(hide_password=False), 0, TOTAL)
    _, err = full.communicate(timeout=600)
    assert full.returncode == 0, err

    url = engine.url.render_as_string(hide_password=False)
    # Paced past the first third: the run finished before the kill once on a loaded machine.
    proc = _writer(url, 0, TOTAL, pause=0.005)
    deadline = time.monotonic() + 300
    while _count(engine) < TOTAL // 3:
        assert proc.poll() is None, "the writer ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    written = _count(engine)
    assert TOTAL // 3 <= written < TOTAL  # killed half-way
    verdict = _verify(engine)
    assert verdict.ok and verdict.checked == written, verdict  # a whole prefix, chain intact

    again = _writer(url, written, TOTAL)  # resume where the ledger stands
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert _count(engine) == TOTAL
    assert _verify(engine).ok
    assert _checksums(engine) == _checksums(twin)
    twin.dispose()
