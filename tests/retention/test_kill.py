"""`kill -9` in the middle of `steward retention run`, then a restart: every expired row is
deleted exactly once, no unexpired row is touched, and the evidence adds up."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.retention import company as co

from steward.store.db import make_engine
from steward.store.migrate import upgrade_engine

EXPIRED, KEPT = 100_000, 50_000


def _steward(env: dict[str, str], *args: str, quiet: bool = False) -> subprocess.Popen[str]:
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen([sys.executable, "-c", "from steward.cli import main; main()", *args],
                            env=env, stdout=out, stderr=out, text=True)


@pytest.mark.slow
def test_kill_9_mid_run_then_resume(tmp_path: Path) -> None:
    company_db = tmp_path / "company.db"
    co.create(f"sqlite:///{company_db}").dispose()
    # The CLI sweeps as of the real today: the kept rows ended ten days ago (inside their
    # three months whatever the date), the expired ones long ago.
    recent = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%d 10:00:00.000000")
    with closing(sqlite3.connect(company_db)) as c, c:
        # Every third row is still inside its three months; the rest expired long ago.
        c.executemany(
            "INSERT INTO applications (id, email, process_ended_at) VALUES (?, ?, ?)",
            ((i, f"p{i}@example.com",
              recent if i % 3 == 0 else "2024-01-15 10:00:00.000000")
             for i in range(1, EXPIRED + KEPT + 1)))
    kept = {i for i in range(1, EXPIRED + KEPT + 1) if i % 3 == 0}
    assert len(kept) == KEPT
    store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    store = make_engine(store_url)
    upgrade_engine(store)
    policy = co.write_policy(tmp_path / "policy", f"sqlite:///{company_db}")
    env = {**os.environ, "STEWARD_DATABASE_URL": store_url, "STEWARD_POLICY": str(policy),
           "STEWARD_DATA_DIR": str(tmp_path / "var"), "STEWARD_SECRET_KEY": "k" * 40}

    def done_batches() -> int:
        with store.connect() as c:
            return int(c.execute(sa.text(
                "SELECT count(*) FROM retention_batches WHERE status = 'done'")).scalar_one())

    proc = _steward(env, "retention", "run", "--rule", "job_applications", "--batch", "400",
                    quiet=True)
    deadline = time.monotonic() + 120
    while done_batches() < 5:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with store.connect() as c:
        status = c.execute(sa.text("SELECT status FROM retention_runs")).scalar_one()
    assert status == "running"  # killed mid-run, not finished
    with closing(sqlite3.connect(company_db)) as c, c:
        left = c.execute("SELECT count(*) FROM applications").fetchone()[0]
    assert KEPT < left < EXPIRED + KEPT

    again = _steward(env, "retention", "run", "--rule", "job_applications", "--batch", "400",
                     "--json")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    [result] = json.loads(out)
    assert result["status"] == "done"
    assert result["counts"]["applications"] == EXPIRED  # the evidence: each row counted once
    with closing(sqlite3.connect(company_db)) as c, c:
        remaining = {r[0] for r in c.execute("SELECT id FROM applications")}
        untouched = c.execute("SELECT count(*) FROM applications WHERE email = 'p' || id || "
                              "'@example.com'").fetchone()[0]
    assert remaining == kept and untouched == KEPT
    with store.connect() as c:
        runs = c.execute(sa.text("SELECT id, status, attempts FROM retention_runs")).all()
        nos = [r[0] for r in c.execute(sa.text(
            "SELECT batch_no FROM retention_batches ORDER BY batch_no"))]
        counts = [json.loads(r[0]) for r in c.execute(sa.text(
            "SELECT counts FROM retention_batches"))]
        events = c.execute(sa.text(
            "SELECT details FROM audit_events WHERE action = 'retention.run_completed'")).all()
    assert len(runs) == 1 and runs[0][1] == "done" and runs[0][2] == 2
    assert nos == list(range(1, len(nos) + 1))
    assert sum(c["applications"] for c in counts) == EXPIRED
    assert len(events) == 1 and json.loads(events[0][0])["counts"]["applications"] == EXPIRED
    store.dispose()
