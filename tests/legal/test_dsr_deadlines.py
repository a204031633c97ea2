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


RECEIVED = date(2025, 9, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"received": "2025-09-03"},
         "received must be a calendar date (YYYY-MM-DD), got '2025-09-03'."),
        ({"identity_requested_on": "2025-09-04"},
         "identity_requested_on must be a calendar date (YYYY-MM-DD), got '2025-09-04'."),
        ({"identity_requested_on": date(2025, 9, 4), "identity_received_on": "2025-09-05"},
         "identity_received_on must be a calendar date (YYYY-MM-DD), got '2025-09-05'."),
        ({"identity_requested_on": date(2025, 9, 2)},
         "Identification cannot be requested before the request arrived."),
        ({"identity_received_on": date(2025, 9, 10)},
         "identity_received_on is set but no identification was requested."),
        ({"identity_requested_on": date(2025, 9, 9), "identity_received_on": date(2025, 9, 8)},
         "Identification cannot arrive before it was requested."),
        ({"pauses": [(date(2025, 9, 5), date(2025, 9, 6), date(2025, 9, 7))]},
         "Each pause must be a (start date, end date or None) pair."),
        ({"pauses": [[date(2025, 9, 5), date(2025, 9, 6)]]},
         "Each pause must be a (start date, end date or None) pair."),
        ({"pauses": [(date(2025, 9, 5), "2025-09-06")]},
         "pause end must be a calendar date (YYYY-MM-DD), got '2025-09-06'."),
        ({"pauses": [("2025-09-05", None)]},
         "pause start must be a calendar date (YYYY-MM-DD), got '2025-09-05'."),
        ({"pauses": [(date(2025, 9, 2), date(2025, 9, 4))]},
         "A pause cannot start before the request arrived."),
        ({"pauses": [(date(2025, 9, 10), date(2025, 9, 9))]},
         "Pause 2025-09-10–2025-09-09 ends before it starts."),
        ({"pauses": [(date(2025, 9, 9), None), (date(2025, 9, 5), None)]},
         "Only the latest pause may still be open (clarification awaited)."),
        ({"pauses": [(date(2025, 9, 9), None), (date(2025, 9, 5), date(2025, 9, 9))]},
         "Pause starting 2025-09-09 overlaps an earlier pause."),
    ],
)  # fmt: skip
def test_refusals_say_exactly_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    args = {"received": RECEIVED, **kwargs}
    with pytest.raises(InvalidInput) as err:
        request_deadlines(country="GB", **args)  # type: ignore[arg-type]
    assert err.value.detail == message


def test_the_boundaries_of_a_possible_date_order_are_accepted() -> None:
    # Identification asked for and received on the day of receipt.
    same_day = request_deadlines(
        RECEIVED, "GB", identity_requested_on=RECEIVED, identity_received_on=RECEIVED
    )
    assert same_day.clock_start == RECEIVED and same_day.adjusted_due == date(2025, 10, 3)
    # A one-day pause on the day of receipt: 3 October + 1 = Saturday 4 October → Monday 6.
    one_day = request_deadlines(RECEIVED, "GB", pauses=[(RECEIVED, RECEIVED)])
    assert one_day.paused_days == 1 and one_day.adjusted_due == date(2025, 10, 6)
    # Back-to-back pauses, given in any order: 2 + 1 + 3 days.
    back_to_back = request_deadlines(
        RECEIVED, "GB",
        pauses=[(date(2025, 9, 10), date(2025, 9, 12)), (date(2025, 9, 4), date(2025, 9, 5)),
                (date(2025, 9, 6), date(2025, 9, 6))],
    )  # fmt: skip
    assert back_to_back.paused_days == 6
    assert back_to_back.adjusted_due == date(2025, 10, 9)
    assert back_to_back.adjusted_extended_due == date(2025, 12, 9)


def test_a_pause_counts_only_from_the_day_the_clock_started() -> None:
    identity = {
        "identity_requested_on": date(2025, 9, 4),
        "identity_received_on": date(2025, 9, 10),
    }
    ends_on_start = request_deadlines(
        RECEIVED,
        "GB",
        pauses=[(date(2025, 9, 5), date(2025, 9, 10))],
        **identity,  # type: ignore[arg-type]
    )
    # Only 10 September counts: Friday 10 October + 1 = Saturday 11 → Monday 13 October.
    assert ends_on_start.paused_days == 1 and ends_on_start.adjusted_due == date(2025, 10, 13)
    ends_before = request_deadlines(
        RECEIVED,
        "GB",
        pauses=[(date(2025, 9, 5), date(2025, 9, 9))],
        **identity,  # type: ignore[arg-type]
    )
    assert ends_before.paused_days == 0 and ends_before.adjusted_due == date(2025, 10, 10)


