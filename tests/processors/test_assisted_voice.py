"""An assisted request (GDPR Art. 28(3)(e)) is read by the controller's contact, who passed it
on, not by the data subject: its status page and the mails to that contact speak to the
controller. The officer's dashboard says of each request which deadline its date is, so a
deadline to assist is never read as a month of Art. 12(3).

The request is the one of `test_assisted_deadlines`: Nordlys Logistik A/S passed Maja Holm's
access request on to ProMark on Thursday 10 December 2026; ProMark's DPA gives it 10 days to
assist, so it is due on Sunday 20 December 2026 (Nordlys' own month ends 30 December). Expected
sentences are written out by hand below, in English and Danish.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import PROMARK, csrf_from, login, make_client, settings_for
from tests.processors.test_assisted_deadlines import _at, _signed_in_as_contact, made
from tests.requests.conftest import code_from

from steward.mail import list_outbox
from steward.policy.loader import load_policy
from steward.requests import deadlines, delivery, messages, pauses, workflow
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction
from steward.web.app import create_app
from steward.web.console import next_steps

__all__ = ["made"]  # the fixture, shared with test_assisted_deadlines

CONTACT = "privacy@nordlys-logistik.example"


def _text(page: str) -> str:
    """The page's text as read: entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(page).split())


def _sentences(page: str) -> str:
    return _text(re.sub(r"<[^>]+>", " ", page))


def _client(made) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    engine, settings, policy, rid = made
    client = TestClient(
        create_app(settings, policy=policy, engine=engine), base_url="https://testserver"
    )
    with transaction(make_sessionmaker(engine)) as s:
        public_id = s.get_one(DsrRequest, rid).public_id
    return client, public_id


# What the controller's contact reads, written by hand: heading, the request, its state, and
# what we asked for (clarification, asked on 11 December).
ASSISTED = {
    "en": [
        "<h1>The request you passed on</h1>",
        "The request you passed on: a copy of the data subject's data (GDPR Art. 15).",
        "Nordlys Logistik A/S confirmed the request. Our privacy officer is reviewing it before "
        "we search our systems.",
        "We have asked you to clarify the request you passed on: please read our message and "
        "answer it.",
    ],
    "da": [
        "<h1>Anmodningen, som I har sendt videre</h1>",
        "Anmodningen, som I har sendt videre: en kopi af den registreredes oplysninger (GDPR "
        "art. 15).",
        "Nordlys Logistik A/S har bekræftet anmodningen. Vores databeskyttelsesansvarlige "
        "gennemgår den, før vi søger i vores systemer.",
        "Vi har bedt jer præcisere anmodningen, som I har sendt videre: læs venligst vores "
        "besked og besvar den.",
    ],
}
# What the data subject reads on a request of the company's own: what the page said before.
SUBJECT = {
    "en": [
        "<h1>Your request</h1>",
        "Your request: a copy of your data (GDPR Art. 15).",
        "You have confirmed the request. Our privacy officer is reviewing it before we search "
        "our systems.",
        "We have asked you to clarify your request: please read our message and answer it.",
    ],
    "da": [
        "<h1>Din anmodning</h1>",
        "Din anmodning: en kopi af dine oplysninger (GDPR art. 15).",
        "Du har bekræftet anmodningen. Vores databeskyttelsesansvarlige gennemgår den, før vi "
        "søger i vores systemer.",
        "Vi har bedt dig præcisere din anmodning: læs venligst vores besked og besvar den.",
    ],
}
# Words that speak to the data subject, in each language: none is on the controller's page.
TO_THE_SUBJECT = {
    "en": ["Your request", "your request", "your data", "You have confirmed"],
    "da": ["Din anmodning", "din anmodning", "dine oplysninger", "Du har bekræftet", "bedt dig"],
}


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_status_page_of_an_assisted_request_speaks_to_the_controller(made, lang: str) -> None:  # type: ignore[no-untyped-def]
    engine, settings, policy, rid = made
    client, public_id = _client(made)
    with transaction(make_sessionmaker(engine)) as s:
        req = s.get_one(DsrRequest, rid)
        pauses.ask(s, policy, req, "clarification", "officer", on=date(2026, 12, 11), now=_at(11))
    _signed_in_as_contact(client, public_id, settings)
    page = client.get(f"/privacy/requests/{public_id}?lang={lang}")
    assert page.status_code == 200
    text = _text(page.text)
    for sentence in ASSISTED[lang]:
        assert sentence in text
    shown = _sentences(page.text)
    for words in TO_THE_SUBJECT[lang]:
        assert words not in shown, words
    for sentence in SUBJECT[lang]:
        assert sentence not in text


