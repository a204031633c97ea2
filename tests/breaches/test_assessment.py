"""Risk decides the duties (Arts. 33-34); a breach is closed only once assessed and done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import NOW, breach_input, promark

from steward.breaches.assessment import assess, close_breach, tasks_for
from steward.breaches.inputs import AssessmentInput, Kind, NotificationInput
from steward.breaches.notifications import record_notification
from steward.breaches.register import get_breach, register_breach, versions
from steward.errors import InvalidInput
from steward.store.db import transaction


def _open(s: Session, **over: object) -> int:
    return register_breach(s, promark(), breach_input(**over), actor="officer", now=NOW).id


def _tasks(s: Session, bid: int) -> dict[str, bool]:
    return {t.key: t.done for t in tasks_for(s, promark(), get_breach(s, bid))}


@pytest.mark.parametrize(
    ("risk", "exception", "countries", "expected"),
    [
        (None, None, ["DK"], {"document": True, "assess": False}),
        ("unlikely", None, ["DK"], {"document": True, "assess": True}),
        ("risk", None, ["DK", "SE"], {"document": True, "assess": True,
                                      "notify_authority:DK": False}),
        # UK data subjects: the ICO too, besides the lead authority (DK).
        ("risk", None, ["DK", "GB"], {"document": True, "assess": True,
                                      "notify_authority:DK": False,
                                      "notify_authority:GB": False}),
        ("high", None, ["DK"], {"document": True, "assess": True, "notify_authority:DK": False,
                                "notify_subjects": False}),
        ("high", "a", ["DK"], {"document": True, "assess": True, "notify_authority:DK": False,
                               "notify_subjects": True}),
        ("high", "c", ["DK"], {"document": True, "assess": True, "notify_authority:DK": False,
                               "public_notice": False}),
    ],
)
def test_risk_decides_the_tasks(
    sm: sessionmaker[Session], risk: str | None, exception: str | None, countries: list[str],
    expected: dict[str, bool],
) -> None:
    with transaction(sm) as s:
        bid = _open(s, countries=countries)
        if risk:
            assess(s, promark(), bid, AssessmentInput(
                risk=risk, reasoning="Contact data and correspondence of customers.",
                exception=exception, exception_reason="Reason given" if exception else None),
                actor="officer", now=NOW)
        assert _tasks(s, bid) == expected


def test_exception_rules(sm: sessionmaker[Session]) -> None:
    with transaction(sm) as s:
        bid = _open(s)
    for data, message in [
        (AssessmentInput(risk="risk", reasoning="x", exception="a", exception_reason="enc"),
         "only applies when the risk is high"),
        (AssessmentInput(risk="high", reasoning="x", exception="b"), "Explain why"),
    ]:
        with pytest.raises(InvalidInput, match=message), transaction(sm) as s:
            assess(s, promark(), bid, data, actor="officer", now=NOW)


def test_close_needs_assessment_and_done_tasks(sm: sessionmaker[Session]) -> None:
    policy = promark()
    with transaction(sm) as s:
        bid = _open(s)
    with pytest.raises(InvalidInput, match="without a risk assessment cannot be closed"), \
            transaction(sm) as s:
        close_breach(s, policy, bid, actor="officer", now=NOW)
    with transaction(sm) as s:
        assess(s, policy, bid, AssessmentInput(risk="risk", reasoning="Readable e-mails."),
               actor="officer", now=NOW)
    with pytest.raises(InvalidInput, match="Notify Datatilsynet"), transaction(sm) as s:
        close_breach(s, policy, bid, actor="officer", now=NOW)
    with transaction(sm) as s:
        record_notification(s, policy, bid, NotificationInput(
            kind=Kind.authority, authority="DK", sent_at=NOW - timedelta(minutes=30),
            reference="VIRK-123"), actor="officer", now=NOW)
        row = close_breach(s, policy, bid, actor="officer", now=NOW)
        assert row.status == "closed"
        # registered -> assessed -> closed: two earlier versions kept
        assert [v.change for v in versions(s, bid)] == ["assessed", "closed"]


def test_unlikely_risk_is_documented_and_closable(sm: sessionmaker[Session]) -> None:
    with transaction(sm) as s:
        bid = _open(s)
        assess(s, promark(), bid, AssessmentInput(
            risk="unlikely", reasoning="The laptop was encrypted and recovered the same day."),
            actor="officer", now=NOW)
        row = close_breach(s, promark(), bid, actor="officer", now=NOW)
        assert row.status == "closed" and row.risk_reasoning.startswith("The laptop")
