"""Jobs on Redis executed by a separate `steward worker` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import IN_CI
from tests.retention import company as co
from tests.retention.test_sweep import fill_recruiting

from steward.config import Settings
from steward.jobs.worker import build
from steward.store.db import make_engine
from steward.store.migrate import upgrade_engine

REDIS_URL = os.environ.get("STEWARD_TEST_REDIS", "redis://127.0.0.1:6379/13")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as err:
        msg = f"Redis is not reachable: {err}"
        if IN_CI:
            pytest.fail(msg + " (CI=true: servers must be running)")
        pytest.skip(msg)


@pytest.mark.redis
def test_worker_process_runs_a_retention_sweep(tmp_path: Path) -> None:
    _redis_or_skip()
    company = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(company).dispose()
    fill_recruiting(company)
    store_url = f"sqlite:///{tmp_path / 'steward.db'}"
    store = make_engine(store_url)
    upgrade_engine(store)
    policy = co.write_policy(tmp_path / "policy", company)
    # A queue name of our own, so that nothing else on this Redis takes the task.
    jobs_url = REDIS_URL
    env = {**os.environ, "STEWARD_DATABASE_URL": store_url, "STEWARD_POLICY": str(policy),
           "STEWARD_DATA_DIR": str(tmp_path / "var"), "STEWARD_SECRET_KEY": "k" * 40,
           "STEWARD_JOBS_URL": jobs_url, "STEWARD_JOBS_NAME": f"test-{uuid.uuid4().hex[:8]}"}
    settings = Settings(database_url=store_url, policy=policy, data_dir=tmp_path / "var",
                        jobs_url=jobs_url, jobs_name=env["STEWARD_JOBS_NAME"])
    tasks = build(settings)
    worker = subprocess.Popen(
        [sys.executable, "-c", "from steward.cli import main; main()", "worker",
         "--workers", "1", "--no-periodic"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        result = tasks.retention_sweep("job_applications")
        [summary] = result.get(blocking=True, timeout=60)
        assert summary["status"] == "done" and summary["counts"]["applications"] == 3
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        tasks.huey.storage.flush_all()
    with store.connect() as c:
        pid = c.execute(sa.text("SELECT actor FROM retention_runs")).scalar_one()
    assert pid == "jobs"
    assert co.ids(sa.create_engine(company), co.applications) == {4}
    store.dispose()
