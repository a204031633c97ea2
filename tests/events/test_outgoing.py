"""Outgoing events: request, consent, breach and retention events reach the webhooks the
policy declares, signed like every outgoing call; other events do not; a receiver that is down
keeps its events until it is back (retried with back-off), and none is sent twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tests.connectors.servers import serve

from steward import audit
from steward.consent import ledger
from steward.consent.purposes import resolve
from steward.events.outgoing import deliver
from steward.events.tables import EventCursor
from steward.notifiers.http import SIGNATURE, TIMESTAMP, verify
from steward.policy.loader import load_policy
from steward.policy.models import EventWebhook, Policy
from steward.store.db import make_sessionmaker, transaction

PROMARK = Path(__file__).resolve().parents[2] / "examples" / "promark"
KEY = "siem-test-key-not-for-production"


class Receiver:
    def __init__(self) -> None:
        self.batches: list[dict[str, object]] = []
        self.bad_signatures = 0
        self.down = False

    async def events(self, request: Request) -> Response:
        if self.down:
            return Response(status_code=503)
        body = await request.body()
        if not verify(KEY.encode(), request.headers[TIMESTAMP], body,
                      request.headers[SIGNATURE]):
            self.bad_signatures += 1
            return Response(status_code=401)
        self.batches.append(json.loads(body))
        return Response(status_code=204)

    def types(self) -> list[str]:
        return [str(e["type"]) for b in self.batches for e in b["events"]]  # type: ignore[attr-defined]


def _policy(url: str, kinds: list[str]) -> Policy:
    policy = load_policy(PROMARK)
    hook = EventWebhook(key="siem", url=url, secret_env="SIEM_KEY", events=kinds)  # type: ignore[arg-type]
    return policy.model_copy(update={"webhooks": [hook]})


def test_declared_events_are_delivered_signed_once_and_retried(sqlite_engine: Engine) -> None:
    rec = Receiver()
    sm = make_sessionmaker(sqlite_engine)
    with serve(Starlette(routes=[Route("/events", rec.events, methods=["POST"])])) as base:
        policy = _policy(f"{base}/events", ["request", "breach", "consent"])
        env = {"SIEM_KEY": KEY}
        with transaction(sm) as s:
            audit.append(s, actor="api", action="dsr.submitted", subject_ref="R-1001")
            audit.append(s, actor="admin", action="user.created", details={"role": "viewer"})
            audit.append(s, actor="officer", action="breach.registered", subject_ref="B-7")
            audit.append(s, actor="job", action="retention.run_completed")
            ledger.record(s, policy, subject_ref="subj-ref-1", purpose=resolve(
                policy, "newsletter"), action="given", method="double_opt_in",
                recorded_by="subject")
        with transaction(sm) as s:
            done = deliver(s, policy, env)
        assert sorted(rec.types()) == ["breach.registered", "consent.given", "dsr.submitted"]
        assert rec.bad_signatures == 0 and {d.error for d in done} == {""}
        refs = {e["type"]: e["ref"] for b in rec.batches for e in b["events"]}  # type: ignore[attr-defined]
        assert refs["dsr.submitted"] == "R-1001" and refs["breach.registered"] == "B-7"

        # Nothing new: nothing sent again.
        with transaction(sm) as s:
            deliver(s, policy, env)
        assert len(rec.types()) == 3

        # The receiver is down: the event waits, backs off, and arrives once it is back.
        rec.down = True
        with transaction(sm) as s:
            audit.append(s, actor="officer", action="breach.closed", subject_ref="B-7")
            failed = deliver(s, policy, env)
        assert [d.error for d in failed] == ["the receiver answered HTTP 503"]
        rec.down = False
        with transaction(sm) as s:
            assert deliver(s, policy, env) == []  # backing off: not tried yet
            cur = s.get_one(EventCursor, ("siem", "audit"))
            assert cur.failures == 1
            cur.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        with transaction(sm) as s:
            deliver(s, policy, env)
        assert rec.types().count("breach.closed") == 1 and len(rec.types()) == 4

        # A wrong key is refused by the receiver: nothing counts as delivered.
        with transaction(sm) as s:
            audit.append(s, actor="api", action="dsr.completed", subject_ref="R-1001")
            wrong = deliver(s, policy, {"SIEM_KEY": "not-the-key"})
        assert rec.bad_signatures == 1 and "401" in wrong[0].error
        assert "dsr.completed" not in rec.types()
