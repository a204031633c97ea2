"""Counting periods in months and years: Regulation (EEC, Euratom) No 1182/71, Art. 3.

- Art. 3(1) second subparagraph and 3(2)(c): a period in months starts on the day of the event
  (a weekend or holiday still starts it) and ends at the end of the day in the last month that
  has the same date; if that date does not exist there, at the end of that month's last day.
- Art. 3(3): weekends and holidays inside the period count.
- Art. 3(4): if the last day is a Saturday, Sunday or public holiday, the period ends at the end
  of the next working day. This applies to statutory periods (GDPR Art. 12(3)), not to maxima
  a company sets for itself (those are clamped to month end and never moved forward).

Example (GDPR Art. 12(3), one month): received 31 January 2025 → due 28 February 2025.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from steward.errors import InvalidInput
from steward.legal.calendars import working_day_on_or_after


def check_date(value: object, name: str) -> date:
    """Return `value` if it is a plain date; raise InvalidInput naming `name` otherwise."""
    # A datetime is a date subclass, but its calendar day depends on its time zone: the caller
    # must decide which local day the event happened on.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"{name} must be a calendar date (YYYY-MM-DD), got {value!r}.")
    return value


def check_count(value: object, name: str) -> int:
    """Return `value` if it is an int >= 0; raise InvalidInput naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a whole number of zero or more, got {value!r}.")
    return value


def add_months(start: date, months: int) -> date:
    """The same date `months` later; the last day of the target month when that date does not
    exist (Reg. 1182/71 Art. 3(2)(c)). 31 Jan 2025 + 1 → 28 Feb 2025. No weekend rolling."""
    check_date(start, "start")
    check_count(months, "months")
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    if year > 9999:
        raise InvalidInput(f"{start.isoformat()} plus {months} months is past the year 9999.")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last))


def due_date(received: date, months: int, *, country: str, subdiv: str | None = None) -> date:
    """Last day of a statutory period of `months` counted from `received`.

    Reg. 1182/71 Art. 3(2)(c): same date `months` later (or that month's last day); Art. 3(4):
    rolled to the next working day of `country` (and `subdiv`) when it is a Saturday, Sunday
    or public holiday. Used for GDPR Art. 12(3) (one month; three when extended, counted from
    receipt, not from the end of month one).
    """
    end = add_months(received, months)
    return working_day_on_or_after(end, country, subdiv)


def company_maximum(trigger: date, months: int) -> date:
    """Latest day of a maximum the company set itself ("delete no later than 3 months after").

    Counted like Reg. 1182/71 Art. 3(2)(c) and clamped to month end, but never moved forward for
    weekends or holidays: a self-imposed maximum is a promise to data subjects, and rolling it
    forward would keep the data longer than promised (GDPR Art. 5(1)(e)).
    """
    return add_months(trigger, months)


def years_plus_current_year(trigger: date, years: int) -> date:
    """31 December of (trigger year + `years`): "N years plus the current year".

    Ten years plus the current year from a relationship that ended on 14 March 2025 → delete by
    31 December 2035.
    """
    check_date(trigger, "trigger")
    check_count(years, "years")
    if trigger.year + years > 9999:
        raise InvalidInput(f"{trigger.isoformat()} plus {years} years is past the year 9999.")
    return date(trigger.year + years, 12, 31)
