"""Clock reminders at 24, 48 and 66 hours, mailed to the officer through a real SMTP server;
idempotent, and silent once the authority is notified."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import NOW, breach_input, promark

from steward.breaches.inputs import NotificationInput
from steward.breaches.notifications import record_notification
from steward.breaches.register import register_breach
from steward.breaches.reminders import due_reminders, send_due_reminders
from steward.config import Settings
from steward.store.db import transaction

AWARE = NOW - timedelta(hours=1)


def _settings(smtp: tuple[str, int, list[object]], tmp_path: Path) -> Settings:
    host, port, _ = smtp
    return Settings(smtp_host=host, smtp_port=port, smtp_starttls=False, data_dir=tmp_path,
                    officer_email="dpo@promark.example", secret_key="test")


def test_reminders_at_24_48_66_once_each(
    sm: sessionmaker[Session], smtp_server: tuple[str, int, list[object]], tmp_path: Path,
) -> None:
    settings = _settings(smtp_server, tmp_path)
    received = smtp_server[2]
    policy = promark()
    with transaction(sm) as s:
        bid = register_breach(s, policy, breach_input(aware_at=AWARE), actor="o", now=NOW).id
    with transaction(sm) as s:
        assert due_reminders(s, AWARE + timedelta(hours=23, minutes=59)) == []
    for hours, expected in [(24, 1), (24.5, 1), (48, 2), (60, 2), (66, 3), (70, 3)]:
        with transaction(sm) as s:
            send_due_reminders(s, settings, policy, AWARE + timedelta(hours=hours))
        assert len(received) == expected, hours
    subjects = [str(m["Subject"]) for m in received]  # type: ignore[index]
    assert subjects == [f"Breach {bid}: 48.0 hours left", f"Breach {bid}: 24.0 hours left",
                        f"Breach {bid}: 6.0 hours left"]
    body = received[0].get_body().get_content()  # type: ignore[attr-defined]
    assert "Art. 33(1)" in body and "CET" in body and f"/console/breaches/{bid}" in body


def test_missed_points_send_one_mail_and_notification_stops_them(
    sm: sessionmaker[Session], smtp_server: tuple[str, int, list[object]], tmp_path: Path,
) -> None:
    settings = _settings(smtp_server, tmp_path)
    policy = promark()
    with transaction(sm) as s:
        a = register_breach(s, policy, breach_input(aware_at=AWARE), actor="o", now=NOW).id
        b = register_breach(s, policy, breach_input(aware_at=AWARE), actor="o", now=NOW).id
        record_notification(s, policy, b, NotificationInput(sent_at=NOW), actor="o", now=NOW)
    with transaction(sm) as s:
        due = send_due_reminders(s, settings, policy, AWARE + timedelta(hours=50))
    assert [(d.breach_id, d.hours, d.covers) for d in due] == [(a, 48, (24, 48))]
    assert len(smtp_server[2]) == 1
    with transaction(sm) as s:
        assert due_reminders(s, AWARE + timedelta(hours=50)) == []
