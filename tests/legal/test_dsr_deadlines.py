"""GDPR Art. 12(3)-(6) request deadlines, with the UK stop-the-clock rule (UK GDPR Art. 12A)."""

from __future__ import annotations

from datetime import date

import pytest

from steward.errors import InvalidInput
from steward.legal.dsr_deadlines import (
    default_stop_the_clock,
    explain,
    extension_allowed,
    format_date,
    refusal_deadline,
    request_deadlines,
)


def test_stop_the_clock_is_on_by_default_only_in_the_uk() -> None:
    assert default_stop_the_clock("GB") is True
    assert default_stop_the_clock("uk") is True
    assert [default_stop_the_clock(c) for c in ("DK", "NO", "SE", "DE")] == [False] * 4


def test_statutory_and_extended_dates_counted_from_receipt() -> None:
    clock = request_deadlines(date(2025, 1, 31), "DK")
    assert clock.due == date(2025, 2, 28)
    assert clock.extended_due == date(2025, 4, 30)
    assert clock.effective_due == date(2025, 2, 28)
    assert clock.adjusted_due is None and clock.stop_the_clock is False
    extended = request_deadlines(date(2025, 1, 31), "DK", extended=True)
    assert extended.effective_due == date(2025, 4, 30)


def test_eu_identity_check_does_not_move_the_date() -> None:
    clock = request_deadlines(
        date(2025, 9, 3),
        "SE",
        identity_requested_on=date(2025, 9, 4),
        identity_received_on=date(2025, 9, 10),
        pauses=[(date(2025, 9, 15), date(2025, 9, 19))],
    )
    assert clock.due == clock.effective_due == date(2025, 10, 3)
    assert clock.adjusted_due is None and clock.paused_days == 0
    assert "does not pause" in explain(clock)


def test_uk_clock_starts_when_identification_arrives() -> None:
    clock = request_deadlines(
        date(2025, 9, 3),
        "GB",
        identity_requested_on=date(2025, 9, 4),
        identity_received_on=date(2025, 9, 10),
    )
    assert clock.stop_the_clock is True
    assert clock.due == date(2025, 10, 3)  # shown too: the statutory date
    assert clock.clock_start == date(2025, 9, 10)
    assert clock.adjusted_due == clock.effective_due == date(2025, 10, 10)
    assert clock.adjusted_extended_due == date(2025, 12, 10)


def test_uk_pause_excludes_the_days_from_asking_to_the_answer_inclusive() -> None:
    clock = request_deadlines(
        date(2025, 9, 3), "GB", pauses=[(date(2025, 9, 15), date(2025, 9, 19))]
    )
    assert clock.paused_days == 5
    assert clock.adjusted_due == date(2025, 10, 8)


def test_uk_pause_days_before_the_clock_started_do_not_count_twice() -> None:
    clock = request_deadlines(
        date(2025, 9, 3),
        "GB",
        identity_requested_on=date(2025, 9, 4),
        identity_received_on=date(2025, 9, 10),
        pauses=[(date(2025, 9, 5), date(2025, 9, 12))],
    )
    assert clock.paused_days == 3  # 10, 11 and 12 September
    assert clock.adjusted_due == date(2025, 10, 13)


def test_adjusted_date_rolls_off_a_weekend() -> None:
    clock = request_deadlines(
        date(2025, 9, 1), "GB", pauses=[(date(2025, 9, 10), date(2025, 9, 12))]
    )
    # 1 October + 3 paused days = Saturday 4 October → Monday 6 October.
    assert clock.adjusted_due == date(2025, 10, 6)


def test_uk_clock_not_running_while_identification_or_clarification_awaited() -> None:
    waiting = request_deadlines(date(2025, 9, 3), "GB", identity_requested_on=date(2025, 9, 4))
    assert waiting.status == "awaiting_identification"
    assert waiting.clock_start is None and waiting.effective_due is None
    assert waiting.due == date(2025, 10, 3)
    assert "starts only once" in explain(waiting)
    paused = request_deadlines(date(2025, 9, 3), "GB", pauses=[(date(2025, 9, 8), None)])
    assert paused.status == "paused" and paused.effective_due is None
    assert "paused until" in explain(paused)