def _subject_request(client: TestClient, settings, lang: str) -> str:  # type: ignore[no-untyped-def]
    """A request of ProMark's own, made by its data subject in the privacy center and confirmed
    with the code mailed to her."""
    token = csrf_from(client.get("/privacy/requests").text)
    r = client.post(
        "/privacy/requests",
        data={
            "csrf_token": token,
            "type": "access",
            "name": "Ada Lind",
            "email": "ada.lind@example.com",
            "country": "DK",
            "language": lang,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    public_id = r.headers["location"].split("r=")[1]
    [mail] = [m for m in list_outbox(settings) if m.to == "ada.lind@example.com"]
    r = client.post(
        "/privacy/requests/verify",
        data={"csrf_token": token, "public_id": public_id, "code": code_from(mail.body)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return public_id


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_data_subjects_own_page_is_unchanged(  # type: ignore[no-untyped-def]
    sqlite_engine: Engine, tmp_path: Path, lang: str
) -> None:
    settings = settings_for(sqlite_engine, tmp_path)
    policy = load_policy(PROMARK)
    client = TestClient(
        create_app(settings, policy=policy, engine=sqlite_engine), base_url="https://testserver"
    )
    public_id = _subject_request(client, settings, lang)
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        req = workflow.by_public_id(s, public_id)
        pauses.ask(s, policy, req, "clarification", "officer")
    page = client.get(f"/privacy/requests/{public_id}?lang={lang}")
    assert page.status_code == 200
    text = _text(page.text)
    for sentence in SUBJECT[lang]:
        assert sentence in text
    for sentence in ASSISTED[lang]:
        assert sentence not in text


def test_the_code_mail_speaks_to_the_controllers_contact(made) -> None:  # type: ignore[no-untyped-def]
    settings = made[1]
    client, public_id = _client(made)
    _signed_in_as_contact(client, public_id, settings)
    [mail] = [m for m in list_outbox(settings) if m.to == CONTACT]
    code = code_from(mail.body)
    # The catalog's security note, not the policy's, which tells a data subject to "receive
    # your data securely".
    assert mail.body == (
        f"Your code is {code}. Enter it at https://testserver/privacy/requests/{public_id} "
        f"within 30 minutes to see the request {public_id[:8]} that Nordlys Logistik A/S "
        "passed on to ProMark A/S.\n\n"
        "If Nordlys Logistik A/S did not pass a request on to ProMark A/S, ignore this "
        "message.\n\n"
        "Please note that ordinary e-mail is not secure communication: do not send personal "
        "or sensitive information by e-mail.\n"
    )


def test_the_message_mail_speaks_to_the_controllers_contact(made) -> None:  # type: ignore[no-untyped-def]
    engine, settings, policy, rid = made
    with transaction(make_sessionmaker(engine)) as s:
        req = s.get_one(DsrRequest, rid)
        messages.send_new_message(settings, policy, req)
        public_id = req.public_id
    [mail] = [m for m in list_outbox(settings) if m.to == CONTACT]
    assert mail.subject == "A new message about the request you passed on"
    assert mail.body.startswith(
        f"You have a new message from ProMark A/S about the request {public_id[:8]} that "
        "Nordlys Logistik A/S passed on to us as its processor.\n\n"
        f"Read it and answer here: https://testserver/privacy/requests/{public_id}/messages\n"
    )
    assert "your privacy request" not in mail.body


def _subject_request_in(engine: Engine, settings, policy, received: date) -> int:  # type: ignore[no-untyped-def]
    """A request of ProMark's own, received by post on `received` and entered by the officer."""
    out = workflow.submit_request(
        make_sessionmaker(engine),
        settings,
        policy,
        type="access",
        name="Bo Ek",
        email="bo.ek@example.com",
        country="DK",
        language="en",
        channel="officer",
        actor="officer",
        received=received,
        received_via="post",
        evidence="ID checked in person",
        now=datetime(received.year, received.month, received.day, 12, tzinfo=UTC),
    )
    return out.id


def test_the_dashboard_names_the_deadline_of_each_row(made) -> None:  # type: ignore[no-untyped-def]
    """On Monday 21 December 2026 Nordlys' request is a day past the deadline to assist (20
    December), which is not an Art. 12(3) date; Bo Ek's request of ProMark's own, received by
    post on Tuesday 17 November, was due under Art. 12(3) on Thursday 17 December."""
    engine, settings, policy, rid = made
    own = _subject_request_in(engine, settings, policy, date(2026, 11, 17))
    sm = make_sessionmaker(engine)
    with sm() as s:
        overdue, week = next_steps.groups(
            s, policy, workflow.sealer_for(settings), now=datetime(2026, 12, 21, 9, tzinfo=UTC)
        )[:2]
    assert overdue.title == "Overdue requests"
    assert [(i.link, i.when, i.deadline) for i in overdue.items] == [
        (f"/console/requests/{own}", "4 days overdue", "answer due 2026-12-17 (GDPR Art. 12(3))"),
        (
            f"/console/requests/{rid}",
            "1 day overdue",
            "deadline to assist Nordlys Logistik A/S: 2026-12-20 (GDPR Art. 28(3)(e))",
        ),
    ]
    assert week.items == []
    # A week earlier, on Monday 14 December, Nordlys' request falls due within the week.
    with sm() as s:
        overdue, week = next_steps.groups(
            s, policy, workflow.sealer_for(settings), now=datetime(2026, 12, 14, 9, tzinfo=UTC)
        )[:2]
    assert [(i.link, i.when, i.deadline) for i in week.items] == [
        (f"/console/requests/{own}", "due in 3 days", "answer due 2026-12-17 (GDPR Art. 12(3))"),
        (
            f"/console/requests/{rid}",
            "due in 6 days",
            "deadline to assist Nordlys Logistik A/S: 2026-12-20 (GDPR Art. 28(3)(e))",
        ),
    ]


def test_the_dashboard_page_shows_the_deadline_to_assist(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The page draws each row's deadline next to its count of days. The page reads the clock,
    so the request is placed as due today, whatever day the test runs."""
    engine, _, policy, rid = made
    today = deadlines.today(policy)
    with transaction(make_sessionmaker(engine)) as s:
        s.get_one(DsrRequest, rid).due_on = today
    client = make_client(engine, tmp_path, officer_email="dpo@promark.example")
    login(client, engine, "viewer")
    todo = client.get("/console").text.split("What to do next", 1)[1].split("At a glance")[0]
    row = todo.split(f'href="/console/requests/{rid}"', 1)[1].split("</li>", 1)[0]
    assert (
        '<span class="badge warn">due in 0 days</span> <span class="muted small">deadline to '
        f"assist Nordlys Logistik A/S: {today.isoformat()} (GDPR Art. 28(3)(e))</span>"
    ) in row


def test_the_messages_page_speaks_to_the_controller(made) -> None:  # type: ignore[no-untyped-def]
    """The new-message mail leads the contact to the request's messages."""
    settings = made[1]
    client, public_id = _client(made)
    _signed_in_as_contact(client, public_id, settings)
    page = _text(client.get(f"/privacy/requests/{public_id}/messages?lang=da").text)
    assert "<h1>Beskeder om anmodningen, som I har sendt videre</h1>" in page
    assert "Beskeder om din anmodning" not in page
    page = _text(client.get(f"/privacy/requests/{public_id}/messages?lang=en").text)
    assert "<h1>Messages about the request you passed on</h1>" in page
    assert "about your request" not in page


def test_the_notice_before_a_restriction_is_lifted_goes_to_the_controller(made) -> None:  # type: ignore[no-untyped-def]
    """GDPR Art. 18(3) is the controller's duty to its data subject: the processor tells the
    controller's contact, never as if it were the person who asked."""
    settings, policy = made[1], made[2]
    delivery.send_lift_notice(
        settings,
        policy,
        email=CONTACT,
        public_id="Rq7example",
        lang="en",
        reason="the accuracy of the address is verified",
        client="Nordlys Logistik A/S",
    )
    [mail] = [m for m in list_outbox(settings) if m.to == CONTACT]
    assert mail.subject == "We will lift the restriction of processing of a request you passed on"
    assert mail.body == (
        "Nordlys Logistik A/S passed on to us a request to restrict the processing of a data "
        "subject's data, and we restricted it in our systems. Before we lift that restriction, "
        "we tell you, so that Nordlys Logistik A/S can inform the data subject as GDPR Art. "
        "18(3) requires (Art. 28(3)(e)). Our reason: the accuracy of the address is verified\n\n"
        "The request in our privacy center: https://testserver/privacy/requests/Rq7example\n\n"
        "ProMark A/S\n"
    )