def test_outside_the_uk_the_status_is_shown_but_the_statutory_date_applies() -> None:
    waiting = request_deadlines(RECEIVED, "SE", identity_requested_on=date(2025, 9, 4))
    assert (waiting.status, waiting.information_requested) == ("awaiting_identification", True)
    assert waiting.clock_start == RECEIVED and waiting.paused_days == 0
    assert waiting.one_month_due == waiting.effective_due == date(2025, 10, 3)
    paused = request_deadlines(RECEIVED, "SE", pauses=[(date(2025, 9, 8), None)])
    assert (paused.status, paused.information_requested) == ("paused", True)
    assert paused.effective_due == date(2025, 10, 3)
    plain = request_deadlines(RECEIVED, "se", subdiv=None, extended=1)  # type: ignore[arg-type]
    assert (plain.status, plain.information_requested) == ("running", False)
    assert (plain.country, plain.subdiv, plain.received) == ("SE", None, RECEIVED)
    assert plain.extended is True and plain.effective_due == date(2025, 12, 3)
    gb = request_deadlines(RECEIVED, "uk")
    assert (gb.country, gb.subdiv, gb.stop_the_clock) == ("GB", "ENG", True)


def test_the_extended_uk_date_follows_the_stopped_clock() -> None:
    clock = request_deadlines(
        RECEIVED, "GB", extended=True, pauses=[(date(2025, 9, 15), date(2025, 9, 19))]
    )
    # 3 December + 5 paused days = Monday 8 December 2025.
    assert clock.extended_due == date(2025, 12, 3)
    assert clock.adjusted_extended_due == clock.effective_due == date(2025, 12, 8)
    assert clock.one_month_due == date(2025, 10, 8)


def test_the_extension_window_of_a_clock() -> None:
    eu = request_deadlines(date(2025, 1, 31), "DK")
    assert eu.one_month_due == date(2025, 2, 28)
    assert eu.extension_allowed(date(2025, 1, 31)) is True
    assert eu.extension_allowed(date(2025, 1, 30)) is False
    assert eu.extension_allowed(date(2025, 2, 28)) is True
    assert eu.extension_allowed(date(2025, 3, 1)) is False
    waiting = request_deadlines(RECEIVED, "GB", identity_requested_on=date(2025, 9, 4))
    assert waiting.one_month_due is None
    assert waiting.extension_allowed(date(2025, 9, 5)) is False
    with pytest.raises(InvalidInput) as err:
        eu.extension_allowed("2025-02-01")  # type: ignore[arg-type]
    assert err.value.detail == (
        "notice_date must be a calendar date (YYYY-MM-DD), got '2025-02-01'."
    )


def test_an_extension_notice_on_the_day_of_receipt_is_in_time() -> None:
    assert extension_allowed(date(2025, 1, 31), date(2025, 1, 31), "DK") is True
    # Month one from 2 December 2025 ends on Friday 2 January 2026, a bank holiday in Scotland.
    assert extension_allowed(date(2025, 12, 2), date(2026, 1, 5), "GB", "SCT") is True
    assert extension_allowed(date(2025, 12, 2), date(2026, 1, 5), "GB") is False
    with pytest.raises(InvalidInput) as err:
        extension_allowed(date(2025, 5, 8), date(2025, 5, 7), "DK")
    assert err.value.detail == "The extension notice date is before the request was received."
    with pytest.raises(InvalidInput, match="^received must be"):
        extension_allowed("2025-05-08", date(2025, 5, 9), "DK")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="^notice_date must be"):
        extension_allowed(date(2025, 5, 8), "2025-05-09", "DK")  # type: ignore[arg-type]


def test_the_refusal_deadline_uses_the_nations_bank_holidays() -> None:
    # 2 December + 1 month = Friday 2 January 2026: a bank holiday in Scotland only.
    assert refusal_deadline(date(2025, 12, 2), "GB", "SCT") == date(2026, 1, 5)
    assert refusal_deadline(date(2025, 12, 2), "GB") == date(2026, 1, 2)


def test_two_pauses_starting_on_the_same_day_overlap() -> None:
    same_start = [(date(2025, 9, 5), date(2025, 9, 6)), (date(2025, 9, 5), None)]
    with pytest.raises(InvalidInput) as err:
        request_deadlines(RECEIVED, "GB", pauses=same_start)
    assert err.value.detail == "Pause starting 2025-09-05 overlaps an earlier pause."


def test_a_scottish_request_counts_scotlands_bank_holidays() -> None:
    # Month one from 2 December 2025 and month three from 2 October 2025 both end on Friday
    # 2 January 2026, a bank holiday in Scotland only → Monday 5 January.
    december = request_deadlines(date(2025, 12, 2), "GB", subdiv="sct")
    assert (december.subdiv, december.due, december.adjusted_due) == (
        "SCT",
        date(2026, 1, 5),
        date(2026, 1, 5),
    )
    october = request_deadlines(date(2025, 10, 2), "GB", subdiv="SCT")
    assert october.extended_due == october.adjusted_extended_due == date(2026, 1, 5)
    england = request_deadlines(date(2025, 12, 2), "GB")
    assert england.due == england.adjusted_due == date(2026, 1, 2)
