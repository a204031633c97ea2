"""The deadline account in request letters (`dsr_deadlines.explain`), written out in full by
hand: each case's dates come from GDPR Art. 12(3), Reg. 1182/71 Art. 3 and the jurisdiction's
public holidays, and UK GDPR Art. 12A for the stopped clock."""

from __future__ import annotations

from datetime import date

import pytest

from steward.legal.dsr_deadlines import explain, format_date, request_deadlines

COUNTED = "counted under Regulation (EEC, Euratom) 1182/71 Art. 3"
ROLL = "so it ends on the next working day (Reg. (EEC, Euratom) 1182/71 Art. 3(4))."
REFUSAL = (
    "If we refuse to act on your request (GDPR Art. 12(4) and (5)), we will tell you why within "
    "the same month, and you may complain to a supervisory authority and seek a judicial remedy."
)
UK_REFUSAL = REFUSAL.replace("(GDPR", "(UK GDPR")
EXTENDED = (
    "Because of the complexity or number of requests we have extended this period by two "
    "further months, as {law} Art. 12(3) allows; we told you so, with our reasons, within the "
    "first month. The reply is due by {due}."
)
PRACTICE = "the supervisory authority's accepted practice for identity checks (Art. 12(6))"
UK_RULE = "UK GDPR Art. 12A (Data (Use and Access) Act 2025)"


def test_a_plain_answer_within_one_month() -> None:
    assert explain(request_deadlines(date(2025, 1, 31), "DK")) == "\n\n".join([
        "We received your request on Friday 31 January 2025. Under GDPR Art. 12(3) we must "
        f"answer within one month of receipt, {COUNTED}: by Friday 28 February 2025.",
        REFUSAL,
    ])  # fmt: skip


def test_an_extended_period_rolled_off_norways_constitution_day() -> None:
    # 17 February + 3 months = Saturday 17 May 2025, Constitution Day → Monday 19 May.
    text = explain(request_deadlines(date(2025, 2, 17), "NO", extended=True))
    assert text == "\n\n".join([
        "We received your request on Monday 17 February 2025. Under GDPR Art. 12(3) we must "
        f"answer within one month of receipt, {COUNTED}: by Monday 17 March 2025.",
        EXTENDED.format(law="GDPR", due="Monday 19 May 2025") + " The period would end on "
        "Saturday 17 May 2025 (Constitution Day), which is not a working day in Norway, " + ROLL,
        REFUSAL,
    ])  # fmt: skip


def test_an_identity_check_in_sweden_does_not_pause_the_period() -> None:
    # 20 May + 1 month = Friday 20 June 2025, Midsummer Eve; then Midsummer Day and a Sunday.
    clock = request_deadlines(
        date(2025, 5, 20), "SE", pauses=[(date(2025, 5, 26), date(2025, 5, 28))]
    )
    assert explain(clock) == "\n\n".join([
        "We received your request on Tuesday 20 May 2025. Under GDPR Art. 12(3) we must "
        f"answer within one month of receipt, {COUNTED}: by Monday 23 June 2025. The period "
        "would end on Friday 20 June 2025 (Midsummer Eve), which is not a working day in "
        "Sweden, " + ROLL,
        "We asked you for information to confirm your identity or clarify your request (GDPR "
        "Art. 12(6)). The GDPR does not pause the time limit while we wait, so the date above "
        "still applies.",
        REFUSAL,
    ])  # fmt: skip


def test_a_uk_request_without_pauses_keeps_its_date() -> None:
    # Saturday 5 April + 1 month = Monday 5 May 2025, the early May bank holiday.
    assert explain(request_deadlines(date(2025, 4, 5), "GB")) == "\n\n".join([
        "We received your request on Saturday 5 April 2025. Under UK GDPR Art. 12(3) we must "
        f"answer within one month of receipt, {COUNTED}: by Tuesday 6 May 2025. The period "
        "would end on Monday 5 May 2025 (May Day), which is not a working day in the United "
        "Kingdom, " + ROLL,
        f"Under {UK_RULE} no pause applies to your request; the date above stands.",
        UK_REFUSAL,
    ])  # fmt: skip


def test_other_countries_are_named_by_their_code() -> None:
    # 3 September + 1 month = Friday 3 October 2025, German Unity Day → Monday 6 October.
    text = explain(request_deadlines(date(2025, 9, 3), "DE"))
    assert (
        "by Monday 6 October 2025. The period would end on Friday 3 October 2025 (German "
        "Unity Day), which is not a working day in DE, " + ROLL in text
    )


