"""`steward serve --workers N`: N server processes on one port, one truth between them.

Uvicorn's supervisor starts N processes, each building its app from the environment
(`app_from_environment`). What must hold across processes lives outside them: the store
(PostgreSQL, or SQLite on one machine), rate-limit counters and login throttling in Redis
(`STEWARD_REDIS_URL`, required here), and the job queue. With jobs on Redis,
`steward worker` processes run them; otherwise the supervisor runs the one job consumer
(on the SQLite queue in data_dir), so the schedule never fires N times.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from fastapi import FastAPI

from steward.config import Settings
from steward.errors import InvalidInput

log = logging.getLogger("steward.web")


def app_from_environment() -> FastAPI:
    """The app of one server process, from STEWARD_* variables (uvicorn's factory)."""
    from steward.web.app import create_app

    return create_app(Settings())


def serve_workers(settings: Settings, *, host: str, port: int, workers: int, **uvicorn_kw: Any
                  ) -> None:
    """Run `workers` server processes (blocks until stopped)."""
    import uvicorn

    from steward.jobs.huey_app import is_redis

    if not settings.redis_url:
        raise InvalidInput(
            f"--workers {workers}: set STEWARD_REDIS_URL=redis://host:port/db so that rate "
            "limits and login throttling hold across the processes (docs/deployment.md)"
        )
    consumer = None
    if settings.jobs_in_process and not is_redis(settings):
        from steward.jobs.worker import build, start_in_process

        consumer = start_in_process(build(settings))
        log.info("job worker started in the supervisor process")
    # The server processes never run jobs themselves: the supervisor or `steward worker` does.
    os.environ["STEWARD_JOBS_IN_PROCESS"] = "false"
    try:
        uvicorn.run("steward.web.multiprocess:app_from_environment", factory=True,
                    host=host, port=port, workers=workers, log_level="info", **uvicorn_kw)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
