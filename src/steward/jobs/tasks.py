"""The tasks and their schedule. Each task is a thin call into the domain; a `Runtime` gives it
the settings, the policy and Steward's store.

Schedule (UTC): retention sweeps daily at `RETENTION_HOUR`:00, each followed by a refresh of
the console's cached rule counts (`retention.plancache`); request deadline reminders and
breach reminders (24/48/66 hours, Art. 33(1)) hourly; consents past their validity expired
hourly; requests waiting on a system retried every 15 minutes; announcement mails of new
purposes sent on demand and failed ones retried every 15 minutes. A sweep whose system is
unreachable is retried with exponential backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from huey import Huey, crontab
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.policy.models import Policy

if TYPE_CHECKING:
    from steward.connectors.engines import SystemEngines

log = logging.getLogger("steward.jobs")
RETENTION_HOUR = 2
RETRY_BASE_SECONDS = 300
RETRY_MAX_SECONDS = 6 * 3600
MAX_ATTEMPTS = 8
BUSY = "running elsewhere"  # what `execute_request` returns when another worker has it


def backoff(attempt: int) -> int:
    """Seconds before retry `attempt` (1, 2, ...): 5 min, 10, 20, ... at most 6 hours."""
    # `int ** int` is typed Any (a negative exponent makes a float); this one never is.
    seconds: int = RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    return min(seconds, RETRY_MAX_SECONDS)


@dataclass
class Runtime:
    """What tasks need, built lazily in the worker process (or handed in by the web app)."""

    settings: Settings
    policy_: Policy | None = None
    sm_: sessionmaker[Session] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        if self.policy_ is None:
            from steward.policy.loader import load_policy

            self.policy_ = load_policy(self.settings.policy)
        return self.policy_

    @property
    def sm(self) -> sessionmaker[Session]:
        if self.sm_ is None:
            from steward.store.db import make_engine, make_sessionmaker

            self.sm_ = make_sessionmaker(make_engine(self.settings.database_url))
        return self.sm_

    def engines(self) -> SystemEngines:
        from steward.connectors.engines import SystemEngines

        return SystemEngines.for_settings(self.settings, urls=self.extra.get("system_urls"))


class TaskHandle(Protocol):
    """What Steward uses of a registered Huey task (a `huey.api.TaskWrapper`; huey ships no
    type hints). Calling it enqueues the task and returns huey's `Result`."""

    name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    def schedule(self, args: tuple[Any, ...] | None = None,
                 kwargs: dict[str, Any] | None = None, *, delay: float | None = None,
                 eta: datetime | None = None) -> Any: ...

    def call_local(self, *args: Any, **kwargs: Any) -> Any:
        """Run the task's function here and now, not through the queue."""


Decorator = Callable[[Callable[..., Any]], TaskHandle]


def _task(huey: Huey, *, name: str) -> Decorator:
    """`huey.task(name=...)`, typed."""
    decorate: Decorator = huey.task(name=name)
    return decorate


def _periodic(huey: Huey, schedule: Callable[[datetime], bool], *, name: str) -> Decorator:
    """`huey.periodic_task(schedule, name=...)`, typed; `schedule` is a `crontab(...)`."""
    decorate: Decorator = huey.periodic_task(schedule, name=name)
    return decorate


@dataclass
class Tasks:
    """The registered tasks of one Huey instance."""

    huey: Huey
    runtime: Runtime
    retention_sweep: TaskHandle
    retention_daily: TaskHandle
    deadline_reminders: TaskHandle
    breach_reminders: TaskHandle
    execute_request: TaskHandle
    retry_requests: TaskHandle
    consent_expiry: TaskHandle | None = None
    retention_refresh: TaskHandle | None = None
    send_announcement: TaskHandle | None = None
    retry_announcements: TaskHandle | None = None


