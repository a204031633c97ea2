"""Statutory minimum retention of bookkeeping material, per storage country, as data.

Only accounting material is covered by the bookkeeping exception to erasure (GDPR Art.
17(3)(b)), and only for the period of the country where it is stored. A company rule that
deletes such material earlier breaks bookkeeping law (an error); one that keeps data longer
than the law or any documented purpose needs breaches storage limitation, GDPR Art. 5(1)(e)
(a warning).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from steward import i18n
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.legal.periods import (
    add_months,
    check_count,
    check_date,
    company_maximum,
    years_plus_current_year,
)

Anchor = Literal["financial_year_end", "record_date", "calendar_year_of_financial_year_end"]
CompanyType = Literal["private", "public"]
Unit = Literal["days", "months", "years", "years_plus_current_year"]


@dataclass(frozen=True, slots=True)
class StatutoryRetention:
    """One statutory minimum: keep `kind` records `months` from `anchor` (see `end`)."""

    country: str
    kind: str
    statute: str
    article: str
    months: int
    anchor: Anchor
    summary: str
    company_types: frozenset[str] = frozenset({"private", "public"})

    @property
    def citation(self) -> str:
        return f"{self.statute} {self.article}"

    def end(self, record_date: date, financial_year_end: date) -> date:
        """Last day the record must be kept."""
        if self.anchor == "record_date":
            return add_months(record_date, self.months)
        if self.anchor == "financial_year_end":
            return add_months(financial_year_end, self.months)
        # "through the Nth year after the calendar year in which the financial year ended"
        return date(financial_year_end.year + self.months // 12, 12, 31)


_DK = "Bogføringsloven (lov nr. 700 af 24. maj 2022)"
_NO = "Bokføringsloven (LOV-2004-11-19-73)"
_SE = "Bokföringslagen (1999:1078)"
STATUTORY_RETENTION: tuple[StatutoryRetention, ...] = (
    StatutoryRetention(
        "DK", "accounting", _DK, "§ 12, stk. 1", 60, "financial_year_end",
        N_("5 years from the end of the financial year the material concerns"),
    ),
    StatutoryRetention(
        "NO", "accounting", _NO, "§ 13 første ledd", 60, "financial_year_end",
        N_("5 years after the end of the financial year"),
    ),
    StatutoryRetention(
        "NO", "agreements", _NO, "§ 13 annet ledd", 42, "financial_year_end",
        N_("3 years and 6 months after the end of the financial year (agreements)"),
    ),
    StatutoryRetention(
        "NO", "correspondence", _NO, "§ 13 annet ledd", 42, "financial_year_end",
        N_("3 years and 6 months after the end of the financial year (correspondence)"),
    ),
    StatutoryRetention(
        "SE", "accounting", _SE, "7 kap. 2 §", 84, "calendar_year_of_financial_year_end",
        N_("through the 7th year after the calendar year in which the financial year ended"),
    ),
    StatutoryRetention(
        "GB", "accounting", "Companies Act 2006", "s.388(4)(a)", 36, "record_date",
        N_("3 years from the date the records are made (private company)"),
        frozenset({"private"}),
    ),
    StatutoryRetention(
        "GB", "accounting", "Companies Act 2006", "s.388(4)(b)", 72, "record_date",
        N_("6 years from the date the records are made (public company)"),
        frozenset({"public"}),
    ),
    StatutoryRetention(
        "GB", "accounting", "HMRC: Finance Act 1998", "Sch. 18 para. 21", 72,
        "financial_year_end",
        N_("6 years from the end of the financial year (company tax records)"),
    ),
)  # fmt: skip

_ALIASES = MappingProxyType({"UK": "GB"})


Declared = Sequence[StatutoryRetention]


def _country(country: str, declared: Declared = ()) -> str:
    code = country.strip().upper() if isinstance(country, str) else ""
    code = _ALIASES.get(code, code)
    known = sorted({r.country for r in (*STATUTORY_RETENTION, *declared)})
    if code not in known:
        raise InvalidInput(
            f"No statutory bookkeeping retention is recorded for storage country {country!r} "
            f"(built in or declared: {', '.join(known)}); declare its period in the policy "
            f"under storage_countries.{code or country}.periods."
        )
    return code


def applicable_rules(
    country: str,
    kind: str = "accounting",
    company_type: str = "private",
    declared: Declared = (),
) -> list[StatutoryRetention]:
    """The statutory minima for records of `kind` stored in `country`. Periods the policy
    `declared` for that country and kind replace the built-in ones."""
    code = _country(country, declared)
    if company_type not in ("private", "public"):
        raise InvalidInput(f"company_type must be 'private' or 'public', got {company_type!r}.")
    for table in (declared, STATUTORY_RETENTION):
        of_country = [r for r in table if r.country == code]
        rules = [r for r in of_country if r.kind == kind and company_type in r.company_types]
        if rules:
            return rules
    kinds = sorted({r.kind for r in (*declared, *STATUTORY_RETENTION) if r.country == code})
    raise InvalidInput(
        f"No statutory retention for {kind!r} records in {code}; kinds: {', '.join(kinds)}; "
        f"declare it in the policy under storage_countries.{code}.periods."
    )


def financial_year_end_for(record_date: date, financial_year_end: tuple[int, int]) -> date:
    """End of the financial year `record_date` falls in, for a year ending on (month, day);
    (2, 29) ends on 28 February in common years."""
    check_date(record_date, "record_date")
    try:
        month, day = financial_year_end
        # monthrange refuses a month outside 1-12 (IllegalMonthError, a ValueError); 2024 is a
        # leap year, so (2, 29) is accepted.
        if not 1 <= day <= calendar.monthrange(2024, month)[1]:
            raise ValueError
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"financial_year_end must be (month, day), e.g. (12, 31), got {financial_year_end!r}."
        ) from exc

    def on(year: int) -> date:
        return date(year, month, min(day, calendar.monthrange(year, month)[1]))

    end = on(record_date.year)
    return end if end >= record_date else on(record_date.year + 1)


def minimum_ends(
    record_date: date,
    country: str,
    *,
    kind: str = "accounting",
    financial_year_end: tuple[int, int] = (12, 31),
    company_type: str = "private",
    declared: Declared = (),
) -> list[tuple[StatutoryRetention, date]]:
    """Each applicable statutory minimum with the last day it requires keeping the record,
    counted from the end of the financial year in which the record falls."""
    fy_end = financial_year_end_for(record_date, financial_year_end)
    return [
        (rule, rule.end(record_date, fy_end))
        for rule in applicable_rules(country, kind, company_type, declared)
    ]


def statutory_minimum_end(
    record_date: date,
    country: str,
    *,
    kind: str = "accounting",
    financial_year_end: tuple[int, int] = (12, 31),
    company_type: str = "private",
    declared: Declared = (),
) -> date:
    """The last day a record dated `record_date` must be kept under the storage country's
    bookkeeping law (the latest of the applicable statutes, e.g. GB: Companies Act 2006
    s.388 and HMRC)."""
    ends = minimum_ends(
        record_date,
        country,
        kind=kind,
        financial_year_end=financial_year_end,
        company_type=company_type,
        declared=declared,
    )
    return max(end for _, end in ends)


@dataclass(frozen=True, slots=True)
class RetentionPeriod:
    """A retention period counted from a trigger date (e.g. the end of the relationship)."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        check_count(self.amount, "amount")
        if self.unit not in ("days", "months", "years", "years_plus_current_year"):
            raise InvalidInput(
                "unit must be one of days, months, years, years_plus_current_year, "
                f"got {self.unit!r}."
            )

    def end(self, trigger: date) -> date:
        """Last day of keeping; month ends clamped, never rolled forward (a company maximum)."""
        if self.unit == "days":
            return check_date(trigger, "trigger") + timedelta(days=self.amount)
        if self.unit == "months":
            return company_maximum(trigger, self.amount)
        if self.unit == "years":
            return company_maximum(trigger, self.amount * 12)
        return years_plus_current_year(trigger, self.amount)

    def describe(self) -> str:
        if self.unit == "years_plus_current_year":
            return f"{self.amount} years plus the current year"
        return f"{self.amount} {self.unit}"

    def describe_words(self) -> str:
        """`describe` in the language in force ("3 måneder", "10 år plus det indeværende år")."""
        if self.unit == "years_plus_current_year":
            years = _amount(self.amount, "years")
            return i18n.gettext(N_("{amount} plus the current year")).format(amount=years)
        return _amount(self.amount, self.unit)


