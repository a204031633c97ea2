"""Running the consumer: inside `steward serve` (a background thread, SQLite storage) or as
`steward worker` processes (Redis storage, as many machines as needed)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from huey.consumer import Consumer

from steward.config import Settings
from steward.jobs.huey_app import is_redis, make_huey
from steward.jobs.tasks import Runtime, Tasks, register

log = logging.getLogger("steward.jobs")


class ThreadConsumer(Consumer):  # type: ignore[misc]
    """A consumer whose workers and scheduler are threads of the current process, started
    from any thread: signal handlers can only be installed from the main thread, and the web
    server owns those, so this consumer installs none and is stopped with `stop()`."""

    def _set_signal_handlers(self) -> None:
        return None


def build(settings: Settings, **runtime: Any) -> Tasks:
    """The Huey instance with its tasks registered."""
    return register(make_huey(settings), Runtime(settings, **runtime))


def start_in_process(tasks: Tasks, *, workers: int = 1) -> ThreadConsumer:
    consumer = ThreadConsumer(tasks.huey, workers=workers, worker_type="thread",
                              periodic=True, check_worker_health=False)
    consumer.start()
    return consumer


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The web app's lifespan: run the job consumer in-process unless jobs go to Redis
    (then `steward worker` processes run them) or `STEWARD_JOBS_IN_PROCESS=false`."""
    settings: Settings = app.state.settings
    consumer = None
    tasks = build(settings, policy_=app.state.policy, sm_=app.state.sessionmaker)
    app.state.extras["jobs"] = tasks
    if settings.jobs_in_process and not is_redis(settings):
        consumer = start_in_process(tasks)
        log.info("in-process job worker started")
    try:
        yield
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
