"""The clock stops only for what was asked for (GDPR Art. 12(6); UK GDPR Art. 12A as amended
by the Data (Use and Access) Act 2025), each wait recorded with its start and end, and both
dates shown. Expected dates are the ICO's published examples ("How do we calculate a month?",
right of access guidance) or counted by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from steward.errors import Conflict, InvalidInput
from steward.legal.dsr_deadlines import explain
from steward.policy.models import Establishment
from steward.requests import pauses, queries, workflow
from steward.requests.deadlines import clock_for
from steward.requests.intake import submit
from steward.requests.states import State, move
from steward.requests.tables import DsrRequest
from steward.store.db import transaction


def at(d: date) -> datetime:
    return datetime.combine(d, time(10), UTC)


def _received(dsm, settings, policy, country, day):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        sub = submit(
            s,
            policy,
            workflow.sealer_for(settings),
            type="access",
            name="Alex Example",
            email=f"alex{day.toordinal()}{country}@example.com",
            country=country,
            received=day,
            received_via="post",
            now=at(day),
        )
        return sub.request.id


def _view(dsm, policy, rid):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        return {
            **queries.as_dict(req, policy, private=True),
            "explain": explain(clock_for(policy, req)),
        }


def test_uk_nothing_asked_nothing_stops(dsm, settings, policy):  # type: ignore[no-untyped-def]
    # ICO: "A request is received on Monday 25 November. The time to respond will run until
    # the end of Friday 27 December" (25 and 26 December are bank holidays) — 2024.
    rid = _received(dsm, settings, policy, "GB", date(2024, 11, 25))
    with transaction(dsm) as s:  # the e-mail code is not identification asked for
        req = s.get_one(DsrRequest, rid)
        req.verified_at = at(date(2024, 12, 5))
        move(s, req, State.verified, "subject")
    v = _view(dsm, policy, rid)
    assert (v["statutory_due"], v["adjusted_due"], v["due_on"]) == ("2024-12-27",) * 3
    assert v["waits"] == [] and v["paused_days"] == 0


def test_uk_clock_starts_when_the_identification_asked_for_arrives(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _received(dsm, settings, policy, "GB", date(2023, 12, 20))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        pauses.ask(
            s,
            policy,
            req,
            "identification",
            "officer",
            note="copy of a utility bill",
            on=date(2023, 12, 21),
            now=at(date(2023, 12, 21)),
        )
    v = _view(dsm, policy, rid)
    # statutory: 20 January 2024 is a Saturday -> Monday 22 January; the stopped clock has
    # not started, and the queue keeps the stricter statutory date
    assert (v["statutory_due"], v["adjusted_due"], v["due_on"]) == (
        "2024-01-22",
        None,
        "2024-01-22",
    )
    assert v["clock_status"] == "awaiting_identification"
    assert "starts only once we receive" in v["explain"]
    with transaction(dsm) as s:
        pauses.answered(
            s,
            policy,
            s.get_one(DsrRequest, rid),
            "officer",
            on=date(2024, 1, 1),
            now=at(date(2024, 1, 2)),
        )
    v = _view(dsm, policy, rid)
    # ICO: "A request is received on 1 January (a bank holiday), so the one-month period ends
    # at the end of 1 February" — the month runs from the day the identification arrived.
    assert (v["statutory_due"], v["adjusted_due"], v["due_on"]) == (
        "2024-01-22",
        "2024-02-01",
        "2024-02-01",
    )
    assert v["waits"] == [
        {"kind": "identification", "asked_on": "2023-12-21", "answered_on": "2024-01-01"}
    ]
    assert "Thursday 1 February 2024" in v["explain"] and "UK GDPR Art. 12A" in v["explain"]


def test_uk_clarification_stops_the_clock_while_awaited(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _received(dsm, settings, policy, "GB", date(2024, 11, 25))
    with transaction(dsm) as s:
        pauses.ask(
            s,
            policy,
            s.get_one(DsrRequest, rid),
            "clarification",
            "officer",
            on=date(2024, 11, 28),
            now=at(date(2024, 11, 28)),
        )
    v = _view(dsm, policy, rid)
    assert v["clock_status"] == "paused" and v["adjusted_due"] is None
    with transaction(dsm) as s:
        pauses.answered(
            s,
            policy,
            s.get_one(DsrRequest, rid),
            "officer",
            on=date(2024, 12, 2),
            now=at(date(2024, 12, 2)),
        )
    v = _view(dsm, policy, rid)
    # 28 November up to and including 2 December do not count: 5 days. One month from
    # 25 November is 25 December; + 5 days = Monday 30 December 2024, a working day.
    assert (v["statutory_due"], v["adjusted_due"], v["paused_days"]) == (
        "2024-12-27",
        "2024-12-30",
        5,
    )
    assert v["due_on"] == "2024-12-30"


def test_eu_requests_never_pause_unless_the_authority_says_so(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _received(dsm, settings, policy, "DK", date(2025, 1, 31))
    with transaction(dsm) as s:
        pauses.ask(
            s,
            policy,
            s.get_one(DsrRequest, rid),
            "identification",
            "officer",
            on=date(2025, 2, 3),
            now=at(date(2025, 2, 3)),
        )
        pauses.answered(
            s,
            policy,
            s.get_one(DsrRequest, rid),
            "officer",
            on=date(2025, 2, 20),
            now=at(date(2025, 2, 20)),
        )
    v = _view(dsm, policy, rid)
    assert (v["statutory_due"], v["adjusted_due"], v["due_on"]) == (
        "2025-02-28",
        None,
        "2025-02-28",
    )
    assert "does not pause the time limit" in v["explain"]
    # An authority that accepts a pause during an identity check (a policy setting).
    se = policy.authorities["SE"].model_copy(update={"stop_the_clock": True})
    pausing = policy.model_copy(update={"authorities": {**policy.authorities, "SE": se}})
    rid = _received(dsm, settings, pausing, "SE", date(2025, 1, 31))
    with transaction(dsm) as s:
        pauses.ask(
            s,
            pausing,
            s.get_one(DsrRequest, rid),
            "identification",
            "officer",
            on=date(2025, 2, 3),
            now=at(date(2025, 2, 3)),
        )
        pauses.answered(
            s,
            pausing,
            s.get_one(DsrRequest, rid),
            "officer",
            on=date(2025, 2, 10),
            now=at(date(2025, 2, 10)),
        )
    v = _view(dsm, pausing, rid)
    # one month from 10 February 2025 is Monday 10 March
    assert (v["statutory_due"], v["adjusted_due"]) == ("2025-02-28", "2025-03-10")


def test_waits_are_checked(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _received(dsm, settings, policy, "GB", date(2024, 11, 25))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        with pytest.raises(Conflict, match="nothing is awaited"):
            pauses.answered(s, policy, req, "officer", now=at(date(2024, 11, 26)))
        with pytest.raises(InvalidInput, match="before the request was received"):
            pauses.ask(
                s,
                policy,
                req,
                "clarification",
                "officer",
                on=date(2024, 11, 24),
                now=at(date(2024, 11, 26)),
            )
        with pytest.raises(InvalidInput, match="kind: one of"):
            pauses.ask(s, policy, req, "coffee", "officer", now=at(date(2024, 11, 26)))
        pauses.ask(
            s,
            policy,
            req,
            "clarification",
            "officer",
            on=date(2024, 11, 26),
            now=at(date(2024, 11, 26)),
        )
        with pytest.raises(Conflict, match="already awaited"):
            pauses.ask(s, policy, req, "identification", "officer", now=at(date(2024, 11, 27)))
        with pytest.raises(InvalidInput, match="in the future"):
            pauses.answered(
                s, policy, req, "officer", on=date(2024, 11, 30), now=at(date(2024, 11, 27))
            )


def test_asking_again_the_day_an_answer_came_counts_that_day_once(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _received(dsm, settings, policy, "GB", date(2024, 11, 25))
    steps = [
        ("ask", date(2024, 11, 28)),
        ("answer", date(2024, 12, 2)),
        ("ask", date(2024, 12, 2)),
        ("answer", date(2024, 12, 4)),
    ]
    for step, day in steps:
        with transaction(dsm) as s:
            req = s.get_one(DsrRequest, rid)
            if step == "ask":
                pauses.ask(s, policy, req, "clarification", "officer", on=day, now=at(day))
            else:
                pauses.answered(s, policy, req, "officer", on=day, now=at(day))
    v = _view(dsm, policy, rid)
    # 28 Nov-2 Dec (5 days) and 3-4 Dec (2 days): 25 December + 7 days = 1 January 2025, a
    # bank holiday in England, so Thursday 2 January
    assert (v["paused_days"], v["adjusted_due"]) == (7, "2025-01-02")
    assert len(v["waits"]) == 2


def _steps(dsm, policy, rid, steps):  # type: ignore[no-untyped-def]
    for step, kind, day in steps:
        with transaction(dsm) as s:
            req = s.get_one(DsrRequest, rid)
            if step == "ask":
                pauses.ask(s, policy, req, kind, "officer", on=day, now=at(day))
            else:
                pauses.answered(s, policy, req, "officer", on=day, now=at(day))


def test_uk_clock_starts_when_the_fee_asked_for_is_paid(dsm, settings, policy):  # type: ignore[no-untyped-def]
    # ICO: where a fee is asked for, the time limit starts when it is received (UK GDPR
    # Art. 12A, Art. 12(5)(a)); the days before are not a pause added on top.
    rid = _received(dsm, settings, policy, "GB", date(2025, 1, 6))
    _steps(
        dsm, policy, rid, [("ask", "fee", date(2025, 1, 8)), ("answer", None, date(2025, 1, 20))]
    )
    v = _view(dsm, policy, rid)
    # statutory: Thursday 6 February 2025; from the payment: Thursday 20 February
    assert (v["statutory_due"], v["adjusted_due"], v["due_on"]) == (
        "2025-02-06",
        "2025-02-20",
        "2025-02-20",
    )
    assert v["paused_days"] == 0


def test_uk_clock_starts_when_the_last_identification_asked_for_arrives(dsm, settings, policy):  # type: ignore[no-untyped-def]
    # The first document did not settle the doubt, so more was asked for: the "relevant time"
    # (UK GDPR Art. 12A) is the arrival of the identification that was asked for last.
    rid = _received(dsm, settings, policy, "GB", date(2025, 1, 6))
    _steps(
        dsm,
        policy,
        rid,
        [
            ("ask", "identification", date(2025, 1, 7)),
            ("answer", None, date(2025, 1, 10)),
            ("ask", "identification", date(2025, 1, 13)),
            ("answer", None, date(2025, 1, 15)),
        ],
    )
    v = _view(dsm, policy, rid)
    # 15 February 2025 is a Saturday -> Monday 17 February
    assert (v["adjusted_due"], v["due_on"]) == ("2025-02-17", "2025-02-17")


def test_a_question_answered_the_day_it_was_asked_again_stops_nothing(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _received(dsm, settings, policy, "GB", date(2024, 11, 25))
    _steps(
        dsm,
        policy,
        rid,
        [
            ("ask", "clarification", date(2024, 11, 28)),
            ("answer", None, date(2024, 12, 2)),
            ("ask", "clarification", date(2024, 12, 2)),
        ],
    )
    v = _view(dsm, policy, rid)
    assert (v["clock_status"], v["adjusted_due"], v["due_on"]) == ("paused", None, "2024-12-27")
    _steps(
        dsm,
        policy,
        rid,
        [
            ("answer", None, date(2024, 12, 2)),
            ("ask", "clarification", date(2024, 12, 2)),
            ("answer", None, date(2024, 12, 3)),
        ],
    )
    v = _view(dsm, policy, rid)
    # 28 November-2 December (5 days); asked and answered again on 2 December, a day already
    # not counted (0); asked again on 2 December and answered on 3 December: 3 December (1).
    # 25 December + 6 days = Tuesday 31 December 2024, a working day in England.
    assert (v["paused_days"], v["adjusted_due"], v["due_on"]) == (6, "2024-12-31", "2024-12-31")
    assert len(v["waits"]) == 3


def test_an_extended_uk_request_keeps_its_three_months_while_the_clock_is_stopped(  # type: ignore[no-untyped-def]
    dsm, settings, policy
):
    rid = _received(dsm, settings, policy, "GB", date(2025, 1, 6))
    with transaction(dsm) as s:
        workflow.extend(
            s,
            settings,
            policy,
            s.get_one(DsrRequest, rid),
            "many systems",
            "officer",
            today=date(2025, 1, 20),
        )
    _steps(dsm, policy, rid, [("ask", "clarification", date(2025, 2, 3))])
    v = _view(dsm, policy, rid)
    # awaited: the statutory extended date stands (6 April 2025 is a Sunday -> Monday 7 April)
    assert (v["clock_status"], v["due_on"]) == ("paused", "2025-04-07")
    _steps(dsm, policy, rid, [("answer", None, date(2025, 2, 7))])
    v = _view(dsm, policy, rid)
    # 3-7 February do not count (5 days): 6 April + 5 = Friday 11 April 2025
    assert (v["paused_days"], v["due_on"]) == (5, "2025-04-11")


def test_a_request_not_yet_stored_has_only_its_statutory_dates(policy):  # type: ignore[no-untyped-def]
    # ICO: received Monday 25 November 2024 -> end of Friday 27 December (bank holidays)
    clock = clock_for(
        policy, DsrRequest(received_on=date(2024, 11, 25), jurisdiction="GB", extended=False)
    )
    assert (clock.due, clock.adjusted_due, clock.status, clock.paused_days) == (
        date(2024, 12, 27),
        date(2024, 12, 27),
        "running",
        0,
    )


def test_a_request_read_after_its_transaction_closed_still_has_its_dates(  # type: ignore[no-untyped-def]
    dsm, settings, policy
):
    # Pages and letters render requests after the transaction that read them has closed.
    rid = _received(dsm, settings, policy, "DK", date(2025, 1, 31))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
    clock = clock_for(policy, req)  # LEGAL.md: received 31 January 2025 -> 28 February
    assert (clock.due, clock.extended_due, clock.status) == (
        date(2025, 2, 28),
        date(2025, 4, 30),
        "running",
    )


def test_uk_clarification_after_identification_stops_the_clock_that_started(  # type: ignore[no-untyped-def]
    dsm, settings, policy
):
    rid = _received(dsm, settings, policy, "GB", date(2025, 1, 6))
    steps = [
        ("ask", "identification", date(2025, 1, 7)),
        ("answer", None, date(2025, 1, 10)),
        ("ask", "clarification", date(2025, 1, 20)),
        ("answer", None, date(2025, 1, 22)),
    ]
    _steps(dsm, policy, rid, steps)
    v = _view(dsm, policy, rid)
    # the month runs from 10 January (identification arrived); 20-22 January do not count
    # (3 days): 10 February + 3 = Thursday 13 February 2025
    assert (v["paused_days"], v["adjusted_due"], v["due_on"]) == (3, "2025-02-13", "2025-02-13")


def test_the_stopped_clock_counts_with_the_answering_offices_calendar(policy):  # type: ignore[no-untyped-def]
    # A Glasgow office answers the UK's requests: received 30 October 2023, one month is
    # Thursday 30 November, St Andrew's Day in Scotland -> Friday 1 December (England: 30 Nov).
    office = Establishment(country="GB", name="Glasgow", holiday_subdivision="SCT")
    controller = policy.controller.model_copy(update={"establishments": [office]})
    glasgow = policy.model_copy(update={"controller": controller})
    req = DsrRequest(received_on=date(2023, 10, 30), jurisdiction="GB", extended=False)
    clock = clock_for(glasgow, req)
    assert (clock.due, clock.adjusted_due) == (date(2023, 12, 1), date(2023, 12, 1))
    assert clock_for(policy, req).adjusted_due == date(2023, 11, 30)
