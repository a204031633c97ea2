"""HttpNotifier: a signed JSON POST to the recipient's URL (`notify.url`).

The body is the notice as JSON. Two headers let the recipient check it came from us and is
fresh: `Steward-Timestamp` (Unix seconds) and `Steward-Signature: sha256=<hex>`, the
HMAC-SHA256 of `<timestamp>.<body>` under the key in the environment variable
`notify.secret_env`. A 5xx answer or a connection failure is retried a few times at once; if
it still fails, `Unavailable` leaves the notification pending for the next run. A 4xx is not
retried at once (the recipient refused it): it too stays pending, with the status shown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from typing import ClassVar

import httpx

from steward.config import Settings
from steward.errors import Unavailable
from steward.notifiers.base import Art19Notice, Outcome
from steward.policy.models import Notify

TIMESTAMP = "Steward-Timestamp"
SIGNATURE = "Steward-Signature"


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(key: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """For receivers (and tests): does `signature` match, compared in constant time?"""
    return hmac.compare_digest(sign(key, timestamp, body), signature)


class HttpNotifier:
    name: ClassVar[str] = "http"
    # Pauses (seconds) before the immediate retries of a 5xx / unreachable recipient.
    backoff: ClassVar[tuple[float, ...]] = (0.2, 1.0)
    timeout: ClassVar[float] = 10.0

    def __init__(self, *, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    def send(self, notice: Art19Notice, target: Notify) -> Outcome:
        assert target.url is not None and target.secret_env is not None  # model-checked
        key = self.env.get(target.secret_env, "")
        if not key:
            raise Unavailable(
                f"the signing key is missing: set the environment variable {target.secret_env}"
            )
        body = json.dumps(notice.as_json(), ensure_ascii=False, sort_keys=True).encode()
        error = ""
        with httpx.Client(timeout=self.timeout) as client:
            for pause in (0.0, *self.backoff):
                time.sleep(pause)
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    TIMESTAMP: stamp,
                    SIGNATURE: sign(key.encode(), stamp, body),
                }
                try:
                    resp = client.post(target.url, content=body, headers=headers)
                except httpx.HTTPError as err:
                    error = f"the recipient could not be reached ({err.__class__.__name__})"
                    continue
                if resp.is_success:
                    return Outcome(sent=True, ref=f"HTTP {resp.status_code}")
                error = f"the recipient answered HTTP {resp.status_code}"
                if resp.status_code < 500:
                    break  # refused, not failing: retrying at once would not help
        raise Unavailable(error)