def test_stop_the_clock_is_a_setting() -> None:
    on_in_dk = request_deadlines(
        date(2025, 9, 3),
        "DK",
        stop_the_clock=True,
        identity_requested_on=date(2025, 9, 4),
        identity_received_on=date(2025, 9, 10),
    )
    assert on_in_dk.effective_due == date(2025, 10, 10)
    off_in_gb = request_deadlines(
        date(2025, 9, 3),
        "GB",
        stop_the_clock=False,
        identity_requested_on=date(2025, 9, 4),
        identity_received_on=date(2025, 9, 10),
    )
    assert off_in_gb.effective_due == date(2025, 10, 3) and off_in_gb.adjusted_due is None


def test_extension_notice_only_within_the_first_month() -> None:
    assert extension_allowed(date(2025, 1, 31), date(2025, 2, 28), "DK") is True
    assert extension_allowed(date(2025, 1, 31), date(2025, 3, 1), "DK") is False
    # Month one ends on the rolled date: Sunday 8 June 2025 (Pentecost) → Tuesday 10 June.
    assert extension_allowed(date(2025, 5, 8), date(2025, 6, 10), "DK") is True
    assert extension_allowed(date(2025, 5, 8), date(2025, 6, 11), "DK") is False
    with pytest.raises(InvalidInput, match="before the request"):
        extension_allowed(date(2025, 5, 8), date(2025, 5, 7), "DK")


def test_extension_window_follows_the_stopped_clock() -> None:
    clock = request_deadlines(
        date(2025, 9, 3),
        "GB",
        identity_requested_on=date(2025, 9, 4),
        identity_received_on=date(2025, 9, 10),
    )
    assert clock.extension_allowed(date(2025, 10, 10)) is True
    assert clock.extension_allowed(date(2025, 10, 11)) is False


def test_refusal_deadline_is_the_one_month_due_date() -> None:
    assert refusal_deadline(date(2025, 5, 8), "DK") == date(2025, 6, 10)
    assert refusal_deadline(date(2025, 3, 31), "GB") == date(2025, 4, 30)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"identity_received_on": date(2025, 9, 10)}, "no identification was requested"),
        (
            {"identity_requested_on": date(2025, 9, 9), "identity_received_on": date(2025, 9, 8)},
            "before it was requested",
        ),
        ({"identity_requested_on": date(2025, 9, 1)}, "before the request arrived"),
        ({"pauses": [(date(2025, 9, 10), date(2025, 9, 9))]}, "ends before it starts"),
        ({"pauses": [(date(2025, 9, 1), date(2025, 9, 4))]}, "before the request arrived"),
        (
            {"pauses": [(date(2025, 9, 5), date(2025, 9, 9)), (date(2025, 9, 9), None)]},
            "overlaps",
        ),
        ({"pauses": [(date(2025, 9, 5), None), (date(2025, 9, 9), None)]}, "still be open"),
        ({"pauses": [date(2025, 9, 5)]}, "pair"),
        ({"pauses": [("2025-09-05", None)]}, "pause start"),
    ],
)
def test_impossible_date_orders_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        request_deadlines(date(2025, 9, 3), "GB", **kwargs)  # type: ignore[arg-type]


def test_explanation_cites_the_articles_and_the_roll() -> None:
    text = explain(request_deadlines(date(2025, 5, 8), "DK", extended=True))
    assert "GDPR Art. 12(3)" in text
    assert "Regulation (EEC, Euratom) 1182/71 Art. 3" in text
    assert "Sunday 8 June 2025 (Pentecost)" in text
    assert "by Tuesday 10 June 2025" in text
    assert "1182/71 Art. 3(4)" in text
    assert "two further months" in text and "Friday 8 August 2025" in text
    assert "Art. 12(4) and (5)" in text


def test_uk_explanation_names_the_act_and_shows_both_dates() -> None:
    text = explain(
        request_deadlines(
            date(2025, 9, 3),
            "GB",
            identity_requested_on=date(2025, 9, 4),
            identity_received_on=date(2025, 9, 10),
            pauses=[(date(2025, 9, 15), date(2025, 9, 19))],
        )
    )
    assert "UK GDPR Art. 12(3)" in text and "Friday 3 October 2025" in text
    assert "UK GDPR Art. 12A (Data (Use and Access) Act 2025)" in text
    assert "Wednesday 10 September 2025" in text and "paused for 5 day(s)" in text
    assert "due by Wednesday 15 October 2025" in text


def test_format_date_is_locale_independent() -> None:
    assert format_date(date(2025, 2, 28)) == "Friday 28 February 2025"
