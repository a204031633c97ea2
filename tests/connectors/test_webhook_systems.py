"""`webhook` systems: Steward posts a signed event, the company's code answers by a signed
callback. The round trip runs against the reference receiver in examples/ as a separate
process; bad callbacks (signature, stale timestamp, replay) are refused, logged, and change
nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.conftest import free_port
from tests.helpers import make_client

from steward.audit.tables import AuditEvent
from steward.connectors.registry import connector_for
from steward.connectors.tasks import Awaiting, SystemTask
from steward.connectors.webhook import BACKOFF
from steward.notifiers.http import SIGNATURE, TIMESTAMP, sign
from steward.policy.models import HttpAuth, SystemSpec, TableSpec
from steward.store.db import make_sessionmaker, transaction

RECEIVER = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver" / "receiver.py"
KEY = "webhook-test-key-not-for-production"
ADA = "ada.lindqvist@example.com"
BO = "bo.nyberg@example.com"


def webhook_system(url: str) -> SystemSpec:
    return SystemSpec(key="rota", name="Rota tool", connector="webhook", url=url,
                      storage_country="DK", auth=HttpAuth(token_env="ROTA_WEBHOOK_KEY"),
                      tables=[TableSpec(name="people", identities={"email": "email"})])


@pytest.fixture
def receiver(tmp_path: Path):  # type: ignore[no-untyped-def]
    data = tmp_path / "records.json"
    data.write_text(json.dumps([{"email": ADA, "team": "Night shift"},
                                {"email": BO, "team": "Day shift"}]))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(RECEIVER), "127.0.0.1", str(port)],
        env={"WEBHOOK_KEY": KEY, "RECEIVER_DATA": str(data), "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}/events"
    for _ in range(100):
        try:
            httpx.post(url, content=b"{}")
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url, data
    proc.terminate()
    proc.wait(timeout=10)


def _env(server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"STEWARD_DATABASE_URL": server.settings.database_url,
            "STEWARD_SECRET_KEY": server.settings.secret_key,
            "STEWARD_DATA_DIR": str(server.settings.data_dir),
            "STEWARD_BASE_URL": server.url, "ROTA_WEBHOOK_KEY": KEY}


def _until_answered(server, op: str) -> None:  # type: ignore[no-untyped-def]
    sm = make_sessionmaker(server.engine)
    for _ in range(400):
        with transaction(sm) as s:
            task = s.scalars(select(SystemTask).where(SystemTask.op == op)).first()
            if task is not None and task.state == "done":
                return
        time.sleep(0.05)
    raise AssertionError(f"the {op} callback never arrived")


def test_round_trip_with_the_reference_receiver(live_server, receiver, monkeypatch):  # type: ignore[no-untyped-def]
    url, data = receiver
    monkeypatch.setenv("ROTA_WEBHOOK_KEY", KEY)  # the server checks callbacks with it
    conn = connector_for(webhook_system(url), env=_env(live_server))
    with pytest.raises(Awaiting, match="not searched until then"):
        conn.find({"email": [ADA]})
    _until_answered(live_server, "search")
    records = conn.find({"email": [ADA]})
    assert [r["team"] for r in records.tables["people"]] == ["Night shift"]  # Bo's not sent
    assert conn.export(records)["people"][0]["email"] == ADA

    plan = conn.plan_erasure(records)
    with pytest.raises(Awaiting):
        conn.apply(plan)
    _until_answered(live_server, "erase")
    counts = conn.apply(plan)
    assert counts["people"].deleted == 1
    left = json.loads(data.read_text())
    assert [r["email"] for r in left] == [BO]  # the receiver erased Ada and only Ada
    conn.close()


def test_an_unreachable_endpoint_is_retried_with_back_off(live_server):  # type: ignore[no-untyped-def]
    dead = f"http://127.0.0.1:{free_port()}/events"
    conn = connector_for(webhook_system(dead), env=_env(live_server))
    with pytest.raises(Awaiting, match="could not be reached"):
        conn.find({"email": [ADA]})
    sm = make_sessionmaker(live_server.engine)
    with transaction(sm) as s:
        task = s.scalars(select(SystemTask)).one()
        assert task.attempts == 1 and task.sent_at is None
        first_due = task.next_attempt_at
        assert first_due is not None
    with pytest.raises(Awaiting):  # backing off: not posted again yet
        conn.find({"email": [ADA]})
    with transaction(sm) as s:
        task = s.scalars(select(SystemTask)).one()
        assert task.attempts == 1
        task.next_attempt_at = task.created_at  # the pause is over
    with pytest.raises(Awaiting):
        conn.find({"email": [ADA]})
    with transaction(sm) as s:
        task = s.scalars(select(SystemTask)).one()
        assert task.attempts == 2  # posted again, and the next pause is longer
        assert BACKOFF[1] > BACKOFF[0]
    conn.close()


@pytest.mark.parametrize("bad", ["signature", "expired", "replay", "other_task"])
def test_bad_callbacks_are_refused_logged_and_change_nothing(
    bad, sqlite_engine, tmp_path, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ROTA_WEBHOOK_KEY", KEY)
    client = make_client(sqlite_engine, tmp_path)
    sm = make_sessionmaker(sqlite_engine)
    from tests.helpers import settings_for

    from steward.connectors.tasks import Ledger

    ledger = Ledger(settings_for(sqlite_engine, tmp_path))
    task, _ = ledger.get_or_open("rota", "webhook", "search", {"identities": {"email": [ADA]}},
                                 key_env="ROTA_WEBHOOK_KEY")
    other, _ = ledger.get_or_open("rota", "webhook", "search", {"identities": {"email": [BO]}},
                                  key_env="ROTA_WEBHOOK_KEY")
    path = f"/api/v1/system-tasks/{task.token}/callback"

    def post(body: dict[str, object], *, key: str = KEY, age: int = 0) -> httpx.Response:
        raw = json.dumps(body).encode()
        stamp = str(int(time.time()) - age)
        return client.post(path, content=raw, headers={
            "Content-Type": "application/json", TIMESTAMP: stamp,
            SIGNATURE: sign(key.encode(), stamp, raw)})

    good = {"task": task.token, "found": True, "records": [{"email": ADA}]}
    if bad == "signature":
        resp, status = post(good, key="not-the-key"), 401
    elif bad == "expired":
        resp, status = post(good, age=3600), 401
    elif bad == "other_task":
        resp, status = post({**good, "task": other.token}), 422
    else:
        assert post(good).status_code == 200
        resp, status = post({**good, "found": False}), 409
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/problem+json")
    with transaction(sm) as s:
        refused = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "system_task.callback_refused")).all()
        assert len(refused) == 1 and ADA not in refused[0].details
        stored = s.get_one(SystemTask, task.id)
        answer = ledger.answer(stored)
        if bad == "replay":
            assert answer is not None and answer.found is True  # the first answer stands
        else:
            assert stored.state == "open" and answer is None
    ledger.close()
