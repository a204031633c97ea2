"""The hourly deadline reminders (GDPR Art. 12(3)) over a real store and a real SMTP server:
one mail per stage to the officer, never the same stage twice, and the audit event that shows
on the request's timeline in the console."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tests.helpers import PROMARK, login, make_client, settings_for

from steward import audit
from steward.config import Settings
from steward.jobs.deadline_reminders import ACTION, send_deadline_reminders
from steward.jobs.huey_app import make_huey
from steward.jobs.tasks import Runtime, register
from steward.policy.loader import load_policy
from steward.requests import workflow
from steward.requests.intake import submit
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction

OFFICER = "dpo@example.com"
NOW = datetime(2026, 11, 26, 9, 5, tzinfo=UTC)


def _settings(engine: Engine, tmp_path: Path, smtp: tuple[str, int, list[Any]]) -> Settings:
    host, port, _ = smtp
    return settings_for(engine, tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False,
                        officer_email=OFFICER)


def _requests(sm: sessionmaker[Session], settings: Settings, today: date,
              days: dict[str, int]) -> dict[str, tuple[int, str]]:
    """Requests named by `days` (name -> due in N days from `today`, negative: overdue);
    name -> (id, public id). A name starting with "done" is a completed request."""
    policy = load_policy(PROMARK)
    out = {}
    with transaction(sm) as s:
        for name, n in days.items():
            sub = submit(s, policy, workflow.sealer_for(settings), type="access",
                         name="Dana Testperson", email=f"{name}@example.com", country="DK",
                         channel="officer", evidence="ID checked in person", actor="officer",
                         now=datetime.combine(today - timedelta(days=20), datetime.min.time(),
                                              tzinfo=UTC))
            req = sub.request
            req.due_on = today + timedelta(days=n)
            if name.startswith("done"):
                req.state = "completed"
            s.flush()
            out[name] = (req.id, req.public_id)
    return out


def _mails(smtp: tuple[str, int, list[Any]]) -> list[tuple[str, str, str]]:
    return [(m["To"], m["Subject"], m.get_content()) for m in smtp[2]]  # type: ignore[attr-defined]


def test_one_mail_per_stage_and_never_twice(
    engine: Engine, tmp_path: Path, smtp_server: tuple[str, int, list[Any]]
) -> None:
    settings = _settings(engine, tmp_path, smtp_server)
    sm = make_sessionmaker(engine)
    reqs = _requests(sm, settings, NOW.date(), {
        "week": 7, "tomorrow": 1, "late": -2, "later": 10, "done-late": -5})
    with transaction(sm) as s:
        sent = send_deadline_reminders(s, settings, now=NOW)
    pid = {name: p for name, (_, p) in reqs.items()}
    assert sorted(sent) == sorted([(pid["week"], "7 days"), (pid["tomorrow"], "1 day"),
                                   (pid["late"], "overdue")])
    mails = _mails(smtp_server)
    assert [(to, subject) for to, subject, _ in mails] == [
        (OFFICER, "1 data-subject request(s) overdue"),
        (OFFICER, "1 data-subject request(s) due within a day"),
        (OFFICER, "1 data-subject request(s) due within 7 days"),
    ]
    for (_, _, text), name, due in zip(mails, ("late", "tomorrow", "week"), (-2, 1, 7),
                                       strict=True):
        assert f"- {pid[name]}: due {(NOW.date() + timedelta(days=due)).isoformat()}" in text
        assert "Art. 12(3)" in text and "Dana" not in text and "example.com" not in text
        others = set(pid.values()) - {pid[name]}
        assert not [p for p in others if p in text]
    with transaction(sm) as s:
        for name, stage in (("week", "7 days"), ("tomorrow", "1 day"), ("late", "overdue")):
            [event] = [e for e in audit.events_for(s, f"dsr:{pid[name]}") if e.action == ACTION]
            assert json.loads(event.details)["stage"] == stage
        for name in ("later", "done-late"):
            assert not [e for e in audit.events_for(s, f"dsr:{pid[name]}")
                        if e.action == ACTION]

    # The next hourly run, and the next day: nothing new, no mail.
    for later in (NOW + timedelta(hours=1), NOW + timedelta(days=1)):
        with transaction(sm) as s:
            assert send_deadline_reminders(s, settings, now=later) == []
    assert len(smtp_server[2]) == 3

    # Six days on, each request has moved one stage on: one new mail per stage again.
    with transaction(sm) as s:
        again = send_deadline_reminders(s, settings, now=NOW + timedelta(days=6))
    assert sorted(again) == sorted([(pid["tomorrow"], "overdue"), (pid["week"], "1 day"),
                                    (pid["later"], "7 days")])
    assert [subject for _, subject, _ in _mails(smtp_server)[3:]] == [
        "1 data-subject request(s) overdue",
        "1 data-subject request(s) due within a day",
        "1 data-subject request(s) due within 7 days",
    ]


def test_a_deadline_is_over_at_midnight_in_copenhagen_not_at_midnight_utc(
    engine: Engine, tmp_path: Path, smtp_server: tuple[str, int, list[Any]]
) -> None:
    """Art. 12(3) with Reg. 1182/71 Art. 3(2)(b): a period ends with the expiry of its last day
    where the request is answered. At 23:30 UTC on 26 November it is already 27 November in
    Copenhagen (UTC+1), so a Danish request due on the 26th is overdue; at 22:30 UTC it is
    still the 26th there, and the request is due within a day."""
    settings = _settings(engine, tmp_path, smtp_server)
    sm = make_sessionmaker(engine)
    policy = load_policy(PROMARK)
    due = date(2026, 11, 26)
    reqs = _requests(sm, settings, due, {"due-26": 0})
    pid = reqs["due-26"][1]
    before = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)
    after = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    with transaction(sm) as s:
        assert send_deadline_reminders(s, settings, now=before, policy=policy) == [(pid, "1 day")]
    with transaction(sm) as s:
        assert send_deadline_reminders(s, settings, now=after, policy=policy) == [
            (pid, "overdue")]


def test_hourly_task_mails_once_and_the_console_shows_the_notice(
    sqlite_engine: Engine, tmp_path: Path, smtp_server: tuple[str, int, list[Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = _settings(sqlite_engine, tmp_path, smtp_server)
    sm = make_sessionmaker(sqlite_engine)
    # The example policy's authorities are in Copenhagen, Oslo, Stockholm and London: the
    # latest day among them is Copenhagen's (the reminders count by that day).
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    reqs = _requests(sm, settings, today, {"soon": 3, "late": -1})
    tasks = register(make_huey(settings), Runtime(settings, policy_=load_policy(PROMARK), sm_=sm))
    with caplog.at_level(logging.WARNING, logger="steward.jobs"):
        for _ in range(2):  # two hourly runs
            tasks.deadline_reminders()
            tasks.huey.execute(tasks.huey.dequeue())
    # The second run found every stage reminded already: two mails and two lines in all.
    assert sorted(s for _, s, _ in _mails(smtp_server)) == [
        "1 data-subject request(s) due within 7 days", "1 data-subject request(s) overdue"]
    # The worker's console lines name the reference only.
    assert [r.getMessage() for r in caplog.records if r.name == "steward.jobs"] == [
        f"request {reqs['late'][1]}: overdue", f"request {reqs['soon'][1]}: due in 7 days"]
    assert "example.com" not in caplog.text

    with transaction(sm) as s:
        n = s.scalar(sa.select(sa.func.count()).select_from(DsrRequest))
    assert n == 2
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, role="viewer")
    page = client.get(f"/console/requests/{reqs['late'][0]}")
    assert page.status_code == 200
    assert "deadline_reminder" in page.text and "overdue" in page.text
