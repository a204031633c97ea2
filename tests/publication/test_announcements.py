"""A new purpose announced before its processing starts (GDPR Art. 13(3), Art. 14(4)), end to
end: publishing the second ProMark version plans the announcement and blocks the purpose; the
officer sees who will be told; the mails go to a real SMTP server (aiosmtpd) in each person's
language; the consent check and the batch filter say "not yet" until the start date; an
objection before the start suppresses the person; a refused mail is recorded and retried
without moving the start date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, select
from tests.conftest import free_port
from tests.helpers import PROMARK, make_client, settings_for
from tests.publication.factories import demo_company, policy_v2

from steward.audit.tables import AuditEvent
from steward.config import Settings
from steward.consent.checks import check, filter_rows
from steward.consent.subjects import email_ref
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.publication import announcements
from steward.publication.tables import Announcement, AnnouncementRecipient
from steward.publication.versions import publish
from steward.store.db import as_utc, make_sessionmaker, transaction

PURPOSE = "product_research_invites"
# Written by hand: the language each demo country's people are written to. The policy offers
# en and da; Norwegian and Swedish authorities name nb and sv, which it does not offer.
LANGUAGE = {"DK": "da", "NO": "en", "SE": "en", "GB": "en"}
SUBJECT = {"da": "et nyt formål fra", "en": "a new purpose from"}


class _Server:
    """aiosmtpd handler: collects messages, refuses the addresses in `refuse` (550)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        from email import message_from_bytes
        from email.policy import default

        msg = message_from_bytes(envelope.content, policy=default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Server]]:
    from aiosmtpd.controller import Controller

    handler = _Server()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    yield port, handler
    ctl.stop()


def _people(demo: Path) -> dict[str, str]:
    """Independent of the code under test: every CRM customer's address -> expected language."""
    eng = sa.create_engine(f"sqlite:///{demo / 'crm.db'}")
    with eng.connect() as c:
        rows = c.execute(sa.text("SELECT lower(email), country FROM customers "
                                 "WHERE email IS NOT NULL")).all()
    eng.dispose()
    return {email: LANGUAGE[country] for email, country in rows}


@pytest.fixture
def setup(engine: Engine, tmp_path: Path, smtp: tuple[int, _Server]
          ) -> tuple[Settings, Policy, Path, dict[str, str]]:
    v2_dir = policy_v2(tmp_path)
    settings = settings_for(engine, tmp_path, policy=v2_dir, smtp_host="127.0.0.1",
                            smtp_port=smtp[0], smtp_starttls=False)
    demo = demo_company(settings.data_dir)
    return settings, load_policy(v2_dir), v2_dir, _people(demo)


def _announcement(sm: Any) -> Announcement:
    with transaction(sm) as s:
        rows = announcements.listing(s)
        assert len(rows) == 1
        s.expunge(rows[0])
        return rows[0]


