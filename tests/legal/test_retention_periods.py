"""Statutory bookkeeping minima per storage country, and checks of company retention rules."""

from __future__ import annotations

from datetime import date

import pytest

from steward.errors import InvalidInput
from steward.legal.retention_periods import (
    RetentionPeriod,
    check_rule_period,
    financial_year_end_for,
    minimum_ends,
    statutory_minimum_end,
)

RECORD = date(2025, 3, 14)


def test_denmark_five_years_from_the_end_of_the_financial_year() -> None:
    assert statutory_minimum_end(RECORD, "DK") == date(2030, 12, 31)
    assert statutory_minimum_end(RECORD, "DK", financial_year_end=(6, 30)) == date(2030, 6, 30)
    assert statutory_minimum_end(date(2025, 7, 1), "DK", financial_year_end=(6, 30)) == date(
        2031, 6, 30
    )
    [(rule, _)] = minimum_ends(RECORD, "DK")
    assert rule.citation.startswith("Bogføringsloven")


def test_norway_five_years_and_three_and_a_half_for_agreements() -> None:
    assert statutory_minimum_end(RECORD, "NO") == date(2030, 12, 31)
    assert statutory_minimum_end(RECORD, "NO", kind="agreements") == date(2029, 6, 30)
    assert statutory_minimum_end(RECORD, "NO", kind="correspondence") == date(2029, 6, 30)
    [(rule, _)] = minimum_ends(RECORD, "NO", kind="agreements")
    assert "§ 13" in rule.citation


def test_sweden_through_the_seventh_year_after_the_calendar_year() -> None:
    assert statutory_minimum_end(RECORD, "SE") == date(2032, 12, 31)
    # Financial year 1 July 2024 - 30 June 2025 ends in 2025 → through 2032.
    assert statutory_minimum_end(RECORD, "SE", financial_year_end=(6, 30)) == date(2032, 12, 31)
    # 1 August 2025 falls in the year ending 30 June 2026 → through 2033.
    assert statutory_minimum_end(date(2025, 8, 1), "SE", financial_year_end=(6, 30)) == date(
        2033, 12, 31
    )
    [(rule, _)] = minimum_ends(RECORD, "SE")
    assert rule.citation == "Bokföringslagen (1999:1078) 7 kap. 2 §"


def test_uk_companies_act_and_hmrc_the_later_wins() -> None:
    ends = {rule.citation: end for rule, end in minimum_ends(RECORD, "GB")}
    assert ends == {
        "Companies Act 2006 s.388(4)(a)": date(2028, 3, 14),
        "HMRC: Finance Act 1998 Sch. 18 para. 21": date(2031, 12, 31),
    }
    assert statutory_minimum_end(RECORD, "GB") == date(2031, 12, 31)
    public = {r.citation: e for r, e in minimum_ends(RECORD, "UK", company_type="public")}
    assert public["Companies Act 2006 s.388(4)(b)"] == date(2031, 3, 14)
    assert statutory_minimum_end(RECORD, "GB", financial_year_end=(3, 31)) == date(2031, 3, 31)


def test_financial_year_end_handles_29_february() -> None:
    assert financial_year_end_for(date(2025, 1, 10), (2, 29)) == date(2025, 2, 28)
    assert financial_year_end_for(date(2024, 1, 10), (2, 29)) == date(2024, 2, 29)
    assert financial_year_end_for(date(2025, 3, 1), (2, 29)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: statutory_minimum_end(RECORD, "FR"), "built in or declared: DK, GB, NO, SE"),
        (lambda: statutory_minimum_end(RECORD, "DK", kind="emails"), "kinds: accounting"),
        (lambda: statutory_minimum_end(RECORD, "GB", company_type="plc"), "company_type"),
        (lambda: statutory_minimum_end(RECORD, "DK", financial_year_end=(13, 1)), "(month, day)"),
        (lambda: statutory_minimum_end(RECORD, "DK", financial_year_end=(2, 30)), "(month, day)"),
        (lambda: RetentionPeriod(3, "weeks"), "unit must be"),  # type: ignore[arg-type]
        (lambda: RetentionPeriod(-1, "months"), "zero or more"),
        (lambda: check_rule_period(RetentionPeriod(3, "months"), country="DK", kind=None),
         "documented need"),
    ],
)  # fmt: skip
def test_bad_input_is_rejected(call: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()  # type: ignore[operator]


def test_ten_years_plus_current_year_warns_about_storage_limitation_only() -> None:
    findings = check_rule_period(RetentionPeriod(10, "years_plus_current_year"), country="DK")
    assert [(f.severity, f.code, f.article) for f in findings] == [
        ("warning", "longer_than_needed", "GDPR Art. 5(1)(e)")
    ]
    assert "GDPR Art. 5(1)(e)" in findings[0].message


def test_documented_need_silences_the_storage_warning() -> None:
    rule = RetentionPeriod(10, "years_plus_current_year")
    assert check_rule_period(rule, country="DK", needed=rule) == []


def test_a_rule_shorter_than_bookkeeping_law_is_an_error() -> None:
    [finding] = check_rule_period(RetentionPeriod(3, "years"), country="SE")
    assert (finding.severity, finding.code) == ("error", "shorter_than_statutory_minimum")
    assert finding.article == "Bokföringslagen (1999:1078) 7 kap. 2 §"
    assert "GDPR Art. 17(3)(b)" in finding.message


def test_five_years_from_the_trigger_is_short_of_five_years_from_year_end() -> None:
    # A record of 1 January kept five years from its date is deleted a year too early; the worst
    # case in the sampled years is 1 January 2027 (2032 is a leap year: 365 days).
    [finding] = check_rule_period(RetentionPeriod(5, "years"), country="DK")
    assert finding.severity == "error"
    assert "2027-01-01" in finding.message and "2032-12-31" in finding.message
    assert "(365 days more)" in finding.message


def test_rule_equal_to_the_statute_has_no_findings() -> None:
    assert check_rule_period(RetentionPeriod(5, "years_plus_current_year"), country="DK") == []
    assert check_rule_period(RetentionPeriod(7, "years_plus_current_year"), country="SE") == []


def test_without_a_statute_only_the_documented_need_counts() -> None:
    applications = RetentionPeriod(3, "months")
    assert check_rule_period(applications, country="DK", kind=None, needed=applications) == []
    [finding] = check_rule_period(
        RetentionPeriod(6, "months"), country="DK", kind=None, needed=applications
    )
    assert finding.code == "longer_than_needed"


def test_retention_period_ends() -> None:
    assert RetentionPeriod(3, "months").end(date(2025, 11, 30)) == date(2026, 2, 28)
    assert RetentionPeriod(10, "years_plus_current_year").end(RECORD) == date(2035, 12, 31)
    assert RetentionPeriod(2, "years").end(date(2024, 2, 29)) == date(2026, 2, 28)
    assert RetentionPeriod(30, "days").end(date(2025, 1, 31)) == date(2025, 3, 2)
