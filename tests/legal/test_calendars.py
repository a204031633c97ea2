"""Holiday calendars per jurisdiction (the `holidays` package, pinned)."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from steward.errors import InvalidInput
from steward.legal import calendars
from steward.legal.calendars import (
    calendar_for,
    holidays_in,
    is_working_day,
    next_working_day,
    non_working_reason,
    normalise,
    working_day_on_or_after,
)


def test_swedish_de_facto_days_are_non_working() -> None:
    assert non_working_reason(date(2025, 6, 20), "SE") == "Midsummer Eve"
    assert non_working_reason(date(2026, 6, 19), "SE") == "Midsummer Eve"
    assert non_working_reason(date(2025, 12, 24), "SE") == "Christmas Eve"
    assert non_working_reason(date(2025, 12, 31), "SE") == "New Year's Eve"
    assert is_working_day(date(2025, 6, 19), "SE")


def test_danish_christmas_eve_is_a_working_day() -> None:
    # Documented choice: the package lists 24 December in DK's "optional" category only; it is
    # not a public holiday (helligdag), so Steward counts it as a working day.
    assert is_working_day(date(2025, 12, 24), "DK")
    assert date(2025, 12, 24) not in holidays_in(2025, "DK")
    assert not is_working_day(date(2025, 12, 25), "DK")


def test_store_bededag_until_2023_only() -> None:
    assert holidays_in(2023, "DK")[date(2023, 5, 5)] == "Great Prayer Day"
    assert not is_working_day(date(2023, 5, 5), "DK")
    assert "Great Prayer Day" not in holidays_in(2024, "DK").values()
    assert is_working_day(date(2024, 4, 26), "DK")  # would have been Store Bededag 2024


def test_norwegian_constitution_day() -> None:
    assert non_working_reason(date(2024, 5, 17), "NO") == "Constitution Day"


def test_gb_defaults_to_england_and_knows_each_nation() -> None:
    assert normalise("gb") == ("GB", "ENG")
    assert normalise("UK") == ("GB", "ENG")  # the package's alias
    assert normalise("GB", "sct") == ("GB", "SCT")
    easter_monday = date(2025, 4, 21)
    assert not is_working_day(easter_monday, "GB")
    assert not is_working_day(easter_monday, "GB", "WLS")
    assert is_working_day(easter_monday, "GB", "SCT")
    assert non_working_reason(date(2025, 3, 17), "GB", "NIR") == "Saint Patrick's Day"
    assert is_working_day(date(2025, 3, 17), "GB", "ENG")


def test_weekends_are_named() -> None:
    assert non_working_reason(date(2025, 6, 21), "DK") == "Saturday"
    assert non_working_reason(date(2025, 6, 22), "DK") == "Sunday"
    assert non_working_reason(date(2025, 6, 23), "DK") is None


def test_next_working_day_and_on_or_after() -> None:
    assert next_working_day(date(2025, 12, 19), "SE") == date(2025, 12, 22)
    assert next_working_day(date(2025, 12, 23), "SE") == date(2025, 12, 29)
    assert working_day_on_or_after(date(2025, 12, 23), "SE") == date(2025, 12, 23)
    assert working_day_on_or_after(date(2025, 12, 24), "DK") == date(2025, 12, 24)


def test_other_countries_work_generically() -> None:
    assert non_working_reason(date(2025, 10, 3), "DE") == "German Unity Day"
    assert not is_working_day(date(2025, 7, 14), "fr")
    assert is_working_day(date(2025, 7, 15), "FR")


def test_unknown_country_lists_supported_ones() -> None:
    with pytest.raises(InvalidInput) as err:
        is_working_day(date(2025, 1, 2), "XX")
    assert "DK, NO, SE, GB" in err.value.detail
    assert "SE" in err.value.extra["supported"]
    with pytest.raises(InvalidInput):
        normalise("")


def test_unknown_subdivision() -> None:
    with pytest.raises(InvalidInput, match="ENG, NIR, SCT, WLS"):
        normalise("GB", "XYZ")
    with pytest.raises(InvalidInput, match="for DK"):
        normalise("DK", "ABC")


def test_calendars_are_cached_per_country_subdivision_and_year() -> None:
    first = calendar_for(2031, "NO")
    hits = calendars._year_calendar.cache_info().hits
    assert calendar_for(2031, "no") is first
    assert is_working_day(date(2031, 3, 3), "NO")
    assert calendars._year_calendar.cache_info().hits >= hits + 2
    assert calendar_for(2031, "GB", "SCT") is not calendar_for(2031, "GB", "ENG")


def test_the_weekend_is_the_jurisdictions_own() -> None:
    # Saudi Arabia rests on Friday and Saturday and works on Sunday.
    assert non_working_reason(date(2025, 9, 5), "SA") == "Friday"
    assert non_working_reason(date(2025, 9, 6), "SA") == "Saturday"
    assert is_working_day(date(2025, 9, 7), "SA")


def test_a_weekend_day_moved_to_a_working_day_is_a_working_day() -> None:
    # Russia's working Saturday, 1 November 2025 (moved from 3 November); the next is not.
    assert is_working_day(date(2025, 11, 1), "RU")
    assert non_working_reason(date(2025, 11, 1), "RU") is None
    assert non_working_reason(date(2025, 11, 8), "RU") == "Saturday"


def test_the_roll_stops_at_the_end_of_the_calendar() -> None:
    # 31 December 9999, the last representable day, is a Friday: a weekend day in Saudi Arabia.
    with pytest.raises(InvalidInput) as err:
        working_day_on_or_after(date.max, "SA")
    assert err.value.detail == "No working day within 31 days after 9999-12-31."
    assert working_day_on_or_after(date.max, "DK") == date.max


def test_the_primary_jurisdictions() -> None:
    assert calendars.PRIMARY_JURISDICTIONS == ("DK", "NO", "SE", "GB")


def test_supported_countries_are_sorted_codes_without_aliases() -> None:
    codes = calendars.supported_countries()
    assert list(codes) == sorted(holidays.list_supported_countries(include_aliases=False))
    assert {"DK", "NO", "SE", "GB", "SA"} <= set(codes)
    assert "UK" not in codes


@pytest.mark.parametrize(
    ("country", "subdiv", "message"),
    [
        ("XX", None, "Unknown country 'XX' for the holiday calendar"),
        ("", None, "Unknown country '' for the holiday calendar"),
        (None, None, "Unknown country None for the holiday calendar"),
        ("GB", 5, "Subdivision must be text such as 'SCT', got 5."),
        ("GB", "xyz", "Unknown subdivision 'xyz' for GB; supported: ENG, NIR, SCT, WLS."),
        ("UK", "xyz", "Unknown subdivision 'xyz' for GB; supported: ENG, NIR, SCT, WLS."),
        ("DK", "ABC", "Unknown subdivision 'ABC' for DK; supported: none."),
    ],
)
def test_refusals_name_the_value_and_the_supported_ones(
    country: object, subdiv: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        normalise(country, subdiv)  # type: ignore[arg-type]
    if message.startswith("Unknown country"):
        count = len(holidays.list_supported_countries(include_aliases=False))
        message += (
            " (Reg. 1182/71 Art. 3(4) needs the public holidays of the jurisdiction). Supported: "
            f"DK, NO, SE, GB and any ISO 3166-1 code the `holidays` package knows ({count} "
            "countries, e.g. DE, FR, IE, FI)."
        )
        assert err.value.extra["supported"] == calendars.supported_countries()
    assert err.value.detail == message


def test_blank_subdivision_and_padded_codes() -> None:
    assert normalise("GB", "  ") == ("GB", "ENG")
    assert normalise(" dk ") == ("DK", None)
    assert normalise("NO", " 03 ") == ("NO", "03")
    assert normalise("DK", "") == ("DK", None)


def test_holidays_in_a_year_are_read_only() -> None:
    days = holidays_in(2025, "NO")
    assert days[date(2025, 5, 17)] == "Constitution Day"
    with pytest.raises(TypeError):
        days[date(2025, 5, 18)] = "Whit Sunday"  # type: ignore[index]
    cal = calendar_for(2025, "GB", "SCT")
    assert (cal.country, cal.subdiv, cal.year) == ("GB", "SCT", 2025)
    assert cal.weekend == frozenset({5, 6})


def test_the_subdivision_is_used_for_lists_and_the_next_day() -> None:
    # 2 January is a bank holiday in Scotland only; in 2026 it is a Friday.
    assert date(2026, 1, 2) in holidays_in(2026, "GB", "SCT")
    assert date(2026, 1, 2) not in holidays_in(2026, "GB")
    assert next_working_day(date(2026, 1, 1), "GB", "SCT") == date(2026, 1, 5)
    assert next_working_day(date(2026, 1, 1), "GB") == date(2026, 1, 2)
    assert next_working_day(date(2025, 6, 19), "SE") == date(2025, 6, 23)
