"""Working-day calendars per jurisdiction, built on the pinned `holidays` package.

Reg. (EEC, Euratom) 1182/71 Art. 3(4) moves the end of a period that falls on a Saturday,
Sunday or public holiday to the next working day; "public holiday" means the holidays of the
jurisdiction where the answer is due. Any country the `holidays` package knows works; the only
jurisdiction-specific choices are:

- SE: the `de_facto` category is added (Midsummer Eve, Christmas Eve, New Year's Eve are not
  statutory holidays in Sweden but are treated as non-working days; IMY and Swedish practice
  count them as such).
- GB: bank holidays differ by nation, so a subdivision is used (ENG, NIR, SCT, WLS); England
  is the default when none is given.
- DK: only the `public` category. Christmas Eve (24 December) is in the package's `optional`
  category, not a public holiday under Danish law (helligdage), so it is a working day here.
  Store Bededag (Great Prayer Day) was abolished as a public holiday from 2024 by a 2023
  act; the package knows it.

Calendars are cached per (country, subdivision, year), so repeated look-ups are set look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from steward.errors import InvalidInput

# Extra holiday categories per country, on top of "public" (see module docstring).
EXTRA_CATEGORIES: Mapping[str, tuple[str, ...]] = MappingProxyType({"SE": ("de_facto",)})
# Subdivision used when the caller gives none (GB bank holidays differ by nation).
DEFAULT_SUBDIVISION: Mapping[str, str] = MappingProxyType({"GB": "ENG"})
# The jurisdictions Steward documents and tests; any other `holidays` country works too.
PRIMARY_JURISDICTIONS = ("DK", "NO", "SE", "GB")

# Weekday names for user-facing text, independent of the process locale (date.weekday() order).
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A safety bound: no legal period we compute runs through more non-working days in a row.
_MAX_ROLL_DAYS = 31


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """The non-working days of one jurisdiction in one calendar year."""

    country: str
    subdiv: str | None
    year: int
    holidays: Mapping[date, str]
    weekend: frozenset[int]
    weekend_workdays: frozenset[date]

    def is_working_day(self, d: date) -> bool:
        if d in self.holidays:
            return False
        return d.weekday() not in self.weekend or d in self.weekend_workdays


@lru_cache(maxsize=1)
def _country_codes() -> Mapping[str, list[str]]:
    """Country code (and alias, e.g. UK → GB's entry) → its subdivisions."""
    return holidays.list_supported_countries(include_aliases=True)


def supported_countries() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes the `holidays` package supports, sorted."""
    return tuple(sorted(holidays.list_supported_countries(include_aliases=False)))


def normalise(country: str, subdiv: str | None = None) -> tuple[str, str | None]:
    """Validate a jurisdiction and return its canonical (country, subdivision).

    `country` is case-insensitive and may be an alias the package knows ("UK" → "GB").
    Raises InvalidInput naming the supported values.
    """
    if not isinstance(country, str) or not country.strip():
        raise InvalidInput(_unknown_country_message(country), supported=supported_countries())
    if subdiv is not None and not isinstance(subdiv, str):
        raise InvalidInput(f"Subdivision must be text such as 'SCT', got {subdiv!r}.")
    return _normalise(country, subdiv)


@lru_cache(maxsize=512)
def _normalise(country: str, subdiv: str | None) -> tuple[str, str | None]:
    code = country.strip().upper()
    known = _country_codes()
    if code not in known:
        raise InvalidInput(_unknown_country_message(country), supported=supported_countries())
    canonical = holidays.country_holidays(code, years=()).country
    sub = subdiv.strip().upper() if subdiv and subdiv.strip() else None
    if sub is None:
        sub = DEFAULT_SUBDIVISION.get(canonical)
    if sub is not None:
        subdivisions = tuple(known[code])
        if sub not in subdivisions:
            listed = ", ".join(subdivisions) if subdivisions else "none"
            raise InvalidInput(
                f"Unknown subdivision {subdiv!r} for {canonical}; supported: {listed}."
            )
    return canonical, sub


def _unknown_country_message(country: object) -> str:
    return (
        f"Unknown country {country!r} for the holiday calendar (Reg. 1182/71 Art. 3(4) needs "
        f"the public holidays of the jurisdiction). Supported: "
        f"{', '.join(PRIMARY_JURISDICTIONS)} and any ISO 3166-1 code the `holidays` package "
        f"knows ({len(supported_countries())} countries, e.g. DE, FR, IE, FI)."
    )


@lru_cache(maxsize=2048)
def _year_calendar(country: str, subdiv: str | None, year: int) -> YearCalendar:
    categories = ("public", *EXTRA_CATEGORIES.get(country, ()))
    cal = holidays.country_holidays(
        country, subdiv=subdiv, years=year, categories=categories, expand=False
    )
    return YearCalendar(
        country=country,
        subdiv=subdiv,
        year=year,
        holidays=MappingProxyType(dict(cal.items())),
        weekend=frozenset(cal.weekend),
        weekend_workdays=frozenset(cal.weekend_workdays),
    )


def calendar_for(year: int, country: str, subdiv: str | None = None) -> YearCalendar:
    """The cached calendar of `country` (and subdivision) for `year`."""
    code, sub = normalise(country, subdiv)
    return _year_calendar(code, sub, year)


def holidays_in(year: int, country: str, subdiv: str | None = None) -> Mapping[date, str]:
    """Date → holiday name for one year, read-only."""
    return calendar_for(year, country, subdiv).holidays


def is_working_day(d: date, country: str, subdiv: str | None = None) -> bool:
    """True unless `d` is a weekend day or a public holiday of the jurisdiction."""
    code, sub = normalise(country, subdiv)
    return _year_calendar(code, sub, d.year).is_working_day(d)


def non_working_reason(d: date, country: str, subdiv: str | None = None) -> str | None:
    """Why `d` is not a working day ("Saturday", "Christmas Eve"), or None if it is one."""
    code, sub = normalise(country, subdiv)
    cal = _year_calendar(code, sub, d.year)
    if cal.is_working_day(d):
        return None
    return cal.holidays.get(d) or WEEKDAY_NAMES[d.weekday()]


def working_day_on_or_after(d: date, country: str, subdiv: str | None = None) -> date:
    """`d` itself if it is a working day, else the next working day (Reg. 1182/71 Art. 3(4))."""
    code, sub = normalise(country, subdiv)
    day = d
    for _ in range(_MAX_ROLL_DAYS):
        if _year_calendar(code, sub, day.year).is_working_day(day):
            return day
        if day == date.max:
            break
        day += timedelta(days=1)
    raise InvalidInput(f"No working day within {_MAX_ROLL_DAYS} days after {d.isoformat()}.")


def next_working_day(d: date, country: str, subdiv: str | None = None) -> date:
    """The first working day strictly after `d`."""
    return working_day_on_or_after(d + timedelta(days=1), country, subdiv)