def _amount(n: int, unit: str) -> str:
    forms = {
        "years": i18n.ngettext("%(num)s year", "%(num)s years", n),
        "months": i18n.ngettext("%(num)s month", "%(num)s months", n),
        "days": i18n.ngettext("%(num)s day", "%(num)s days", n),
    }
    return forms[unit] % {"num": n}


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem with a retention rule; `severity` "error" blocks, "warning" informs."""

    severity: Literal["error", "warning"]
    code: str
    message: str  # in English: policy validation, plans and logs
    article: str
    # The message in the language in force, for the console (None: the English message).
    in_words: Callable[[], str] | None = field(default=None, compare=False)

    def words(self) -> str:
        return self.in_words() if self.in_words is not None else self.message


# The warning of a rule that keeps data longer than needed (storage limitation).
LONGER_THAN_NEEDED = N_(
    "Keeping data for {period} exceeds {basis} by up to {days} (a record dated {dated} is kept "
    "until {kept}, needed until {needed}). Keep personal data no longer than necessary (GDPR "
    "Art. 5(1)(e), storage limitation) or document the purpose that needs it."
)
BASES = {
    "statute": N_("the statutory minimum"),
    "need": N_("the documented need"),
    "both": N_("the statute and documented need"),
}


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _sample(years: Iterable[int]) -> list[date]:
    # Every day of four consecutive years (the leap-year cycle, so one leap year) covers every
    # month-end and financial-year-end case, so the worst case found is the real worst case for
    # every period shorter than 73 years (a longer one can reach 2100, not a leap year).
    out: list[date] = []
    for year in years:
        d = date(year, 1, 1)
        while d.year == year:
            out.append(d)
            d += timedelta(days=1)
    return out


def check_rule_period(
    period: RetentionPeriod,
    *,
    country: str,
    kind: str | None = "accounting",
    financial_year_end: tuple[int, int] = (12, 31),
    company_type: str = "private",
    needed: RetentionPeriod | None = None,
    declared: Declared = (),
    deleted_on_last_day: bool = False,
) -> list[Finding]:
    """Compare a company retention rule with the storage country's statutory minimum and with
    the longest documented need (`needed`), for records dated on the rule's trigger date (the
    latest a record can be made, hence the binding case).

    Returns an error when the rule deletes before the statute allows (bookkeeping law,
    GDPR Art. 17(3)(b)) and a warning when it keeps data longer than the statute and the
    documented need require (storage limitation, GDPR Art. 5(1)(e)). `kind=None`: no statute.
    """
    if kind is None and needed is None:
        raise InvalidInput("Give a statutory kind or a documented need to compare the rule with.")
    if kind is not None:
        applicable_rules(country, kind, company_type, declared)  # validates before the loop
    findings: list[Finding] = []
    short: tuple[int, date, date, date, str] | None = None
    excess_max, excess_example = 0, None
    for trigger in _sample(range(2024, 2028)):
        rule_end = period.end(trigger)
        if deleted_on_last_day:  # a maximum is deleted on its last day: kept through the day before
            rule_end -= timedelta(days=1)
        need_end = needed.end(trigger) if needed is not None else date.min
        if kind is not None:
            ends = minimum_ends(
                trigger, country, kind=kind, financial_year_end=financial_year_end,
                company_type=company_type, declared=declared,
            )  # fmt: skip
            rule, law_end = max(ends, key=lambda pair: pair[1])
            gap = (law_end - rule_end).days
            if gap > 0 and (short is None or gap > short[0]):
                short = (gap, trigger, rule_end, law_end, rule.citation)
            need_end = max(law_end, need_end)
        over = (rule_end - need_end).days
        if over > excess_max:
            excess_max, excess_example = over, (trigger, rule_end, need_end)
    if short is not None:
        gap, trigger, rule_end, law_end, citation = short
        findings.append(
            Finding(
                "error",
                "shorter_than_statutory_minimum",
                f"Keeping {kind} records for {period.describe()} is too short in {country}: a "
                f"record dated {trigger.isoformat()} would be deleted after "
                f"{rule_end.isoformat()}, but {citation} requires keeping it until "
                f"{law_end.isoformat()} ({_days(gap)} more). The bookkeeping duty prevails over "
                f"erasure (GDPR Art. 17(3)(b)).",
                citation,
            )
        )
    if excess_example is not None:
        trigger, rule_end, need_end = excess_example
        if needed is None:
            basis = "statute"
        elif kind is None:  # no statute was compared: only the documented need counts
            basis = "need"
        else:
            basis = "both"
        dates = {
            "dated": trigger.isoformat(),
            "kept": rule_end.isoformat(),
            "needed": need_end.isoformat(),
        }

        def in_words(
            basis: str = basis, days: int = excess_max, dates: dict[str, str] = dates
        ) -> str:
            return i18n.gettext(LONGER_THAN_NEEDED).format(
                period=period.describe_words(),
                basis=i18n.gettext(BASES[basis]),
                days=_amount(days, "days"),
                **dates,
            )

        findings.append(
            Finding(
                "warning",
                "longer_than_needed",
                LONGER_THAN_NEEDED.format(
                    period=period.describe(), basis=BASES[basis], days=_days(excess_max), **dates
                ),
                "GDPR Art. 5(1)(e)",
                in_words,
            )
        )
    return findings
