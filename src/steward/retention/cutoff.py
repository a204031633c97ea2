"""Retention periods as cutoff dates: a record is expired when `trigger < cutoff`.

A period gives, for a trigger date, the *last day of keeping* (`last_day`); the record expires
at the end of that day, so the first sweep after it removes the record. Because `last_day` never
decreases as the trigger date grows, the expired records are exactly those whose trigger date is
before one cutoff date — the smallest trigger date whose last day is today or later — and the
sweep's SQL is the set-based, index-friendly `trigger_col < :cutoff`.

Counting (LEGAL.md, Retention; Reg. (EEC, Euratom) 1182/71 Art. 3):
- months/years: the same date N months later, clamped to that month's end when the date does
  not exist, never rolled forward for weekends or holidays (a maximum the company set itself:
  rolling forward would keep data longer than promised, GDPR Art. 5(1)(e));
- "N years plus the current year" (`anchor: end_of_year`): kept through 31 December of
  (trigger year + N), deleted after it;
- an all-zero period: expired as soon as the trigger has happened (trigger date today or
  earlier), e.g. sensitive case data at case close.
"""

from __future__ import annotations

from datetime import date, timedelta

from steward.errors import InvalidInput
from steward.legal.periods import company_maximum, years_plus_current_year
from steward.legal.retention_periods import RetentionPeriod
from steward.policy.models import Period


def is_immediate(period: Period) -> bool:
    """An all-zero period: act as soon as the trigger has happened."""
    return not (period.years or period.months or period.days)


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


def cutoff(period: Period, today: date) -> date:
    """The smallest trigger date not yet expired on `today`: rows with `trigger < cutoff` are
    past their last day of keeping. Found by bisection over `last_day`, which is monotone, so
    the SQL cutoff agrees with `last_day` for every single date by construction."""
    if is_immediate(period):
        return today + timedelta(days=1)
    # last_day(t) >= t, and last_day(t) <= t + span: the answer lies in [today - span, today].
    span = period.years * 366 + period.months * 31 + period.days + 366
    try:
        lo = (today - timedelta(days=span)).toordinal()
    except OverflowError:
        raise InvalidInput("the retention period reaches before year 1") from None
    hi = today.toordinal()  # last_day(today) >= today, so today is never expired
    while lo < hi:
        mid = (lo + hi) // 2
        if last_day(period, date.fromordinal(mid)) >= today:
            hi = mid
        else:
            lo = mid + 1
    return date.fromordinal(lo)


def expires_on(period: Period, trigger: date) -> date:
    """The first day the record is expired (the day after its last day of keeping)."""
    if is_immediate(period):
        return trigger
    return last_day(period, trigger) + timedelta(days=1)


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
    return text + " plus the current year" if period.anchor == "end_of_year" else text
