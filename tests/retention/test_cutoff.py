"""Cutoff arithmetic against LEGAL.md (Retention; Reg. 1182/71 Art. 3; company maxima clamped
to month end, never rolled forward)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from steward import i18n
from steward.errors import InvalidInput
from steward.policy.models import Period
from steward.retention.cutoff import (
    as_legal_period,
    cutoff,
    describe,
    describe_words,
    expires_on,
    is_due,
    last_day,
)

THREE_MONTHS = Period(months=3)
TEN_PLUS_CURRENT = Period(years=10, anchor="end_of_year")


def test_ten_years_plus_current_year_legal_md_example() -> None:
    # LEGAL.md: relationship ended in 2025 → "delete by 31 December 2035": a maximum includes
    # its last day, so the record is deleted on 31 December 2035 itself.
    assert last_day(TEN_PLUS_CURRENT, date(2025, 3, 14)) == date(2035, 12, 31)
    assert expires_on(TEN_PLUS_CURRENT, date(2025, 3, 14)) == date(2035, 12, 31)
    assert cutoff(TEN_PLUS_CURRENT, date(2035, 12, 30)) == date(2025, 1, 1)
    assert cutoff(TEN_PLUS_CURRENT, date(2035, 12, 31)) == date(2026, 1, 1)
    # As a statutory minimum the same period keeps the record through that day.
    assert expires_on(TEN_PLUS_CURRENT, date(2025, 3, 14), "statutory") == date(2036, 1, 1)
    assert cutoff(TEN_PLUS_CURRENT, date(2035, 12, 31), "statutory") == date(2025, 1, 1)
    assert cutoff(TEN_PLUS_CURRENT, date(2036, 1, 1), "statutory") == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("trigger", "deadline"),
    [
        # Written by hand from LEGAL.md (Reg. 1182/71 Art. 3(2)(c), clamped, never rolled):
        (date(2025, 1, 31), date(2025, 4, 30)),   # no 31 April → 30 April
        (date(2025, 11, 30), date(2026, 2, 28)),  # no 30 February → 28 February
        (date(2023, 11, 29), date(2024, 2, 29)),  # leap year: 29 February exists
        (date(2025, 5, 31), date(2025, 8, 31)),   # a Sunday: not moved to Monday
        (date(2025, 3, 14), date(2025, 6, 14)),
    ],
)
def test_no_later_than_three_months_is_deleted_on_the_last_day(
    trigger: date, deadline: date
) -> None:
    # "No later than 3 months": due on the deadline itself, not the day after.
    assert expires_on(THREE_MONTHS, trigger) == deadline
    assert not is_due(THREE_MONTHS, trigger, deadline - timedelta(days=1))
    assert is_due(THREE_MONTHS, trigger, deadline)
    assert trigger < cutoff(THREE_MONTHS, deadline)
    assert not trigger < cutoff(THREE_MONTHS, deadline - timedelta(days=1))


def test_months_clamped_to_month_end_never_rolled_forward() -> None:
    # 30 November + 3 months → 28 February (no 30 February), a Friday... kept through it.
    assert last_day(THREE_MONTHS, date(2025, 11, 30)) == date(2026, 2, 28)
    # 31 May 2025 + 3 months = 31 August 2025, a Sunday: a company maximum is not moved to
    # the next working day (that would keep the data longer than promised, Art. 5(1)(e)).
    assert date(2025, 8, 31).weekday() == 6
    assert last_day(THREE_MONTHS, date(2025, 5, 31)) == date(2025, 8, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 5, 29), date(2025, 3, 1)),   # 28 Feb → 28 May, past; 1 Mar → 1 Jun
        (date(2025, 5, 28), date(2025, 3, 1)),   # 28 Feb → 28 May: due today (its last day)
        (date(2025, 5, 27), date(2025, 2, 28)),  # 28 Feb not yet
        (date(2025, 3, 1), date(2024, 12, 2)),   # 1 Dec → 1 Mar: due on 1 March too
        (date(2025, 2, 28), date(2024, 12, 1)),  # 28, 29, 30 Nov → 28 Feb: due today
        (date(2025, 2, 27), date(2024, 11, 28)),  # 27 Nov → 27 Feb: due today, 28 Nov not
    ],
)
def test_three_months_cutoff(today: date, expected: date) -> None:
    assert cutoff(THREE_MONTHS, today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 5, 28), date(2025, 2, 28)),  # a statutory minimum keeps through 28 May
        (date(2025, 2, 28), date(2024, 11, 28)),
    ],
)
def test_three_months_statutory_cutoff(today: date, expected: date) -> None:
    assert cutoff(THREE_MONTHS, today, "statutory") == expected


@pytest.mark.parametrize("period", [
    THREE_MONTHS, TEN_PLUS_CURRENT, Period(days=30), Period(years=5), Period(months=1, days=2),
    Period(months=6, anchor="end_of_year"), Period(anchor="end_of_year"),
    Period(days=20, anchor="end_of_year"), Period(years=1, months=1, days=1), Period(days=400),
])
def test_cutoff_agrees_with_last_day_for_every_date(period: Period) -> None:
    # The SQL `trigger < cutoff` must select exactly the dates whose last day has passed.
    for today in (date(2025, 3, 1), date(2024, 2, 29), date(2025, 12, 31), date(2026, 1, 1)):
        c, s = cutoff(period, today), cutoff(period, today, "statutory")
        for offset in range(-40, 40):
            t = c + timedelta(days=offset)
            assert (t < c) == (last_day(period, t) <= today), (period, today, t)
            t = s + timedelta(days=offset)
            assert (t < s) == (last_day(period, t) < today), (period, today, t)


def test_zero_period_expires_when_the_trigger_has_happened() -> None:
    period = Period()
    assert cutoff(period, date(2026, 11, 26)) == date(2026, 11, 27)
    assert expires_on(period, date(2026, 11, 26)) == date(2026, 11, 26)
    assert describe(period).startswith("at once")


def test_descriptions_and_legal_period() -> None:
    assert describe(TEN_PLUS_CURRENT) == "10 years plus the current year"
    assert describe(THREE_MONTHS) == "3 months"
    legal = as_legal_period(TEN_PLUS_CURRENT)
    assert legal is not None and legal.unit == "years_plus_current_year" and legal.amount == 10
    assert as_legal_period(Period(months=1, days=2)) is None


# Hand-computed last days for periods with more than one unit (months counted first and clamped to
# the month's end, then days added; the end-of-year anchor applied last).
@pytest.mark.parametrize(("period", "trigger", "last"), [
    (Period(months=1, days=2), date(2026, 1, 30), date(2026, 3, 2)),  # 28 Feb + 2 days
    (Period(years=1, months=2), date(2024, 2, 29), date(2025, 4, 29)),  # 14 months
    (Period(years=1), date(2024, 2, 29), date(2025, 2, 28)),  # no 29 Feb in 2025: clamped
    (Period(days=1), date(2025, 12, 31), date(2026, 1, 1)),
    (Period(years=1, months=1, anchor="end_of_year"), date(2025, 12, 15), date(2027, 12, 31)),
    (Period(days=20, anchor="end_of_year"), date(2025, 12, 20), date(2026, 12, 31)),
    (Period(days=20, anchor="end_of_year"), date(2025, 12, 1), date(2025, 12, 31)),
    (Period(years=2, anchor="end_of_year"), date(2025, 1, 1), date(2027, 12, 31)),
    (Period(anchor="end_of_year"), date(2025, 6, 1), date(2025, 12, 31)),  # "the current year"
])
def test_last_day_of_mixed_periods(period: Period, trigger: date, last: date) -> None:
    assert last_day(period, trigger) == last
    assert expires_on(period, trigger) == last  # a maximum: deleted on its last day
    assert expires_on(period, trigger, "statutory") == last + timedelta(days=1)
    assert is_due(period, trigger, last) and not is_due(period, trigger, last - timedelta(days=1))
    assert not is_due(period, trigger, last, "statutory")
    assert is_due(period, trigger, last + timedelta(days=1), "statutory")


def test_until_the_end_of_the_current_year_is_not_at_once() -> None:
    # "Keep for the current year" (zero years, end-of-year anchor): a record from June is kept to
    # 31 December, so the SQL cutoff on 1 July must not select it.
    period = Period(anchor="end_of_year")
    assert cutoff(period, date(2025, 7, 1)) == date(2025, 1, 1)
    assert cutoff(period, date(2025, 12, 31)) == date(2026, 1, 1)  # all of 2025 is due that day
    assert cutoff(period, date(2025, 12, 31), "statutory") == date(2025, 1, 1)
    assert describe(period) == "until the end of the current year"


@pytest.mark.parametrize(("period", "words"), [
    (Period(years=1), "1 year"),
    (Period(months=1), "1 month"),
    (Period(days=1), "1 day"),
    (Period(years=2, months=1, days=3), "2 years, 1 month, 3 days"),
    (Period(years=1, anchor="end_of_year"), "1 year plus the current year"),
    (Period(days=30), "30 days"),
])
def test_described_in_plain_words(period: Period, words: str) -> None:
    assert describe(period) == words


@pytest.mark.parametrize(("period", "lang", "words"), [
    (Period(months=1), "da", "1 måned"),
    (Period(months=3), "da", "3 måneder"),
    (Period(years=2, months=1, days=3), "da", "2 år 1 måned 3 dage"),
    (Period(years=10, anchor="end_of_year"), "da", "10 år plus det indeværende år"),
    (Period(anchor="end_of_year"), "da", "til udgangen af det indeværende år"),
    (Period(), "da", "straks (ved den udløsende hændelse)"),
    (Period(months=1, days=2), "sv", "1 månad 2 dagar"),
    (Period(years=1, anchor="end_of_year"), "sv", "1 år plus innevarande år"),
    (Period(days=1), "nb", "1 dag"),
    (Period(years=1, months=2), "en", "1 year 2 months"),
])
def test_described_for_people_in_their_language(period: Period, lang: str, words: str) -> None:
    with i18n.language(lang):
        assert describe_words(period) == words


@pytest.mark.parametrize(("period", "amount", "unit"), [
    (Period(years=5), 5, "years"),
    (Period(months=3), 3, "months"),
    (Period(days=30), 30, "days"),
    (Period(), 0, "days"),
    (Period(years=3, anchor="end_of_year"), 3, "years_plus_current_year"),
])
def test_single_unit_periods_have_a_legal_period(period: Period, amount: int, unit: str) -> None:
    legal = as_legal_period(period)
    assert legal is not None and (legal.amount, legal.unit) == (amount, unit)


@pytest.mark.parametrize("period", [
    Period(years=1, months=6), Period(years=1, anchor="end_of_year", days=3),
    Period(months=6, anchor="end_of_year"),
])
def test_mixed_periods_have_no_legal_period(period: Period) -> None:
    assert as_legal_period(period) is None


def test_a_period_reaching_before_year_one_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="^the retention period reaches before year 1$"):
        cutoff(Period(years=100), date(50, 1, 1))
