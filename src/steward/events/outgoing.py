"""Delivering Steward's events to the webhooks the policy declares (`webhooks:`).

Events are read from where Steward already records them, so nothing is lost if a receiver is
down: the audit log (request `dsr.*`, breach `breach.*`, retention `retention.*` events) and
the consent ledger (each consent given or withdrawn). Neither holds personal data in clear:
requests and breaches are named by their public ids, consent subjects by their pseudonymous
reference. Each webhook has a cursor per source; a batch is POSTed signed exactly like every
other outgoing call (`steward.notifiers.http.sign`: `Steward-Timestamp`,
`Steward-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">`), and the cursor moves only
when the receiver answers 2xx. A failure is retried with back-off (`BACKOFF`); receivers
de-duplicate by each event's `id`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.audit.tables import AuditEvent
from steward.consent.tables import ConsentEvent
from steward.notifiers.http import SIGNATURE, TIMESTAMP, sign
from steward.policy.models import EventWebhook, Policy
from steward.store.db import as_utc

from .tables import EventCursor

BATCH = 200
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=6))
TIMEOUT = 10.0
AUDIT_PREFIX = {"request": "dsr.", "breach": "breach.", "retention": "retention."}


@dataclass(frozen=True)
class Delivery:
    webhook: str
    source: str
    sent: int
    error: str = ""


def _cursor(session: Session, hook: str, source: str) -> EventCursor:
    cur = session.get(EventCursor, (hook, source))
    if cur is None:
        cur = EventCursor(webhook=hook, source=source, last_seq=0, failures=0)
        session.add(cur)
        session.flush()
    return cur


Batch = list[tuple[int, dict[str, Any]]]


def _audit_events(session: Session, hook: EventWebhook, after: int) -> Batch:
    prefixes = tuple(AUDIT_PREFIX[k] for k in hook.events if k in AUDIT_PREFIX)
    if not prefixes:
        return []
    rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > after)
                           .order_by(AuditEvent.seq).limit(BATCH)).all()
    out: Batch = []
    for ev in rows:
        if not ev.action.startswith(prefixes):
            out.append((ev.seq, {}))  # read past it, nothing to send
            continue
        kind = next(k for k, p in AUDIT_PREFIX.items() if ev.action.startswith(p))
        out.append((ev.seq, {
            "id": f"audit:{ev.seq}", "kind": kind, "type": ev.action,
            "at": as_utc(ev.at).isoformat(), "ref": ev.subject_ref,
            "details": json.loads(ev.details or "{}"),
        }))
    return out


def _consent_events(session: Session, after: int) -> Batch:
    rows = session.scalars(select(ConsentEvent).where(ConsentEvent.seq > after)
                           .order_by(ConsentEvent.seq).limit(BATCH)).all()
    return [(ev.seq, {
        "id": f"consent:{ev.event_id}", "kind": "consent", "type": f"consent.{ev.action}",
        "at": as_utc(ev.at).isoformat(), "ref": ev.subject_ref,
        "details": {"purpose": ev.purpose, "purpose_version": ev.purpose_version,
                    "method": ev.method},
    }) for ev in rows]


def deliver(session: Session, policy: Policy, env: Mapping[str, str], *,
            now: datetime | None = None) -> list[Delivery]:
    """One pass: for each webhook and source, post the next batch of events (if not backing
    off) and move its cursor on success. The caller commits."""
    now = now or datetime.now(UTC)
    out: list[Delivery] = []
    for hook in policy.webhooks:
        sources = (["audit"] if set(hook.events) & set(AUDIT_PREFIX) else []) + \
            (["consent"] if "consent" in hook.events else [])
        for source in sources:
            cur = _cursor(session, hook.key, source)
            due = as_utc(cur.next_attempt_at)
            if due is not None and due > now:
                continue
            batch = (_audit_events(session, hook, cur.last_seq) if source == "audit"
                     else _consent_events(session, cur.last_seq))
            if not batch:
                continue
            events = [e for _, e in batch if e]
            error = _post(hook, env, events) if events else ""
            if error:
                cur.failures += 1
                cur.last_error = error[:300]
                cur.next_attempt_at = now + BACKOFF[min(cur.failures - 1, len(BACKOFF) - 1)]
            else:
                cur.last_seq = batch[-1][0]
                cur.failures = 0
                cur.last_error = None
                cur.next_attempt_at = None
            out.append(Delivery(hook.key, source, 0 if error else len(events), error))
    return out


def _post(hook: EventWebhook, env: Mapping[str, str], events: list[dict[str, Any]]) -> str:
    """'' when the receiver took the batch, else why not (no personal data)."""
    key = env.get(hook.secret_env, "").strip()
    if not key:
        return f"the signing key is missing: set the environment variable {hook.secret_env}"
    body = json.dumps({"webhook": hook.key, "events": events}, sort_keys=True).encode()
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", TIMESTAMP: stamp,
               SIGNATURE: sign(key.encode(), stamp, body)}
    try:
        resp = httpx.post(hook.url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as err:
        return f"the receiver could not be reached ({err.__class__.__name__})"
    return "" if resp.is_success else f"the receiver answered HTTP {resp.status_code}"
