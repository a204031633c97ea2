"""Affected people over a support-desk database (SQLite, PostgreSQL, MariaDB): a time window, ids,
filters, addresses through references; counts feed the register; Art. 34 letters through a
real SMTP server, once per person, audited without addresses."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import (
    NOW,
    PEOPLE,
    breach_input,
    make_support_db,
    promark,
    with_support_url,
)

from steward import audit
from steward.breaches.affected import Selection, find_affected, record_lookup, send_letters
from steward.breaches.assessment import assess, tasks_for
from steward.breaches.inputs import AssessmentInput
from steward.breaches.register import get_breach, register_breach
from steward.config import Settings
from steward.errors import InvalidInput
from steward.store.db import transaction


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def support_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'support.db'}"
    elif request.param == "mariadb":
        url = request.getfixturevalue("mariadb_server_url")
    else:
        server = request.getfixturevalue("pg_server_url")
        name = f"support_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = f"{server.rsplit('/', 1)[0]}/{name}"
    make_support_db(url)
    yield url
    if request.param == "postgres":
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


WINDOW = {"date_column": "opened_at", "since": datetime(2026, 3, 1, tzinfo=UTC),
          "until": datetime(2026, 3, 5, tzinfo=UTC)}


def test_window_ids_filters_and_references(support_url: str) -> None:
    policy = with_support_url(promark(), support_url)
    found = find_affected(policy, Selection(system="support", table="tickets", **WINDOW),
                          secret="k")
    # Two rounds of 5 tickets fall in 1-5 March; the one without an address is counted apart.
    assert found.records == 10 and found.without_address == 2
    assert [p.email for p in found.people] == sorted(e for _, e in PEOPLE if e)
    assert all(p.rows == 2 for p in found.people)
    by_ids = find_affected(policy, Selection(system="support", table="tickets", ids=[1, 2, 6]),
                           secret="k")
    assert [p.email for p in by_ids.people] == ["astrid.holm@example.com",
                                                 "bjorn.lund@example.com"]
    open_only = find_affected(policy, Selection(
        system="support", table="tickets",
        filters=[{"field": "status", "op": "eq", "value": "open"}]), secret="k")
    assert {p.email for p in open_only.people} == {"bjorn.lund@example.com",
                                                   "dorte.vinter@example.net"}
    # messages have no address: it comes from tickets through messages.ticket_id -> tickets.id
    msgs = find_affected(policy, Selection(system="support", table="messages",
                                           date_column="sent_at", since=WINDOW["since"],
                                           until=datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
                         secret="k")
    assert msgs.records == 4 and [p.email for p in msgs.people] == [
        "astrid.holm@example.com", "bjorn.lund@example.com"]


def test_bad_selections(support_url: str) -> None:
    policy = with_support_url(promark(), support_url)
    for sel, message in [
        (Selection(system="support", table="tickets"), "Give a time window"),
        (Selection(system="support", table="tickets",
                   filters=[{"field": "password", "value": "x"}]), "not a field the policy"),
        (Selection(system="support", table="tickets",
                   filters=[{"field": "status", "op": "like", "value": "x"}]), "operator"),
        (Selection(system="support", table="nosuch", ids=[1]), "no table"),
        (Selection(system="support", table="tickets", date_column="opened_at",
                   since=datetime(2026, 3, 1)), "time zone"),
        (Selection(system="support", table="tickets", ids=["abc"]), "whole numbers"),
        (Selection(system="support", table="tickets", identities={"phone": ["1"]}),
         "no 'phone' identity"),
        (Selection(system="newsletter", table="subscribers", date_column="subscribed_at",
                   since=datetime(2026, 3, 1, tzinfo=UTC)), "cannot select by time"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            find_affected(policy, sel, secret="k")


def test_counts_feed_the_register_and_letters_go_once(
    sm: sessionmaker[Session], smtp_server: tuple[str, int, list[object]], tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    make_support_db(url)
    policy = with_support_url(promark(), url)
    host, port, received = smtp_server
    settings = Settings(smtp_host=host, smtp_port=port, smtp_starttls=False, data_dir=tmp_path,
                        secret_key="letters-secret")
    sel = Selection(system="support", table="tickets", language="da", **WINDOW)
    with transaction(sm) as s:
        bid = register_breach(s, policy, breach_input(), actor="officer", now=NOW).id
        found = find_affected(policy, sel, secret=settings.resolved_secret_key())
        record_lookup(s, bid, sel, found, actor="officer", now=NOW)
        row = get_breach(s, bid)
        assert (row.subjects_approx, row.records_approx) == (6, 10)
    with pytest.raises(InvalidInput, match="Assess the risk"), transaction(sm) as s:
        send_letters(s, settings, policy, bid, sel, actor="officer")
    with transaction(sm) as s:
        assess(s, policy, bid, AssessmentInput(risk="high", reasoning="Health notes exposed."),
               actor="officer", now=NOW)
        run = send_letters(s, settings, policy, bid, sel, actor="officer",
                           now=NOW + timedelta(minutes=1))
    assert (run.sent, run.skipped, run.without_address) == (4, 0, 2)
    assert sorted(str(m["To"]) for m in received) == sorted(e for _, e in PEOPLE if e)  # type: ignore[index]
    assert all(str(m["Subject"]).startswith("Vigtigt") for m in received)  # type: ignore[index]
    with transaction(sm) as s:
        again = send_letters(s, settings, policy, bid, sel, actor="officer",
                             now=NOW + timedelta(minutes=2))
        assert (again.sent, again.skipped) == (0, 4)
        assert len(received) == 4
        tasks = {t.key: t.done for t in tasks_for(s, policy, get_breach(s, bid))}
        assert tasks["notify_subjects"] is True
        events = [e for e in audit.events_for(s, f"breach:{bid}")
                  if e.action == "breach.letter_sent"]
        assert len(events) == 4
        assert not any("@" in e.details or "example" in e.details for e in events)


def test_mail_server_down_keeps_letters_sent(
    sm: sessionmaker[Session], tmp_path: Path,
) -> None:
    from tests.conftest import free_port

    url = f"sqlite:///{tmp_path / 'support.db'}"
    make_support_db(url)
    policy = with_support_url(promark(), url)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False,
                        data_dir=tmp_path, secret_key="s")
    with transaction(sm) as s:
        bid = register_breach(s, policy, breach_input(), actor="officer", now=NOW).id
        assess(s, policy, bid, AssessmentInput(risk="high", reasoning="r"), actor="o", now=NOW)
        run = send_letters(s, settings, policy, bid,
                           Selection(system="support", table="tickets", **WINDOW), actor="o")
    assert run.sent == 0 and run.failed == 4 and run.error and "mail server" in run.error