def test_a_roll_for_a_scottish_bank_holiday_names_it() -> None:
    # 2 January is a bank holiday in Scotland only; in 2026 it is a Friday → Monday 5 January.
    note = (
        "by Monday 5 January 2026. The period would end on Friday 2 January 2026 (New Year "
        "Holiday), which is not a working day in the United Kingdom, " + ROLL
    )
    assert note in explain(request_deadlines(date(2025, 12, 2), "GB", subdiv="SCT"))
    extended = request_deadlines(date(2025, 10, 2), "GB", subdiv="SCT", extended=True)
    assert "The reply is due " + note in explain(extended)


def test_a_uk_extension_with_the_clock_started_late() -> None:
    clock = request_deadlines(
        date(2025, 9, 3), "GB", extended=True,
        identity_requested_on=date(2025, 9, 4), identity_received_on=date(2025, 9, 10),
    )  # fmt: skip
    assert explain(clock) == "\n\n".join([
        "We received your request on Wednesday 3 September 2025. Under UK GDPR Art. 12(3) we "
        f"must answer within one month of receipt, {COUNTED}: by Friday 3 October 2025.",
        EXTENDED.format(law="UK GDPR", due="Wednesday 3 December 2025"),
        f"Under {UK_RULE} the time limit started when we received the identification we asked "
        "for, on Wednesday 10 September 2025, so our reply is due by Wednesday 10 December "
        "2025.",
        UK_REFUSAL,
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("country", "kwargs", "paragraph"),
    [
        ("GB", {"identity_requested_on": date(2025, 9, 4)},
         f"We asked you to confirm your identity (UK GDPR Art. 12(6)). Under {UK_RULE} the time "
         "limit starts only once we receive that information."),
        ("DK", {"identity_requested_on": date(2025, 9, 4)},
         f"We asked you to confirm your identity (GDPR Art. 12(6)). Under {PRACTICE} the time "
         "limit starts only once we receive that information."),
        ("DK", {"pauses": [(date(2025, 9, 8), None)]},
         f"We asked you to clarify your request. Under {PRACTICE} the time limit is paused until "
         "we receive your answer; we will then tell you the new date."),
        # 3 October + 5 days (15-19 September) = Wednesday 8 October 2025.
        ("DK", {"pauses": [(date(2025, 9, 15), date(2025, 9, 19))]},
         f"Under {PRACTICE} it was paused for 5 day(s) while we awaited your clarification, so "
         "our reply is due by Wednesday 8 October 2025."),
        # Identification asked for and given on the day of receipt: the clock starts as usual.
        ("GB", {"identity_requested_on": date(2025, 9, 3),
                "identity_received_on": date(2025, 9, 3)},
         f"Under {UK_RULE} no pause applies to your request; the date above stands."),
        ("DK", {}, f"Under {PRACTICE} no pause applies to your request; the date above stands."),
        # Both: 10 October + 5 days = Wednesday 15 October 2025.
        ("GB", {"identity_requested_on": date(2025, 9, 4),
                "identity_received_on": date(2025, 9, 10),
                "pauses": [(date(2025, 9, 15), date(2025, 9, 19))]},
         f"Under {UK_RULE} the time limit started when we received the identification we asked "
         "for, on Wednesday 10 September 2025 and it was paused for 5 day(s) while we awaited "
         "your clarification, so our reply is due by Wednesday 15 October 2025."),
    ],
)  # fmt: skip
def test_the_stopped_clock_paragraph(
    country: str, kwargs: dict[str, object], paragraph: str
) -> None:
    clock = request_deadlines(date(2025, 9, 3), country, stop_the_clock=True, **kwargs)  # type: ignore[arg-type]
    assert explain(clock).split("\n\n")[1] == paragraph


def test_an_eu_letter_without_information_requests_has_no_identity_paragraph() -> None:
    text = explain(request_deadlines(date(2025, 9, 3), "SE"))
    assert text.count("\n\n") == 1
    assert "Art. 12(6)" not in text


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2025, 1, 1), "Wednesday 1 January 2025"),
        (date(2025, 2, 1), "Saturday 1 February 2025"),
        (date(2025, 3, 1), "Saturday 1 March 2025"),
        (date(2025, 4, 1), "Tuesday 1 April 2025"),
        (date(2025, 5, 1), "Thursday 1 May 2025"),
        (date(2025, 6, 1), "Sunday 1 June 2025"),
        (date(2025, 7, 1), "Tuesday 1 July 2025"),
        (date(2025, 8, 1), "Friday 1 August 2025"),
        (date(2025, 9, 1), "Monday 1 September 2025"),
        (date(2025, 10, 1), "Wednesday 1 October 2025"),
        (date(2025, 11, 1), "Saturday 1 November 2025"),
        (date(2025, 12, 31), "Wednesday 31 December 2025"),
    ],
)
def test_every_month_and_weekday_is_named(day: date, text: str) -> None:
    assert format_date(day) == text
