"""`steward worker`: a Huey consumer process (run several, on several machines, with Redis)."""

from __future__ import annotations

import logging

import typer

from steward.cli import context


def worker(
    workers: int = typer.Option(2, "--workers", min=1, help="worker threads"),
    periodic: bool = typer.Option(
        True, "--periodic/--no-periodic",
        help="also run the schedule (daily sweeps, hourly reminders); keep it on one machine",
    ),
) -> None:
    """Run background jobs: retention sweeps, reminders, request execution, retries."""
    from huey.consumer import Consumer

    from steward.jobs.worker import build

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    context.engine().dispose()  # a new SQLite store is migrated before the first job
    tasks = build(context.settings())
    # In the main thread the stock consumer installs its signal handlers (SIGTERM, SIGINT).
    Consumer(tasks.huey, workers=workers, worker_type="thread", periodic=periodic).run()


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
