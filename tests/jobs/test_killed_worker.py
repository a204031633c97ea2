"""A worker killed mid-job leaves no request stuck "in progress": `kill -9` of a `steward worker`
process in the middle of an erasure, on a SQLite and a PostgreSQL store, with the company's
systems on SQLite, PostgreSQL and MariaDB.

The newsletter API (served for real) holds the erasure's DELETE until the test lets it go, so
the worker is caught with the SQL systems erased and the newsletter not. While it lives, a
second execution of the same request is refused (one lock across processes); once it is
killed the lock is gone with it, and the next retry finishes the request without repeating a
system.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send
from tests.connectors.servers import serve
from tests.helpers import PROMARK
from tests.requests.conftest import NEWSLETTER_TOKEN, _company
from tests.requests.test_workflow import _submit_verified

from steward.config import Settings
from steward.demo.build import drop, in_dir, on_server
from steward.demo.newsletter import newsletter_app
from steward.jobs.tasks import BUSY
from steward.jobs.worker import build
from steward.policy.loader import load_policy
from steward.requests import execute, workflow
from steward.requests.plan import close_pool
from steward.requests.tables import DsrProgress, DsrRequest
from steward.store.db import make_sessionmaker, transaction

SECRET = "k" * 40


class HeldDeletes:
    """Wraps the newsletter API: every DELETE waits until `release` is set."""

    def __init__(self, app: ASGIApp, db: Path) -> None:
        self.app = app
        self.db = db
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "DELETE":
            self.arrived.set()
            await asyncio.to_thread(self.release.wait, 120)
        await self.app(scope, receive, send)


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def company_env(request: pytest.FixtureRequest, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[
    tuple[dict[str, str], dict[str, str], HeldDeletes]
]:
    """The demo company's SQL systems on SQLite, PostgreSQL or MariaDB, and its newsletter."""
    if request.param == "sqlite":
        loc = in_dir(tmp_path / "demo")
    else:
        server = request.getfixturevalue(
            "pg_server_url" if request.param == "postgres" else "mariadb_server_url")
        tag = tmp_path.name[-8:].lower().replace("-", "_")
        loc = on_server(server.rsplit("/", 1)[0] + "/", newsletter_dir=tmp_path,
                        name_prefix=f"kw_{tag}_")
        request.addfinalizer(lambda: drop(loc))
    company = _company(loc, monkeypatch)
    held = HeldDeletes(newsletter_app(loc.newsletter_db, NEWSLETTER_TOKEN), loc.newsletter_db)
    with serve(held) as base:
        env = {**company.env, "PROMARK_NEWSLETTER_URL": f"{base}/api",
               "PROMARK_NEWSLETTER_TOKEN": NEWSLETTER_TOKEN}
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        yield env, company.who, held
        held.release.set()
        close_pool()


def _progress(sm: sessionmaker[Session]) -> list[str]:
    with transaction(sm) as s:
        return sorted(p.system for p in s.scalars(sa.select(DsrProgress)))


def test_killed_worker_leaves_no_request_stuck(
    engine: Engine, tmp_path: Path,
    company_env: tuple[dict[str, str], dict[str, str], HeldDeletes],
) -> None:
    env, who, held = company_env
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, policy=PROMARK, data_dir=tmp_path / "var",
                        secret_key=SECRET, jobs_in_process=False)
    policy = load_policy(PROMARK)
    sm = make_sessionmaker(engine)
    out = _submit_verified(sm, settings, policy, who["email"], "erasure")
    execute.prepare_plan(sm, settings, policy, out.id)
    with transaction(sm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer@steward.example")
    tasks = build(settings, sm_=sm, policy_=policy)
    tasks.execute_request(out.id)  # queued in data_dir/jobs.db, for the worker process
    worker = subprocess.Popen(
        [sys.executable, "-c", "from steward.cli import main; main()", "worker",
         "--workers", "1", "--no-periodic"],
        env={**os.environ, **env, "STEWARD_DATABASE_URL": url, "STEWARD_POLICY": str(PROMARK),
             "STEWARD_DATA_DIR": str(settings.data_dir), "STEWARD_SECRET_KEY": SECRET},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert held.arrived.wait(120), "the worker never reached the newsletter's DELETE"
        # The SQL systems are erased at the same time; wait until each recorded its progress.
        sql = sorted(s.key for s in policy.systems if s.connector == "sql")
        deadline = time.monotonic() + 120
        while _progress(sm) != sql and time.monotonic() < deadline:
            time.sleep(0.1)
        # The worker holds the request: another execution is refused, and touches nothing.
        assert tasks.execute_request.call_local(out.id) == BUSY
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, out.id)
        assert req.state == "in_progress"  # as the killed worker left it
    before = _progress(sm)
    assert before == sql  # killed with every SQL system erased and the newsletter not
    held.release.set()
    # The periodic retry takes the request up again; its queued execution finishes it.
    assert out.id in tasks.retry_requests.call_local()
    task = tasks.huey.dequeue()
    tasks.huey.execute(task)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, out.id)
        # The worker path holds the answer for review like every other path: nothing sent.
        assert req.state == "awaiting_review"
        assert req.letter is None and req.notice_pending is None
    # Every system erased exactly once: one progress row each, none repeated.
    assert _progress(sm) == sorted([*sql, "newsletter"])
    news = sa.create_engine(f"sqlite:///{held.db}")
    with news.connect() as c:
        left = c.execute(sa.text("SELECT count(*) FROM subscribers WHERE email = :e"),
                         {"e": who["email"]}).scalar_one()
    news.dispose()
    assert left == 0