def test_announcement_end_to_end(engine: Engine, tmp_path: Path, smtp: tuple[int, _Server],
                                 setup: tuple[Settings, Policy, Path, dict[str, str]]) -> None:
    settings, v2, v2_dir, people = setup
    _, server = smtp
    sm = make_sessionmaker(engine)
    secret = settings.resolved_secret_key()
    with transaction(sm) as s:
        publish(s, load_policy(PROMARK))
        assert announcements.listing(s) == []  # the first version announces nothing
    # The server starts on the new version: publishing it plans the announcement.
    client = make_client(engine, tmp_path, policy=v2_dir, smtp_host="127.0.0.1",
                         smtp_port=smtp[0], smtp_starttls=False)
    ann = _announcement(sm)
    assert (ann.purpose, ann.change, ann.status, ann.notice_days) == (
        "product_research", "added", "planned", 30)
    someone = sorted(people)[0]

    # Before anyone is told, the purpose is blocked for everyone.
    with transaction(sm) as s:
        r = check(s, v2, someone, PURPOSE, secret=secret)
    assert not r.allowed and r.basis["kind"] == "not_yet" and r.basis["starts_at"] is None
    assert "Art. 13(3)" in r.basis["article"]

    # Who will be told, before sending: everyone in the CRM with an address, counted once.
    found = announcements.plan(settings, v2, "product_research")
    assert found.people == len(people)
    assert {(t.system, t.table) for t in found.tables} == {("crm", "customers"),
                                                           ("crm", "invoices")}
    assert found.warnings == []

    sent_at = datetime.now(UTC)
    with transaction(sm) as s:
        started = announcements.start(s, ann.id, actor="dpo@example.com", now=sent_at)
        starts_at = as_utc(started.starts_at)
    assert starts_at == sent_at + timedelta(days=30)
    result = announcements.run(sm, settings, v2, ann.id, now=sent_at, batch=7)
    assert (result.sent, result.failed) == (len(people), 0)

    # Every affected person got one mail, in their language, with a one-click objection link.
    got = {str(m["To"]).lower(): m for m in server.messages}
    assert sorted(got) == sorted(people)
    for email, lang in people.items():
        msg = got[email]
        assert SUBJECT[lang] in str(msg["Subject"])
        assert starts_at.date().isoformat() in str(msg["Subject"])
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None and "/privacy/unsubscribe?token=" in body.get_content()
        assert msg["List-Unsubscribe"] is None  # not marketing-related: no list headers
    with transaction(sm) as s:
        rows = list(s.scalars(select(AnnouncementRecipient)))
        assert len(rows) == len(people) and {r.status for r in rows} == {"sent"}
        assert {r.subject_ref for r in rows} == {email_ref(secret, e) for e in people}
        assert {r.message_id for r in rows} == {str(m["Message-ID"]) for m in server.messages}
        ann_row = s.get_one(Announcement, ann.id)
        assert ann_row.status == "sent" and ann_row.all_on_time
        # nothing personal in the audit log
        details = list(s.scalars(select(AuditEvent.details)))
        assert not any(e in d for e in people for d in details)

    # One person objects before the start, through the link in their mail.
    objector = sorted(people)[1]
    body = got[objector].get_body(preferencelist=("plain",))
    assert body is not None
    link = next(w for w in body.get_content().split() if "/privacy/unsubscribe?token=" in w)
    resp = client.post(link.replace("https://testserver", ""))
    assert resp.status_code == 200

    # Until the start date the purpose answers "not yet", with the date; in batches too.
    before = starts_at - timedelta(minutes=1)
    after = starts_at + timedelta(minutes=1)
    with transaction(sm) as s:
        r = check(s, v2, someone, PURPOSE, secret=secret, at=before)
        assert not r.allowed and r.basis["kind"] == "not_yet"
        assert r.basis["starts_at"] == starts_at.isoformat()
        assert check(s, v2, someone, PURPOSE, secret=secret, at=after).allowed
        r = check(s, v2, objector, PURPOSE, secret=secret, at=after)
        assert not r.allowed and r.basis["kind"] == "objection"
        # An existing purpose is not affected by the announcement.
        assert check(s, v2, someone, "satisfaction_surveys", secret=secret, at=before).allowed
    with transaction(sm) as s:
        rows_in = [{"email": e} for e in (someone, objector)]
        batch = list(filter_rows(s, v2, secret, rows_in, PURPOSE))
    assert [r.basis["kind"] for _, r in batch if r] == ["not_yet", "not_yet"]
    with transaction(sm) as s:
        assert announcements.counts(s, ann.id) == {"pending": 0, "sent": len(people),
                                                   "failed": 0, "objected": 1}