def register(huey: Huey, runtime: Runtime) -> Tasks:
    """Register every task on `huey` and return them."""

    @_task(huey, name="retention.sweep")
    def retention_sweep(rule: str | None = None, attempt: int = 1, actor: str = "jobs",
                        nightly: bool = False) -> list[dict[str, Any]]:
        # `nightly`: the unattended daily sweep, which leaves rules awaiting approval alone;
        # one rule with an `actor` is an officer's approved run (the run records who).
        from steward.retention.sweep import run_all, run_rule
        from steward.retention.transforms import anonymize_key

        secret = runtime.settings.resolved_secret_key()
        key = anonymize_key(secret)
        engines = runtime.engines()
        try:
            if rule:
                results = [run_rule(runtime.sm, runtime.policy, rule, engines=engines,
                                    anonymize_key=key, actor=actor, secret=secret)]
            else:
                results = run_all(runtime.sm, runtime.policy, engines=engines,
                                  anonymize_key=key, actor=actor, secret=secret,
                                  unattended_only=nightly)
            for r in results:
                if r.status == "waiting" and attempt < MAX_ATTEMPTS:
                    # The system is down: try that rule again later, waiting longer each time.
                    again: dict[str, Any] = {"rule": r.rule, "attempt": attempt + 1}
                    if actor != "jobs":  # an officer's approved run stays theirs
                        again["actor"] = actor
                    retention_sweep.schedule(kwargs=again, delay=backoff(attempt))
            from steward.retention.plancache import refresh
            from steward.store.db import transaction

            with transaction(runtime.sm) as s:  # the console's counts, as of this sweep
                refresh(s, runtime.policy, engines=engines, rules=[rule] if rule else None,
                        secret=secret)
        finally:
            engines.dispose()
        return [r.__dict__ for r in results]

    @_periodic(huey, crontab(minute="0", hour=str(RETENTION_HOUR)), name="retention.daily")
    def retention_daily() -> None:
        retention_sweep(nightly=True)

    @_periodic(huey, crontab(minute="*/15"), name="retention.refresh_stale")
    def retention_refresh() -> list[str]:
        # Counts marked stale since (a consent decision for a purpose a rule reads) are
        # counted again here, outside the ledger writer's transaction.
        from steward.retention.plancache import refresh_stale
        from steward.store.db import transaction

        engines = runtime.engines()
        try:
            with transaction(runtime.sm) as s:
                return refresh_stale(s, runtime.policy, engines=engines,
                                     secret=runtime.settings.resolved_secret_key())
        finally:
            engines.dispose()

    @_periodic(huey, crontab(minute="5"), name="requests.deadline_reminders")
    def deadline_reminders() -> list[tuple[str, str]]:
        from steward.jobs.deadline_reminders import send_deadline_reminders
        from steward.store.db import transaction

        with transaction(runtime.sm) as s:
            sent = send_deadline_reminders(s, runtime.settings, policy=runtime.policy)
        for pid, stage in sent:  # the console notice for whoever watches the worker
            log.warning("request %s: %s", pid,
                        "overdue" if stage == "overdue" else f"due in {stage}")
        return sent

    @_periodic(huey, crontab(minute="10"), name="breaches.reminders")
    def breach_reminders() -> int:
        from steward.breaches.reminders import send_due_reminders
        from steward.store.db import transaction

        with transaction(runtime.sm) as s:
            due = send_due_reminders(s, runtime.settings, runtime.policy, datetime.now(UTC))
        return len(due)

    @_task(huey, name="requests.execute")
    def execute_request(request_id: int) -> str:
        from steward.jobs.locks import exclusive
        from steward.requests.execute import execute_request as run

        # One execution of a request at a time across every worker; the lock dies with its
        # holder, so a request whose worker was killed is taken up by the next retry.
        engine = runtime.sm.kw["bind"]
        with exclusive(engine, runtime.settings.data_dir, f"request-{request_id}") as mine:
            if not mine:
                log.info("request %s: already running in another worker", request_id)
                return BUSY
            return run(runtime.sm, runtime.settings, runtime.policy, request_id)

    @_periodic(huey, crontab(minute="*/15"), name="requests.retry")
    def retry_requests() -> list[int]:
        from steward.requests.queries import retry_due
        from steward.store.db import transaction

        with transaction(runtime.sm) as s:
            ids = retry_due(s)
        for rid in ids:
            execute_request(rid)
        return ids

    @_periodic(huey, crontab(minute="*/15"), name="processors.subprocessor_notices")
    def subprocessor_notices() -> int:
        # New sub-processors told to the controllers served (Art. 28(2)); mail that failed
        # is sent on the next run.
        from steward.processors.subnotices import send_pending
        from steward.store.db import transaction

        with transaction(runtime.sm) as s:
            return send_pending(s, runtime.settings, runtime.policy)

    @_periodic(huey, crontab(minute="*/5"), name="events.deliver")
    def deliver_events() -> int:
        # Steward's own events to the webhooks the policy declares (steward.events).
        import os

        from steward.events.outgoing import deliver
        from steward.store.db import transaction

        with transaction(runtime.sm) as s:
            return sum(d.sent for d in deliver(s, runtime.policy, os.environ))

    @_periodic(huey, crontab(minute="*/15"), name="requests.retry_mail")
    def retry_request_mail() -> dict[str, int]:
        # Answer-ready notices whose mail failed, and restriction lifts waiting on their
        # Art. 18(3) notice: sent and finished here, as often as it runs.
        from steward.requests.notices import retry_pending_mail

        return retry_pending_mail(runtime.sm, runtime.settings, runtime.policy)

    @_periodic(huey, crontab(minute="*/15"), name="requests.retry_message_mail")
    def retry_message_mail() -> int:
        # "You have a new message" mails (and the officer's reply notices) that failed.
        from steward.requests.messages import retry_unsent

        return retry_unsent(runtime.sm, runtime.settings, runtime.policy)

    @_periodic(huey, crontab(minute="40", hour="3"), name="requests.purge")
    def purge_request_files() -> int:
        # Answer packages past their download window, and the message attachments of requests
        # closed as long ago.
        from steward.requests.delivery import purge_expired

        return purge_expired(runtime.sm, runtime.settings)

    @_periodic(huey, crontab(minute="20"), name="consent.expire")
    def consent_expiry() -> int:
        from steward.consent.state import expire_all_due

        return expire_all_due(runtime.sm, runtime.policy)

    @_task(huey, name="announcements.send")
    def send_announcement(announcement_id: int) -> dict[str, int]:
        # The mail run of a new purpose's announcement (Art. 13(3)), in committed batches.
        from steward.publication.announcements import run

        r = run(runtime.sm, runtime.settings, runtime.policy, announcement_id)
        return {"sent": r.sent, "failed": r.failed, "skipped": r.skipped}

    @_periodic(huey, crontab(minute="*/15"), name="announcements.retry")
    def retry_announcements() -> list[int]:
        # Failed announcement mails, retried with backoff; the start date never moves.
        from steward.publication.announcements import retry_due

        return list(retry_due(runtime.sm, runtime.settings, runtime.policy))

    return Tasks(huey, runtime, retention_sweep, retention_daily, deadline_reminders,
                 breach_reminders, execute_request, retry_requests, consent_expiry,
                 retention_refresh=retention_refresh, send_announcement=send_announcement,
                 retry_announcements=retry_announcements)
