"""`kill -9` in the middle of `steward retention run` on PostgreSQL and MariaDB company
databases (Steward's store on PostgreSQL), then a restart; the result is compared with an
uninterrupted run of the same sweep over an identical twin: the same rows remain (a checksum
of every remaining row), every expired row was counted exactly once, and the batches add up.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.retention import company as co

from steward.store.db import make_engine
from steward.store.migrate import upgrade_engine

EXPIRED, KEPT = 20_000, 10_000
BATCH = "300"


def _fresh(server: str) -> Iterator[Callable[[], str]]:
    """A factory of empty databases on `server`, all dropped afterwards."""
    base, _, rest = server.rpartition("/")
    query = "?" + rest.split("?", 1)[1] if "?" in rest else ""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    made: list[str] = []
    quote = '"' if admin.dialect.name == "postgresql" else "`"

    def make() -> str:
        name = f"k_{uuid.uuid4().hex[:12]}"
        with admin.connect() as c:
            c.execute(sa.text(f"CREATE DATABASE {quote}{name}{quote}"))
        made.append(name)
        return f"{base}/{name}{query}"

    yield make
    with admin.connect() as c:
        for name in made:
            force = " WITH (FORCE)" if quote == '"' else ""
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {quote}{name}{quote}{force}"))
    admin.dispose()


@pytest.fixture(params=["postgres", "mariadb"])
def company_dbs(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    server = request.getfixturevalue(
        "pg_server_url" if request.param == "postgres" else "mariadb_server_url")
    yield from _fresh(server)


@pytest.fixture
def store_dbs(pg_server_url: str) -> Iterator[Callable[[], str]]:
    yield from _fresh(pg_server_url)


def _fill(url: str) -> None:
    eng = co.create(url)
    recent = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=10)
    old = datetime(2024, 1, 15, 10, 0)
    rows = [{"id": i, "name": f"Applicant {i}", "email": f"p{i}@example.com",
             "process_ended_at": recent if i % 3 == 0 else old}
            for i in range(1, EXPIRED + KEPT + 1)]
    with eng.begin() as c:
        for start in range(0, len(rows), 5000):
            c.execute(co.applications.insert(), rows[start:start + 5000])
    eng.dispose()


def _checksum(url: str) -> tuple[int, str]:
    eng = sa.create_engine(url)
    with eng.connect() as c:
        rows = c.execute(sa.select(co.applications.c.id, co.applications.c.name,
                                   co.applications.c.email)
                         .order_by(co.applications.c.id)).all()
    eng.dispose()
    digest = hashlib.sha256("\n".join(f"{i}|{n}|{e}" for i, n, e in rows).encode())
    return len(rows), digest.hexdigest()


def _env(tmp: Path, store: str, company: str) -> dict[str, str]:
    policy = co.write_policy(tmp / "policy", company)
    return {**os.environ, "STEWARD_DATABASE_URL": store, "STEWARD_POLICY": str(policy),
            "STEWARD_DATA_DIR": str(tmp / "var"), "STEWARD_SECRET_KEY": "k" * 40}


def _run(env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from steward.cli import main; main()", "retention", "run",
         "--rule", "job_applications", "--batch", BATCH, *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _store(url: str) -> sa.Engine:
    eng = make_engine(url)
    upgrade_engine(eng)
    return eng


@pytest.mark.slow
def test_kill_9_mid_sweep_matches_an_uninterrupted_run(
    company_dbs: Callable[[], str], store_dbs: Callable[[], str], tmp_path: Path
) -> None:
    killed_company, twin_company = company_dbs(), company_dbs()
    killed_store, twin_store = store_dbs(), store_dbs()
    for url in (killed_company, twin_company):
        _fill(url)
    assert _checksum(killed_company) == _checksum(twin_company)

    # The uninterrupted run, for comparison.
    _store(twin_store).dispose()
    twin = _run(_env(tmp_path / "twin", twin_store, twin_company), "--json")
    out, err = twin.communicate(timeout=600)
    assert twin.returncode == 0, err
    assert json.loads(out)[0]["counts"]["applications"] == EXPIRED

    store = _store(killed_store)
    env = _env(tmp_path / "killed", killed_store, killed_company)

    def done_batches() -> int:
        with store.connect() as c:
            return int(c.execute(sa.text(
                "SELECT count(*) FROM retention_batches WHERE status = 'done'")).scalar_one())

    proc = _run(env)
    deadline = time.monotonic() + 300
    while done_batches() < 5:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    with store.connect() as c:
        assert c.execute(sa.text("SELECT status FROM retention_runs")).scalar_one() == "running"
    left, _ = _checksum(killed_company)
    assert KEPT < left < EXPIRED + KEPT  # killed half-way

    again = _run(env, "--json")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    [result] = json.loads(out)
    assert result["status"] == "done" and result["counts"]["applications"] == EXPIRED
    # The same rows remain as after the uninterrupted run, to the byte.
    assert _checksum(killed_company) == _checksum(twin_company)
    assert _checksum(killed_company)[0] == KEPT
    with store.connect() as c:
        nos = [r[0] for r in c.execute(sa.text(
            "SELECT batch_no FROM retention_batches ORDER BY batch_no"))]
        counts = [json.loads(r[0]) for r in c.execute(sa.text(
            "SELECT counts FROM retention_batches"))]
        ok = c.execute(sa.text("SELECT count(*) FROM audit_events WHERE action = "
                               "'retention.run_completed'")).scalar_one()
    assert nos == list(range(1, len(nos) + 1))
    assert sum(c["applications"] for c in counts) == EXPIRED  # each row counted once
    assert ok == 1
    store.dispose()
