"""`steward serve` runs the job consumer in-process (SQLite storage) through the app lifespan."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.helpers import settings_for
from tests.retention import company as co
from tests.retention.test_sweep import fill_recruiting

from steward.web.app import create_app


def test_app_lifespan_runs_jobs_in_process(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    settings = settings_for(sqlite_engine, tmp_path, policy=co.write_policy(tmp_path / "p", url))
    app = create_app(settings, engine=sqlite_engine)
    with TestClient(app, base_url="https://testserver"):
        tasks = app.state.extras["jobs"]
        assert (tmp_path / "var" / "jobs.db").exists()
        [summary] = tasks.retention_sweep("job_applications").get(blocking=True, timeout=30)
        assert summary["status"] == "done" and summary["counts"]["applications"] == 3
    assert co.ids(sa.create_engine(url), co.applications) == {4}
