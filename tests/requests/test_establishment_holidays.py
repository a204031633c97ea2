"""Holidays follow the answering establishment's calendar (Reg. 1182/71 Art. 3(4)), with the
UK's nations apart: a due date moves for a Scottish or Northern Irish bank holiday and not in
England. Dates are the nations' published bank holidays."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from steward.policy.models import Establishment, Policy
from steward.requests import workflow
from steward.requests.deadlines import answering_calendar, due_for
from steward.requests.intake import submit
from steward.store.db import transaction

STEWARD = str(Path(sys.executable).with_name("steward"))

CASES = [
    # received, due in England & Wales, subdivision, due there, the holiday
    (date(2023, 10, 30), date(2023, 11, 30), "SCT", date(2023, 12, 1), "St Andrew's Day"),
    (date(2024, 12, 2), date(2025, 1, 2), "SCT", date(2025, 1, 3), "2 January"),
    (date(2025, 2, 17), date(2025, 3, 17), "NIR", date(2025, 3, 18), "St Patrick's Day"),
    (date(2023, 6, 12), date(2023, 7, 12), "NIR", date(2023, 7, 13), "Battle of the Boyne"),
]


def _with_establishment(policy: Policy, est: Establishment) -> Policy:
    controller = policy.controller.model_copy(update={"establishments": [est]})
    return policy.model_copy(update={"controller": controller})


@pytest.mark.parametrize(("received", "england", "subdiv", "there", "holiday"), CASES)
def test_due_dates_move_only_in_the_nation_with_the_holiday(  # type: ignore[no-untyped-def]
    dsm, settings, policy, received, england, subdiv, there, holiday
):
    assert due_for(received, "GB") == england  # no subdivision: England & Wales
    assert due_for(received, "GB", subdiv=subdiv) == there, holiday
    office = _with_establishment(
        policy, Establishment(country="GB", name="UK office", holiday_subdivision=subdiv)
    )
    assert answering_calendar(office, "GB") == ("GB", subdiv)
    with transaction(dsm) as s:
        sub = submit(
            s,
            office,
            workflow.sealer_for(settings),
            type="access",
            name="Sam Example",
            email=f"sam{received.toordinal()}@example.com",
            country="GB",
            received=received,
            received_via="post",
            now=datetime.combine(received, time(12), UTC),
        )
        assert sub.request.due_on == there
    # the example policy's UK office follows England's calendar
    assert due_for(received, "GB", policy=policy) == england


def test_an_establishment_answering_another_jurisdiction_brings_its_calendar(policy):  # type: ignore[no-untyped-def]
    # An office in Belfast answering the UK's requests: St Patrick's Day moves the date.
    belfast = _with_establishment(
        policy,
        Establishment(country="GB", name="Belfast", answers=["GB"], holiday_subdivision="NIR"),
    )
    assert answering_calendar(belfast, "GB") == ("GB", "NIR")
    assert due_for(date(2025, 2, 17), "GB", policy=belfast) == date(2025, 3, 18)
    # the Danish head office answering Norwegian requests: Danish holidays apply. 17 May is
    # Norway's Constitution Day, not a Danish holiday (LEGAL.md: holidays of the answering
    # jurisdiction; 17 May 2023 is a Wednesday). Under Norway's own calendar 17 May and
    # 18 May (Ascension Day) are holidays, so the date would be Friday 19 May.
    hq = _with_establishment(policy, Establishment(country="DK", answers=["NO"]))
    assert answering_calendar(hq, "NO") == ("DK", None)
    assert due_for(date(2023, 4, 17), "NO", policy=hq) == date(2023, 5, 17)
    assert due_for(date(2023, 4, 17), "NO", policy=policy) == date(2023, 5, 19)


def test_an_unknown_subdivision_is_a_clear_error(policy):  # type: ignore[no-untyped-def]
    out = subprocess.run(
        [
            STEWARD,
            "dsr",
            "due",
            "--received",
            "2025-02-17",
            "--country",
            "GB",
            "--subdivision",
            "XX",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "Unknown subdivision 'XX' for GB" in out.stderr


def test_the_cli_counts_with_a_nations_holidays() -> None:
    for subdiv, due in (("SCT", "2023-12-01"), ("ENG", "2023-11-30")):
        out = subprocess.run(
            [
                STEWARD,
                "dsr",
                "due",
                "--received",
                "2023-10-30",
                "--country",
                "GB",
                "--subdivision",
                subdiv,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == due
