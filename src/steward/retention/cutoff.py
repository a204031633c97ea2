"""Retention periods as cutoff dates: a record is due when `trigger < cutoff`.

A period gives, for a trigger date, its *last day* (`last_day`). What happens on that day
depends on the rule's kind:
- `maximum` ("delete no later than 3 months after"): the last day is the deadline itself, and a
  deadline includes its last day, so the record is deleted *on* it, not the day after;
- `statutory` (a minimum a law imposes, "keep for 5 years"): the record is kept through its
  last day and becomes due the day after.
Because `last_day` never decreases as the trigger date grows, the due records are exactly those
whose trigger date is before one cutoff date, and the sweep's SQL is the set-based,
index-friendly `trigger_col < :cutoff`.

Counting (LEGAL.md, Retention; Reg. (EEC, Euratom) 1182/71 Art. 3):
- months/years: the same date N months later, clamped to that month's end when the date does
  not exist, never rolled forward for weekends or holidays (a maximum the company set itself:
  rolling forward would keep data longer than promised, GDPR Art. 5(1)(e));
- "N years plus the current year" (`anchor: end_of_year`): kept through 31 December of
  (trigger year + N), deleted after it;
- an all-zero period: expired as soon as the trigger has happened (trigger date today or
  earlier), e.g. sensitive case data at case close; with the end-of-year anchor, kept to
  31 December of the trigger's year ("the current year").
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from steward import i18n
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.legal.periods import company_maximum, years_plus_current_year
from steward.legal.retention_periods import RetentionPeriod
from steward.policy.models import Period
from steward.policy.ropa import amount_words

Kind = Literal["maximum", "statutory"]


def is_immediate(period: Period) -> bool:
    """An all-zero period: act as soon as the trigger has happened. Not with the end-of-year
    anchor: zero years plus the current year keeps the record to 31 December."""
    return not (period.years or period.months or period.days) and period.anchor != "end_of_year"


def last_day(period: Period, trigger: date) -> date:
    """The last day a record whose trigger date is `trigger` may be kept."""
    if period.anchor == "end_of_year" and not (period.months or period.days):
        return years_plus_current_year(trigger, period.years)
    end = trigger
    if period.years or period.months:
        end = company_maximum(trigger, period.years * 12 + period.months)
    end = end + timedelta(days=period.days)
    if period.anchor == "end_of_year":
        end = date(end.year, 12, 31)
    return end


def is_due(period: Period, trigger: date, today: date, kind: Kind = "maximum") -> bool:
    """Is a record with this trigger date due on `today`? A maximum is due on its last day
    (a deadline "no later than" includes that day, Reg. 1182/71 Art. 3(2)(c)); a statutory
    minimum is due the day after its last day of keeping; an all-zero period on the trigger
    day itself."""
    end = last_day(period, trigger)
    return end <= today if kind == "maximum" or is_immediate(period) else end < today


def cutoff(period: Period, today: date, kind: Kind = "maximum") -> date:
    """The smallest trigger date not yet due on `today`: rows with `trigger < cutoff` are due
    (see `is_due`). Found by bisection over `last_day`, which is monotone, so the SQL cutoff
    agrees with `is_due` for every single date by construction."""
    if is_immediate(period):
        return today + timedelta(days=1)
    # last_day(t) >= t, and last_day(t) <= t + span: the answer lies in [today - span, today].
    span = period.years * 366 + period.months * 31 + period.days + 366
    try:
        lo = (today - timedelta(days=span)).toordinal()
    except OverflowError:
        raise InvalidInput("the retention period reaches before year 1") from None
    # Every trigger after today is not due; today itself may be (a trigger on 31 December under
    # "the current year" is due that day), so the search ends the day after today.
    hi = today.toordinal() + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if not is_due(period, date.fromordinal(mid), today, kind):
            hi = mid
        else:
            lo = mid + 1
    return date.fromordinal(lo)


def expires_on(period: Period, trigger: date, kind: Kind = "maximum") -> date:
    """The first day the record is due: its last day for a maximum (and for an all-zero
    period), the day after its last day of keeping for a statutory minimum."""
    end = last_day(period, trigger)
    if kind == "maximum" or is_immediate(period):
        return end
    return end + timedelta(days=1)


def as_legal_period(period: Period) -> RetentionPeriod | None:
    """The period as `legal.retention_periods.RetentionPeriod` when it has one unit (for the
    statutory checks); None for mixed periods."""
    units = [(period.years, "years"), (period.months, "months"), (period.days, "days")]
    used = [(n, u) for n, u in units if n]
    if period.anchor == "end_of_year":
        if used == [(period.years, "years")]:
            return RetentionPeriod(period.years, "years_plus_current_year")
        return None
    if not used:
        return RetentionPeriod(0, "days")
    if len(used) == 1:
        return RetentionPeriod(used[0][0], used[0][1])  # type: ignore[arg-type]
    return None


def describe(period: Period) -> str:
    """Plain words: "3 months", "10 years plus the current year", "at once"."""
    if is_immediate(period):
        return "at once (when the trigger happens)"
    parts = [f"{n} {u if n != 1 else u[:-1]}" for n, u in
             ((period.years, "years"), (period.months, "months"), (period.days, "days")) if n]
    text = ", ".join(parts)
    if period.anchor != "end_of_year":
        return text
    return f"{text} plus the current year" if text else "until the end of the current year"


def describe_words(period: Period) -> str:
    """`describe` for people, in the language in force: "3 måneder", "10 år plus det
    indeværende år" (the console); `describe` stays English for plans, evidence and errors."""
    if is_immediate(period):
        return i18n.gettext(N_("at once (when the trigger happens)"))
    text = amount_words(period.years, period.months, period.days)
    if period.anchor != "end_of_year":
        return text
    if not text:
        return i18n.gettext(N_("until the end of the current year"))
    return i18n.gettext(N_("{amount} plus the current year")).format(amount=text)
