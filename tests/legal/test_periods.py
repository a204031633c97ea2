"""Reg. (EEC, Euratom) 1182/71 Art. 3 counting, checked against the authorities' examples."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from steward.errors import InvalidInput
from steward.legal.periods import add_months, company_maximum, due_date, years_plus_current_year


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # LEGAL.md: no 31 February → month end
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 9, 3), 1, date(2025, 10, 3)),  # ICO: same date next month
        (date(2025, 3, 30), 1, date(2025, 4, 30)),  # ICO
        (date(2025, 3, 31), 1, date(2025, 4, 30)),  # ICO: no 31 April
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # crosses the year
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 6, 7), 0, date(2025, 6, 7)),
        (date(2025, 1, 31), 13, date(2026, 2, 28)),
    ],
)
def test_add_months_same_date_or_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months"),
    [
        (date(2025, 1, 1), -1),
        (date(2025, 1, 1), True),
        (date(2025, 1, 1), 1.0),
        (datetime(2025, 1, 1, 12, 0), 1),
        ("2025-01-01", 1),
        (date(9999, 12, 1), 1),
    ],
)
def test_add_months_rejects_bad_input(start: object, months: object) -> None:
    with pytest.raises(InvalidInput):
        add_months(start, months)  # type: ignore[arg-type]


def test_legal_md_example_31_january_to_28_february() -> None:
    assert due_date(date(2025, 1, 31), 1, country="DK") == date(2025, 2, 28)  # a Friday


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2025, 9, 3), date(2025, 10, 3)),
        (date(2025, 3, 30), date(2025, 4, 30)),
        (date(2025, 3, 31), date(2025, 4, 30)),
    ],
)
def test_ico_examples(received: date, expected: date) -> None:
    assert due_date(received, 1, country="GB") == expected


def test_receipt_on_a_weekend_still_starts_the_period() -> None:
    # Saturday 1 March 2025 → Tuesday 1 April 2025, not counted from Monday 3 March.
    assert due_date(date(2025, 3, 1), 1, country="DK") == date(2025, 4, 1)


def test_31_may_ends_on_monday_30_june_without_rolling() -> None:
    assert due_date(date(2025, 5, 31), 1, country="DK") == date(2025, 6, 30)
    assert due_date(date(2025, 5, 31), 1, country="SE") == date(2025, 6, 30)


def test_saturday_then_bank_holiday_rolls_to_tuesday_in_england() -> None:
    # 5 May 2025 is a Monday: the Early May bank holiday in the UK, a working day in Denmark.
    assert due_date(date(2025, 4, 5), 1, country="GB") == date(2025, 5, 6)
    assert due_date(date(2025, 4, 5), 1, country="DK") == date(2025, 5, 5)


def test_pentecost_differs_by_country() -> None:
    # One month from 8 May 2025 is Sunday 8 June (Pentecost). Whit Monday is a holiday in DK and
    # NO but not in SE (abolished there in 2005).
    assert due_date(date(2025, 5, 8), 1, country="DK") == date(2025, 6, 10)
    assert due_date(date(2025, 5, 8), 1, country="NO") == date(2025, 6, 10)
    assert due_date(date(2025, 5, 8), 1, country="SE") == date(2025, 6, 9)


def test_swedish_midsummer_eve_rolls_but_not_in_denmark() -> None:
    # 20 June 2025: Midsummer Eve (SE de facto), 21 Midsummer Day, 22 Sunday → Monday 23.
    assert due_date(date(2025, 5, 20), 1, country="SE") == date(2025, 6, 23)
    assert due_date(date(2025, 5, 20), 1, country="DK") == date(2025, 6, 20)


def test_christmas_eve_rolls_in_sweden_only() -> None:
    # 24 December 2025 is a Wednesday. SE: Christmas Eve (de facto), 25, 26, weekend → 29 Dec.
    # DK, NO and GB: Christmas Eve is not a public holiday (our documented choice for DK).
    assert due_date(date(2025, 11, 24), 1, country="SE") == date(2025, 12, 29)
    assert due_date(date(2025, 11, 24), 1, country="DK") == date(2025, 12, 24)
    assert due_date(date(2025, 11, 24), 1, country="NO") == date(2025, 12, 24)
    assert due_date(date(2025, 11, 24), 1, country="GB") == date(2025, 12, 24)


def test_swedish_new_years_eve_rolls_into_the_next_year() -> None:
    assert due_date(date(2025, 10, 31), 2, country="SE") == date(2026, 1, 2)
    assert due_date(date(2025, 10, 31), 2, country="DK") == date(2025, 12, 31)


def test_store_bededag_2023_rolls_but_2024_does_not() -> None:
    # Friday 5 May 2023 was Store Bededag → Monday 8 May. Friday 26 April 2024 would have been
    # Store Bededag, abolished from 2024 → the date stands.
    assert due_date(date(2023, 4, 5), 1, country="DK") == date(2023, 5, 8)
    assert due_date(date(2024, 3, 26), 1, country="DK") == date(2024, 4, 26)


def test_three_months_counted_from_receipt_not_from_end_of_month_one() -> None:
    # From receipt: 31 Jan → 30 Apr. Chaining from the first due date would give 28 April.
    assert due_date(date(2025, 1, 31), 3, country="DK") == date(2025, 4, 30)
    assert add_months(add_months(date(2025, 1, 31), 1), 2) == date(2025, 4, 28)


def test_uk_nations_have_their_own_bank_holidays() -> None:
    assert due_date(date(2025, 2, 17), 1, country="GB", subdiv="NIR") == date(2025, 3, 18)
    assert due_date(date(2025, 2, 17), 1, country="GB") == date(2025, 3, 17)
    assert due_date(date(2025, 11, 1), 1, country="GB", subdiv="SCT") == date(2025, 12, 2)
    assert due_date(date(2025, 11, 1), 1, country="GB", subdiv="ENG") == date(2025, 12, 1)
    # Scotland's 2 January holiday, then a weekend.
    assert due_date(date(2025, 12, 2), 1, country="GB", subdiv="SCT") == date(2026, 1, 5)
    assert due_date(date(2025, 12, 2), 1, country="GB", subdiv="WLS") == date(2026, 1, 2)


def test_due_date_rejects_unknown_country() -> None:
    with pytest.raises(InvalidInput, match="Unknown country 'ZZ'"):
        due_date(date(2025, 1, 31), 1, country="ZZ")


def test_company_maximum_is_clamped_and_never_rolled_forward() -> None:
    # 30 Nov 2025 + 3 months → Saturday 28 February 2026: kept, while a statutory period rolls.
    assert company_maximum(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert due_date(date(2025, 11, 30), 3, country="DK") == date(2026, 3, 2)
    assert company_maximum(date(2025, 12, 31), 3) == date(2026, 3, 31)


@pytest.mark.parametrize("trigger", [date(2025, 1, 1), date(2025, 3, 14), date(2025, 12, 31)])
def test_ten_years_plus_the_current_year(trigger: date) -> None:
    assert years_plus_current_year(trigger, 10) == date(2035, 12, 31)


def test_years_plus_current_year_rejects_bad_input() -> None:
    with pytest.raises(InvalidInput):
        years_plus_current_year(date(2025, 1, 1), -1)
    with pytest.raises(InvalidInput):
        years_plus_current_year(datetime(2025, 1, 1), 10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: add_months("2025-01-01", 1),
         "start must be a calendar date (YYYY-MM-DD), got '2025-01-01'."),
        (lambda: add_months(datetime(2025, 1, 1, 12, 0), 1),
         "start must be a calendar date (YYYY-MM-DD), got datetime.datetime(2025, 1, 1, 12, 0)."),
        (lambda: add_months(date(2025, 1, 1), -1),
         "months must be a whole number of zero or more, got -1."),
        (lambda: add_months(date(2025, 1, 1), True),
         "months must be a whole number of zero or more, got True."),
        (lambda: add_months(date(9999, 12, 1), 1),
         "9999-12-01 plus 1 months is past the year 9999."),
        (lambda: years_plus_current_year(date(2025, 1, 1), -1),
         "years must be a whole number of zero or more, got -1."),
        (lambda: years_plus_current_year(datetime(2025, 1, 1), 10),
         "trigger must be a calendar date (YYYY-MM-DD), got datetime.datetime(2025, 1, 1, 0, 0)."),
        (lambda: years_plus_current_year(date(9989, 6, 1), 11),
         "9989-06-01 plus 11 years is past the year 9999."),
    ],
)  # fmt: skip
def test_refusals_say_what_is_wrong(call: object, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        call()  # type: ignore[operator]
    assert err.value.detail == message


def test_the_last_representable_year_still_counts() -> None:
    assert add_months(date(9999, 11, 30), 1) == date(9999, 12, 30)
    assert add_months(date(9998, 12, 31), 12) == date(9999, 12, 31)
    assert years_plus_current_year(date(9989, 6, 1), 10) == date(9999, 12, 31)
    assert years_plus_current_year(date(2025, 6, 1), 0) == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # Every month of a year, by hand: same date, else the last day of the month.
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2025, 1, 31), 3, date(2025, 4, 30)),
        (date(2025, 1, 31), 4, date(2025, 5, 31)),
        (date(2025, 1, 31), 5, date(2025, 6, 30)),
        (date(2025, 1, 31), 6, date(2025, 7, 31)),
        (date(2025, 1, 31), 7, date(2025, 8, 31)),
        (date(2025, 1, 31), 8, date(2025, 9, 30)),
        (date(2025, 1, 31), 9, date(2025, 10, 31)),
        (date(2025, 1, 31), 10, date(2025, 11, 30)),
        (date(2025, 1, 31), 11, date(2025, 12, 31)),
        (date(2025, 1, 31), 12, date(2026, 1, 31)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2023, 12, 29), 2, date(2024, 2, 29)),
        (date(2025, 2, 28), 1, date(2025, 3, 28)),  # not the end of March
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
    ],
)
def test_month_ends_through_a_year(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