def test_refused_mail_is_retried_and_the_date_does_not_move(
        engine: Engine, tmp_path: Path, smtp: tuple[int, _Server],
        setup: tuple[Settings, Policy, Path, dict[str, str]]) -> None:
    settings, v2, _, people = setup
    _, server = smtp
    sm = make_sessionmaker(engine)
    secret = settings.resolved_secret_key()
    with transaction(sm) as s:
        publish(s, load_policy(PROMARK))
        publish(s, v2)
    ann = _announcement(sm)
    bounced = sorted(people)[2]
    server.refuse = {bounced}
    t0 = datetime.now(UTC)
    with transaction(sm) as s:
        starts_at = as_utc(announcements.start(s, ann.id, actor="dpo", now=t0).starts_at)
    res = announcements.run(sm, settings, v2, ann.id, now=t0)
    assert (res.sent, res.failed) == (len(people) - 1, 1)
    with transaction(sm) as s:
        row = s.scalars(select(AnnouncementRecipient).where(
            AnnouncementRecipient.subject_ref == email_ref(secret, bounced))).one()
        assert row.status == "failed" and row.attempts == 1
        assert "SMTPRecipientsRefused" in (row.error or "")
        assert as_utc(row.next_at) == t0 + timedelta(minutes=5)
        assert s.get_one(Announcement, ann.id).status == "sending"
        # Not told: after the start date the person still waits; the others may start.
        after = starts_at + timedelta(minutes=1)
        assert check(s, v2, bounced, PURPOSE, secret=secret, at=after).basis["kind"] == "not_yet"
        assert check(s, v2, sorted(people)[0], PURPOSE, secret=secret, at=after).allowed
        # Not due yet: nothing to retry.
        assert announcements.due(s, t0 + timedelta(minutes=1)) == []

    # The mailbox works again; the retry, ten days later, tells the person late.
    server.refuse = set()
    later = t0 + timedelta(days=10)
    out = announcements.retry_due(sm, settings, v2, now=later)
    assert (out[ann.id].sent, out[ann.id].failed) == (1, 0)
    # Nobody else got a second mail.
    assert sorted(str(m["To"]).lower() for m in server.messages) == sorted(people)
    with transaction(sm) as s:
        a = s.get_one(Announcement, ann.id)
        assert a.status == "sent" and not a.all_on_time
        assert as_utc(a.starts_at) == starts_at  # the announced date did not move
        own = later + timedelta(days=30)
        r = check(s, v2, bounced, PURPOSE, secret=secret, at=starts_at + timedelta(days=1))
        assert r.basis["kind"] == "not_yet" and r.basis["starts_at"] == own.isoformat()
        assert check(s, v2, bounced, PURPOSE, secret=secret,
                     at=own + timedelta(seconds=1)).allowed


def test_mail_server_down_stops_the_run_and_keeps_everyone_pending(
        engine: Engine, tmp_path: Path,
        setup: tuple[Settings, Policy, Path, dict[str, str]]) -> None:
    settings, v2, _, people = setup
    down = settings.model_copy(update={"smtp_port": free_port()})
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        publish(s, load_policy(PROMARK))
        publish(s, v2)
    ann = _announcement(sm)
    with transaction(sm) as s:
        announcements.start(s, ann.id, actor="dpo")
    res = announcements.run(sm, settings=down, policy=v2, announcement_id=ann.id)
    assert res.sent == 0 and res.failed == 1 and res.error
    assert "could not be reached" in res.error
    with transaction(sm) as s:
        assert s.get_one(Announcement, ann.id).status == "sending"
        assert announcements.counts(s, ann.id)["sent"] == 0


def test_marketing_related_mail_carries_one_click_unsubscribe(
        sqlite_engine: Engine, tmp_path: Path, smtp: tuple[int, _Server]) -> None:
    port, server = smtp
    from tests.publication.factories import NEW_PURPOSE

    marketing = NEW_PURPOSE.replace("      channels: [email]\n",
                                    "      channels: [email]\n      direct_marketing: true\n")
    assert marketing != NEW_PURPOSE
    folder = policy_v2(tmp_path, marketing)
    settings = settings_for(sqlite_engine, tmp_path, policy=folder, smtp_host="127.0.0.1",
                            smtp_port=port, smtp_starttls=False)
    people = _people(demo_company(settings.data_dir, customers=5))
    v2 = load_policy(folder)
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        publish(s, load_policy(PROMARK))
        publish(s, v2)
        [a] = announcements.listing(s)
        announcements.start(s, a.id, actor="dpo")
    assert announcements.run(sm, settings, v2, a.id).sent == len(people)
    for msg in server.messages:
        assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        assert str(msg["List-Unsubscribe"]).startswith("<https://testserver/privacy/unsubscribe?")


def test_unknown_announcement_and_run_before_start(sqlite_engine: Engine, tmp_path: Path,
                                                   setup: tuple[Settings, Policy, Path,
                                                                dict[str, str]]) -> None:
    from steward.errors import InvalidInput, NotFound

    settings, v2, _, _ = setup
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        publish(s, load_policy(PROMARK))
        publish(s, v2)
        [a] = announcements.listing(s)
    with pytest.raises(NotFound):
        announcements.run(sm, settings, v2, a.id + 1)
    with pytest.raises(InvalidInput, match="Start the announcement first"):
        announcements.run(sm, settings, v2, a.id)
    with transaction(sm) as s:
        assert announcements.counts(s, a.id)["pending"] == 0
