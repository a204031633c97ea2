"""GDPR Art. 12(5)(a): a fee is not a refusal. The request waits for the payment (an officer
records it) or the person's withdrawal; the letter says the fee, why, and the right to
complain; a refusal (Art. 12(5)(b)) stays a refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from steward.errors import Conflict, InvalidInput
from steward.requests import fees, queries, workflow
from steward.requests.intake import submit
from steward.requests.states import OPEN, State
from steward.requests.tables import DsrRequest
from steward.store.db import transaction


def at(d: date) -> datetime:
    return datetime.combine(d, time(10), UTC)


def _verified(dsm, settings, policy, country, day):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        sub = submit(
            s, policy, workflow.sealer_for(settings), type="access", name="Robin Example",
            email=f"robin{day.toordinal()}{country}@example.com", country=country,
            channel="officer", evidence="ID checked in person", actor="officer",
            received=day, now=at(day),
        )
        workflow.route(s, policy, sub.request, "officer")
        return sub.request.id


def test_a_fee_waits_for_the_payment_then_the_request_continues(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _verified(dsm, settings, policy, "DK", date(2025, 3, 3))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        with pytest.raises(InvalidInput, match="fee: the amount"):
            workflow.refuse(s, settings, policy, req, "fifth copy this month", "officer",
                            kind="fee", today=date(2025, 3, 20))
        assert workflow.refuse(s, settings, policy, req, "the fifth copy asked for this month",
                               "officer", kind="fee", fee="250 DKK", today=date(2025, 3, 20))
        assert req.state == State.awaiting_payment.value and req.state in OPEN
        letter = workflow.sealer_for(settings).open_text(req.letter)
        assert req.refusal_kind is None  # not a refusal
    for words in ("250 DKK", "the fifth copy asked for this month", "GDPR Art. 12(5)(a)",
                  "withdraw", "Datatilsynet", "judicial remedy"):
        assert words in letter, words
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert fees.record_payment(s, policy, req, actor="officer",
                                   paid_on=date(2025, 3, 24)) == "awaiting_approval"
        assert req.fee_paid_at is not None
        # the DK clock never stopped: the statutory date stands (Art. 12(3))
        assert queries.as_dict(req, policy)["due_on"] == "2025-04-03"
        with pytest.raises(Conflict, match="not awaiting payment"):
            fees.record_payment(s, policy, req, actor="officer")


def test_the_person_may_withdraw_instead(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _verified(dsm, settings, policy, "DK", date(2025, 3, 3))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        workflow.refuse(s, settings, policy, req, "repeated request", "officer", kind="fee",
                        fee="100 DKK", today=date(2025, 3, 5))
        fees.withdraw(s, policy, req, actor="officer")
        assert req.state == State.withdrawn.value and req.state not in OPEN
        assert queries.as_dict(req, policy, private=True)["waits"][0]["answered_on"]


def test_in_the_uk_the_month_runs_from_the_payment(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _verified(dsm, settings, policy, "GB", date(2024, 1, 10))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        workflow.refuse(s, settings, policy, req, "manifestly excessive", "officer", kind="fee",
                        fee="GBP 20", today=date(2024, 1, 12))
        assert queries.as_dict(req, policy)["adjusted_due"] is None  # not started
        fees.record_payment(s, policy, req, actor="officer", paid_on=date(2024, 1, 31))
        view = queries.as_dict(req, policy)
    # statutory: 10 February 2024 is a Saturday -> Monday 12 February. ICO: received 31
    # January, the month runs to 29 February in a leap year (a Thursday).
    assert (view["statutory_due"], view["adjusted_due"]) == ("2024-02-12", "2024-02-29")


def test_a_refusal_stays_a_refusal(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _verified(dsm, settings, policy, "DK", date(2025, 3, 3))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        workflow.refuse(s, settings, policy, req, "manifestly unfounded: a test message",
                        "officer", today=date(2025, 3, 5))
        assert req.state == State.refused.value and req.refusal_kind == "refused"
        assert req.fee_amount is None
        with pytest.raises(Conflict, match="cannot be charged a fee"):
            fees.ask_fee(s, settings, policy, req, amount="1 DKK", reason="x", actor="officer",
                         sealer=workflow.sealer_for(settings))
