"""WebhookConnector: a system the company's own code searches and changes for Steward.

Declared as `connector: webhook` with `url:` the company's endpoint and `auth.token_env` the
environment variable holding the shared signing key. Each operation (search, erase, rectify,
restrict) is POSTed as a JSON event signed like every outgoing call of Steward
(`steward.notifiers.http.sign`: `Steward-Timestamp` and `Steward-Signature: sha256=<HMAC of
"<timestamp>.<body>">`). The receiver answers later by POSTing a signed JSON answer to the
event's `callback` URL. Until then the system is *not searched* (GDPR Art. 15(1)) and the
request waits; an event the endpoint did not accept is posted again with back-off
(`BACKOFF`) on the request's next runs.

A callback is refused (and logged, the request unchanged) when its signature is wrong, its
timestamp is older or newer than `MAX_SKEW`, or it replays an answer already recorded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx

from steward.connectors._tasked import TaskedConnector
from steward.connectors.tasks import SystemTask
from steward.errors import InvalidInput, Unauthorized
from steward.notifiers.http import SIGNATURE, TIMESTAMP, sign, verify
from steward.policy.models import SystemSpec
from steward.store.db import as_utc

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=12))
MAX_SKEW = 300  # seconds a signed callback stays acceptable
TIMEOUT = 10.0


def callback_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/api/v1/system-tasks/{token}/callback"


def signing_key(system: SystemSpec, env: Mapping[str, str]) -> bytes:
    if system.auth is None or not env.get(system.auth.token_env):
        var = system.auth.token_env if system.auth is not None else "(auth.token_env)"
        raise InvalidInput(f"system {system.key!r}: set the environment variable {var} to "
                           f"the webhook's signing key")
    return env[system.auth.token_env].strip().encode()


def check_signature(key: bytes, timestamp: str, body: bytes, signature: str,
                    *, now: float | None = None) -> None:
    """Unauthorized unless `signature` is ours over `body` and `timestamp` is fresh."""
    now = time.time() if now is None else now
    try:
        stamp = int(timestamp)
    except ValueError:
        raise Unauthorized("the callback's timestamp is missing or not a number") from None
    if abs(now - stamp) > MAX_SKEW:
        raise Unauthorized("the callback's timestamp is too old or in the future")
    if not verify(key, timestamp, body, signature):
        raise Unauthorized("the callback's signature does not match")


class WebhookConnector(TaskedConnector):
    kind: ClassVar[str] = "webhook"

    def __init__(self, system: SystemSpec, *, url: str, env: Mapping[str, str] | None = None,
                 base_dir: Path | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise InvalidInput(f"system {system.key!r}: a webhook system's url is http(s)")
        super().__init__(system, url=url, env=env, base_dir=base_dir)
        self.key = signing_key(system, self.env)

    def event(self, task: SystemTask, payload: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "type": f"steward.system_task.{task.op}",
            "task": task.token,
            "system": self.system.key,
            "op": task.op,
            **payload,
            "callback": callback_url(self.ledger.settings.base_url, task.token),
        }

    def deliver(self, task: SystemTask, payload: Mapping[str, Any], new: bool) -> None:
        now = datetime.now(UTC)
        if task.sent_at is not None:
            return  # accepted: waiting for the callback
        due = as_utc(task.next_attempt_at)
        if due is not None and due > now:
            return  # backing off
        body = json.dumps(self.event(task, payload), sort_keys=True).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", TIMESTAMP: stamp,
                   SIGNATURE: sign(self.key, stamp, body)}
        try:
            resp = httpx.post(self.url, content=body, headers=headers, timeout=TIMEOUT)
            ok, error = resp.is_success, f"the endpoint answered HTTP {resp.status_code}"
        except httpx.HTTPError as err:
            ok, error = False, f"the endpoint could not be reached ({err.__class__.__name__})"
        retry = BACKOFF[min(task.attempts, len(BACKOFF) - 1)]
        self.ledger.mark_sent(task.id, ok=ok, error=error, retry_in=retry)
        if not ok:
            task.last_error = error

    def waiting_text(self, task: SystemTask) -> str:
        why = f" (last attempt: {task.last_error})" if task.last_error else ""
        return (f"waiting for the webhook of {self.system.key} to answer its {task.op} "
                f"event{why} (GDPR Art. 15(1): not searched until then)")
