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

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.helpers import PROMARK, login, make_client, settings_for

from steward.config import Settings
from steward.errors import Conflict
from steward.jobs.deadline_reminders import send_deadline_reminders
from steward.mail import list_outbox
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.requests import assisted, deadlines, fees, pauses, queue, workflow
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction

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
