"""Jobs on SQLite storage, executed deterministically (`huey.execute(huey.dequeue())`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company as co
from tests.retention.test_sweep import fill_recruiting

from steward.config import Settings
from steward.errors import InvalidInput
from steward.jobs.huey_app import make_huey
from steward.jobs.tasks import Runtime, backoff, register
from steward.jobs.worker import start_in_process
from steward.retention import plancache
from steward.retention.tables import RetentionRun
from steward.store.db import make_sessionmaker, transaction


@pytest.fixture
def store(sqlite_engine: sa.Engine) -> sessionmaker[Session]:
    return make_sessionmaker(sqlite_engine)


def _tasks(tmp_path: Path, store: sessionmaker[Session], url: str):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "var", secret_key="test-secret-key-0123456789")
    urls = {"recruiting": url, "support": url, "crm": url}
    return register(make_huey(settings), Runtime(settings, policy_=co.make_policy(), sm_=store,
                                                  extra={"system_urls": urls}))


def test_retention_sweep_task_runs_the_rule(tmp_path: Path, store: sessionmaker[Session]) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    tasks = _tasks(tmp_path, store, url)
    assert (tmp_path / "var" / "jobs.db").exists()
    result = tasks.retention_sweep("job_applications")
    tasks.huey.execute(tasks.huey.dequeue())
    [summary] = result.get()
    # Run today (after mid-2025), all three ended processes have expired; the open one stays.
    assert summary["status"] == "done" and summary["counts"]["applications"] == 3
    assert co.ids(sa.create_engine(url), co.applications) == {4}
    # The console's cached counts were refreshed after the sweep, for that rule only.
    with transaction(store) as s:
        entries = {e.rule.key: e for e in plancache.cached(s, co.make_policy())}
    swept = entries["job_applications"]
    assert swept.plan is not None and swept.refreshed_at is not None
    assert (swept.plan.expired, swept.plan.missing_trigger) == (0, 1)
    assert entries["customer_records"].plan is None


def test_unreachable_system_is_retried_with_backoff(
    tmp_path: Path, store: sessionmaker[Session]
) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    tasks = _tasks(tmp_path, store, url)
    result = tasks.retention_sweep("job_applications")
    tasks.huey.execute(tasks.huey.dequeue())
    assert result.get()[0]["status"] == "waiting"
    [retry] = tasks.huey.pending()  # enqueued with an eta: 5 minutes from now
    assert retry.kwargs == {"rule": "job_applications", "attempt": 2}
    assert retry.eta is not None
    # Once the system is back, the retry finishes the same run.
    co.create(url).dispose()
    fill_recruiting(url)
    due = tasks.huey.dequeue()
    tasks.huey.execute(due, timestamp=due.eta + timedelta(seconds=1))  # as if 5 minutes passed
    with transaction(store) as s:
        [run] = s.scalars(sa.select(RetentionRun)).all()
        assert run.status == "done" and run.attempts == 2
    assert backoff(1) == 300 and backoff(2) == 600 and backoff(30) == 6 * 3600


def test_periodic_schedule(tmp_path: Path, store: sessionmaker[Session]) -> None:
    tasks = _tasks(tmp_path, store, "sqlite://")
    names = {t.name for t in tasks.huey._registry.periodic_tasks}
    assert names == {"retention.daily", "retention.refresh_stale",
                     "requests.deadline_reminders", "breaches.reminders", "requests.retry",
                     "requests.retry_mail", "announcements.retry", "events.deliver",
                     "processors.subprocessor_notices", "requests.retry_message_mail",
                     "requests.purge"} | (
                         {"consent.expire"} & names)


def test_bad_jobs_url(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="STEWARD_JOBS_URL"):
        make_huey(Settings(data_dir=tmp_path, jobs_url="amqp://broker"))


def test_in_process_consumer_runs_tasks_from_a_thread(
    tmp_path: Path, store: sessionmaker[Session]
) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    tasks = _tasks(tmp_path, store, url)
    import threading

    holder: list[object] = []
    t = threading.Thread(target=lambda: holder.append(start_in_process(tasks)))
    t.start()
    t.join(10)
    consumer = holder[0]
    try:
        result = tasks.retention_sweep("job_applications")
        [summary] = result.get(blocking=True, timeout=30)
        assert summary["counts"]["applications"] == 3
    finally:
        consumer.stop(graceful=True)  # type: ignore[attr-defined]


def test_stale_retention_counts_are_counted_again(
    tmp_path: Path, store: sessionmaker[Session]
) -> None:
    from steward.retention.tables import RetentionPlanCache

    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    tasks = _tasks(tmp_path, store, url)
    assert tasks.retention_refresh.call_local() == []  # nothing counted yet, nothing stale
    engines = tasks.runtime.engines()
    with transaction(store) as s:
        plancache.refresh(s, co.make_policy(), engines=engines,
                          rules=["job_applications", "customer_records"])
    engines.dispose()
    with transaction(store) as s:
        s.execute(sa.update(RetentionPlanCache)
                  .where(RetentionPlanCache.rule == "job_applications")
                  .values(stale_reason="consent decisions for 'x' changed since"))
    assert tasks.retention_refresh.call_local() == ["job_applications"]
    with transaction(store) as s:
        entries = {e.rule.key: e for e in plancache.cached(s, co.make_policy())}
    assert not entries["job_applications"].stale and entries["job_applications"].plan
    assert tasks.retention_refresh.call_local() == []
