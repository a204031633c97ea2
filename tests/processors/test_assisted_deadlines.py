"""The due date of an assisted request (GDPR Art. 28(3)(e)) is the deadline to assist the
controller, wherever a due date is shown or acted on: after a wait for clarification, in the
queue, the request page, the reminders, a refusal's timeliness; the company cannot extend it
nor ask the data subject's fee (both are the controller's, Art. 12(3) and 12(5)(a)).

Dates by hand: Nordlys Logistik (DK, ProMark's example policy) received its employee's request
on Monday 30 November 2026; its own month under Art. 12(3) ends Wednesday 30 December 2026. It
passed the request on to ProMark on Thursday 10 December; ProMark's DPA gives it 10 days to
assist: Sunday 20 December 2026 (calendar days, as the DPA counts them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import PROMARK, csrf_from, login, make_client, settings_for
from tests.requests.conftest import code_from

from steward.config import Settings
from steward.errors import Conflict
from steward.jobs.deadline_reminders import send_deadline_reminders
from steward.mail import list_outbox
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.processors import apikeys
from steward.requests import assisted, deadlines, fees, pauses, queue, workflow
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction
from steward.web.app import create_app

PASSED_ON = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
ASSIST_BY = date(2026, 12, 20)
NORDLYS_DUE = date(2026, 12, 30)


def _at(day: int) -> datetime:
    return datetime(2026, 12, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def made(sqlite_engine: Engine, tmp_path: Path) -> tuple[Engine, Settings, Policy, int]:
    settings = settings_for(sqlite_engine, tmp_path, officer_email="dpo@promark.example")
    policy = load_policy(PROMARK)
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        req = assisted.submit(
            s,
            policy,
            workflow.sealer_for(settings),
            controller="nordlys",
            type="access",
            name="Maja Holm",
            identities={"email": ["maja.holm@nordlys-logistik.example"]},
            received_on="2026-11-30",
            actor="controller:nordlys",
            now=PASSED_ON,
        )
        assert (req.due_on, req.controller_due_on) == (ASSIST_BY, NORDLYS_DUE)
        return sqlite_engine, settings, policy, req.id


def test_a_wait_for_clarification_keeps_the_deadline_to_assist(made) -> None:  # type: ignore[no-untyped-def]
    engine, settings, policy, rid = made
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, rid)
        pauses.ask(s, policy, req, "clarification", "officer", on=date(2026, 12, 11), now=_at(11))
        assert req.due_on == ASSIST_BY
        pauses.answered(s, policy, req, "officer", on=date(2026, 12, 15), now=_at(15))
        assert req.due_on == ASSIST_BY
        assert deadlines.effective_due(policy, req) == ASSIST_BY
        # The queue reads the clock of a request that waited: the same date, 6 days left.
        [row] = queue.search(
            s, policy, workflow.sealer_for(settings), queue.Filters(), today=date(2026, 12, 14)
        ).rows
        assert (row.due, row.days_left) == (ASSIST_BY, 6)
        # The reminder of the last week, 6 days before the deadline to assist, not 16.
        assert send_deadline_reminders(s, settings, now=_at(14)) == [(req.public_id, "7 days")]
    [mail] = [m for m in list_outbox(settings) if m.to == "dpo@promark.example"]
    assert (
        f"- {req.public_id}: due 2026-12-20 (assisting nordlys, GDPR Art. 28(3)(e); the "
        "controller's own deadline 2026-12-30)"
    ) in mail.body


def test_extension_and_fee_are_the_controllers_and_a_late_refusal_is_late(made) -> None:  # type: ignore[no-untyped-def]
    engine, settings, policy, rid = made
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, rid)
        with pytest.raises(Conflict, match=r"Art\. 28\(3\)\(e\)"):
            workflow.extend(
                s, settings, policy, req, "complex", "officer", today=date(2026, 12, 11)
            )
        with pytest.raises(Conflict, match=r"Art\. 12\(5\)\(a\)"):
            fees.ask_fee(
                s,
                settings,
                policy,
                req,
                amount="25 EUR",
                reason="repeated requests",
                actor="officer",
                sealer=workflow.sealer_for(settings),
                now=_at(11),
            )
        assert (req.due_on, req.extended, req.fee_amount) == (ASSIST_BY, False, None)
        # Refused on 21 December: a day after the deadline to assist, though within the
        # controller's month.
        assert (
            workflow.refuse(
                s,
                settings,
                policy,
                req,
                "outside the DPA's scope",
                "officer",
                today=date(2026, 12, 21),
            )
            is False
        )


def test_officer_sees_both_deadlines_and_no_extension(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = made[0]
    client = make_client(engine, tmp_path, officer_email="dpo@promark.example")
    login(client, engine, "officer")
    page = client.get(f"/console/requests/{made[3]}")
    assert page.status_code == 200
    assert '<td id="due">2026-12-20 (nordlys)</td>' in page.text
    assert '<td id="controller-due">2026-12-30</td>' in page.text
    assert "/extend" not in page.text and 'value="fee"' not in page.text
    assert 'name="fee"' not in page.text
    listed = client.get("/console/requests").text
    assert (
        '<td>2026-12-20<br><span class="muted small">assisting nordlys (GDPR Art. 28(3)(e)); '
        "controller's deadline 2026-12-30</span></td>"
    ) in listed


def _signed_in_as_contact(client, public_id: str, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """The controller's contact comes back to the request's page: a code is mailed to it (the
    request's address), and the code signs this browser in."""
    token = csrf_from(client.get(f"/privacy/requests/{public_id}").text)
    r = client.post(
        "/privacy/requests/resend",
        data={"csrf_token": token, "public_id": public_id},
        follow_redirects=False,
    )
    assert r.status_code == 303
    [mail] = [m for m in list_outbox(settings) if m.to == "privacy@nordlys-logistik.example"]
    r = client.post(
        "/privacy/requests/verify",
        data={"csrf_token": token, "public_id": public_id, "code": code_from(mail.body)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


@pytest.mark.parametrize(
    ("lang", "assist", "own"),
    [
        (
            "en",
            'Our deadline to assist Nordlys Logistik A/S: <strong id="assistance-due">'
            "2026-12-20</strong> (GDPR Art. 28(3)(e)).",
            "The deadline of Nordlys Logistik A/S to answer the data subject: "
            '<strong id="controller-due">2026-12-30</strong> (GDPR Art. 12(3); its own to count '
            "and extend).",
        ),
        (
            "da",
            'Vores frist for at bistå Nordlys Logistik A/S: <strong id="assistance-due">'
            "2026-12-20</strong> (GDPR art. 28, stk. 3, litra e).",
            "Fristen for Nordlys Logistik A/S til at svare den registrerede: "
            '<strong id="controller-due">2026-12-30</strong> (GDPR art. 12, stk. 3; den '
            "dataansvarlige beregner og forlænger selv fristen).",
        ),
        (
            "nb",
            'Vår frist for å bistå Nordlys Logistik A/S: <strong id="assistance-due">'
            "2026-12-20</strong> (GDPR art. 28 nr. 3 bokstav e).",
            "Fristen for Nordlys Logistik A/S til å svare den registrerte: "
            '<strong id="controller-due">2026-12-30</strong> (GDPR art. 12 nr. 3; den '
            "behandlingsansvarlige beregner og forlenger selv fristen).",
        ),
        (
            "sv",
            'Vår tidsfrist för att bistå Nordlys Logistik A/S: <strong id="assistance-due">'
            "2026-12-20</strong> (GDPR art. 28.3 e).",
            "Tidsfristen för Nordlys Logistik A/S att besvara den registrerade: "
            '<strong id="controller-due">2026-12-30</strong> (GDPR art. 12.3; den '
            "personuppgiftsansvarige beräknar och förlänger själv tidsfristen).",
        ),
    ],
)
def test_the_status_page_shows_the_deadline_to_assist_not_a_month_of_ours(  # type: ignore[no-untyped-def]
    made, tmp_path: Path, lang: str, assist: str, own: str
) -> None:
    """The page of the request, which the controller's contact reaches from its mails, states
    our deadline to assist and the controller's own month, never a month of Art. 12(3) as if
    the company answered the person (which would read 30 December as our date)."""
    engine, settings, policy, rid = made
    # ProMark's centre speaks English and Danish; offered here in Norwegian and Swedish too,
    # as a policy naming them would.
    meta = policy.policy.model_copy(update={"languages": ["en", "da", "nb", "sv"]})
    client = TestClient(
        create_app(settings, policy=policy.model_copy(update={"policy": meta}), engine=engine),
        base_url="https://testserver",
    )
    with transaction(make_sessionmaker(engine)) as s:
        public_id = s.get_one(DsrRequest, rid).public_id
        # The officer asked the controller to clarify, on 11 December: no date moves.
        pauses.ask(
            s,
            policy,
            s.get_one(DsrRequest, rid),
            "clarification",
            "officer",
            on=date(2026, 12, 11),
            now=_at(11),
        )
    _signed_in_as_contact(client, public_id, settings)
    page = client.get(f"/privacy/requests/{public_id}?lang={lang}")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert assist in text
    assert own in text
    assert 'id="statutory-due"' not in text and "one month" not in text
    assert "EDPB Guidelines 01/2022" not in text
    assert 'id="clock-running"' in text


def test_the_officers_api_answers_the_deadline_to_assist(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The request's JSON names our deadline to assist and the controller's own; no statutory
    month or clock of the company's is given for a controller's request."""
    engine, rid = made[0], made[3]
    client = make_client(engine, tmp_path, officer_email="dpo@promark.example")
    login(client, engine, "officer")
    view = client.get(f"/api/requests/{rid}").json()
    assert {
        k: view[k]
        for k in (
            "due_on",
            "assistance_due_on",
            "controller_due_on",
            "statutory_due",
            "adjusted_due",
            "stop_the_clock",
            "clock_status",
        )
    } == {
        "due_on": "2026-12-20",
        "assistance_due_on": "2026-12-20",
        "controller_due_on": "2026-12-30",
        "statutory_due": None,
        "adjusted_due": None,
        "stop_the_clock": False,
        "clock_status": "assisting",
    }
    [listed] = [r for r in client.get("/api/requests").json() if r["id"] == rid]
    assert (listed["assistance_due_on"], listed["statutory_due"]) == ("2026-12-20", None)


def test_the_portal_names_both_deadlines_with_their_articles(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _, policy, _ = made
    with transaction(make_sessionmaker(engine)) as s:
        key = apikeys.create(s, policy, controller="nordlys", name="HR", actor="test")[1]
    client = make_client(engine, tmp_path, officer_email="dpo@promark.example")
    page = client.post("/controllers/portal", data={"key": key, "action": "list"})
    assert page.status_code == 200
    assert '<th scope="col">Our deadline to assist (GDPR Art. 28(3)(e))</th>' in page.text
    assert '<th scope="col">Your deadline (GDPR Art. 12(3))</th>' in page.text
    assert "<td>2026-12-20</td><td>2026-12-30</td>" in page.text


def test_the_cli_names_both_deadlines(made) -> None:  # type: ignore[no-untyped-def]
    """`steward dsr list` and the dates printed after `dsr ask` say whose deadline is whose."""
    engine, settings, _, rid = made
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": settings.database_url,
        "STEWARD_DATA_DIR": str(settings.data_dir),
        "STEWARD_SECRET_KEY": settings.resolved_secret_key(),
        "STEWARD_POLICY": str(settings.policy),
    }
    exe = str(Path(sys.executable).parent / "steward")

    def cli(*args: str) -> str:
        done = subprocess.run(
            [exe, "dsr", *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    both = (
        "due 2026-12-20 to assist nordlys (GDPR Art. 28(3)(e)); the controller's own deadline "
        "2026-12-30 (Art. 12(3))"
    )
    assert both in cli("list")
    # Asked today (whatever day the test runs): the deadline to assist stays.
    asked = cli("ask", str(rid), "--kind", "clarification")
    assert asked == f"request {rid}: {both}\n"
    shown = json.loads(cli("answered", str(rid), "--json"))
    assert (shown["assistance_due_on"], shown["statutory_due"]) == ("2026-12-20", None)
