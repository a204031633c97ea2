"""Statutory bookkeeping minima per storage country, and checks of company retention rules."""

from __future__ import annotations

from datetime import date

import pytest

from steward.errors import InvalidInput
from steward.legal.retention_periods import (
    STATUTORY_RETENTION,
    Finding,
    RetentionPeriod,
    StatutoryRetention,
    applicable_rules,
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


# The built-in statutes, from their text: (country, kind, citation, months, what the summary
# must say, company types).
STATUTES = [
    ("DK", "accounting", "Bogføringsloven (lov nr. 700 af 24. maj 2022) § 12, stk. 1", 60,
     ["5 years", "end of the financial year"], {"private", "public"}),
    ("NO", "accounting", "Bokføringsloven (LOV-2004-11-19-73) § 13 første ledd", 60,
     ["5 years", "end of the financial year"], {"private", "public"}),
    ("NO", "agreements", "Bokføringsloven (LOV-2004-11-19-73) § 13 annet ledd", 42,
     ["3 years and 6 months", "agreements"], {"private", "public"}),
    ("NO", "correspondence", "Bokføringsloven (LOV-2004-11-19-73) § 13 annet ledd", 42,
     ["3 years and 6 months", "correspondence"], {"private", "public"}),
    ("SE", "accounting", "Bokföringslagen (1999:1078) 7 kap. 2 §", 84,
     ["7th year after the calendar year"], {"private", "public"}),
    ("GB", "accounting", "Companies Act 2006 s.388(4)(a)", 36,
     ["3 years", "private company"], {"private"}),
    ("GB", "accounting", "Companies Act 2006 s.388(4)(b)", 72,
     ["6 years", "public company"], {"public"}),
    ("GB", "accounting", "HMRC: Finance Act 1998 Sch. 18 para. 21", 72,
     ["6 years", "end of the financial year"], {"private", "public"}),
]  # fmt: skip


def test_the_built_in_statutes_as_the_laws_state_them() -> None:
    got = [(r.country, r.kind, r.citation, r.months, r.company_types) for r in STATUTORY_RETENTION]
    assert got == [(c, k, cite, m, types) for c, k, cite, m, _, types in STATUTES]
    for rule, (*_, words, _) in zip(STATUTORY_RETENTION, STATUTES, strict=True):
        for word in words:
            assert word in rule.summary, (rule.citation, word)


FRANCE = StatutoryRetention(
    "FR", "accounting", "Code de commerce", "art. L123-22", 120, "financial_year_end",
    "10 years from the end of the financial year",
)  # fmt: skip


def test_declared_periods_add_a_country_and_replace_a_built_in_one() -> None:
    assert statutory_minimum_end(RECORD, "fr", declared=[FRANCE]) == date(2035, 12, 31)
    [(rule, _)] = minimum_ends(RECORD, "FR", declared=[FRANCE])
    assert rule.citation == "Code de commerce art. L123-22"
    six_years = StatutoryRetention(
        "DK", "accounting", _DK, "§ 12", 72, "record_date", "6 years from the record"
    )
    assert statutory_minimum_end(RECORD, "DK", declared=[six_years]) == date(2031, 3, 14)
    # Declaring Norway's accounting period leaves its built-in agreements period in place.
    norway = StatutoryRetention("NO", "accounting", "x", "§ 1", 12, "record_date", "a year")
    assert statutory_minimum_end(RECORD, "NO", declared=[norway]) == date(2026, 3, 14)
    assert statutory_minimum_end(RECORD, "NO", kind="agreements", declared=[norway]) == date(
        2029, 6, 30
    )


_DK = "Bogføringsloven (lov nr. 700 af 24. maj 2022)"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: statutory_minimum_end(RECORD, " fr "),
         "No statutory bookkeeping retention is recorded for storage country ' fr ' (built in "
         "or declared: DK, GB, NO, SE); declare its period in the policy under "
         "storage_countries.FR.periods."),
        (lambda: statutory_minimum_end(RECORD, "IE", declared=[FRANCE]),
         "No statutory bookkeeping retention is recorded for storage country 'IE' (built in "
         "or declared: DK, FR, GB, NO, SE); declare its period in the policy under "
         "storage_countries.IE.periods."),
        (lambda: statutory_minimum_end(RECORD, None),  # type: ignore[arg-type]
         "No statutory bookkeeping retention is recorded for storage country None (built in "
         "or declared: DK, GB, NO, SE); declare its period in the policy under "
         "storage_countries.None.periods."),
        (lambda: statutory_minimum_end(RECORD, "NO", kind="emails"),
         "No statutory retention for 'emails' records in NO; kinds: accounting, agreements, "
         "correspondence; declare it in the policy under storage_countries.NO.periods."),
        (lambda: statutory_minimum_end(RECORD, "FR", kind="payroll", declared=[FRANCE]),
         "No statutory retention for 'payroll' records in FR; kinds: accounting; declare it in "
         "the policy under storage_countries.FR.periods."),
        (lambda: statutory_minimum_end(RECORD, "GB", company_type="plc"),
         "company_type must be 'private' or 'public', got 'plc'."),
        (lambda: statutory_minimum_end(RECORD, "DK", financial_year_end=(13, 1)),
         "financial_year_end must be (month, day), e.g. (12, 31), got (13, 1)."),
        (lambda: statutory_minimum_end("2025-03-14", "DK"),  # type: ignore[arg-type]
         "record_date must be a calendar date (YYYY-MM-DD), got '2025-03-14'."),
        (lambda: RetentionPeriod(3, "weeks"),  # type: ignore[arg-type]
         "unit must be one of days, months, years, years_plus_current_year, got 'weeks'."),
        (lambda: RetentionPeriod(-1, "months"),
         "amount must be a whole number of zero or more, got -1."),
        (lambda: RetentionPeriod(30, "days").end("2025-01-31"),  # type: ignore[arg-type]
         "trigger must be a calendar date (YYYY-MM-DD), got '2025-01-31'."),
        (lambda: check_rule_period(RetentionPeriod(3, "months"), country="DK", kind=None),
         "Give a statutory kind or a documented need to compare the rule with."),
        (lambda: check_rule_period(RetentionPeriod(3, "months"), country="FR"),
         "No statutory bookkeeping retention is recorded for storage country 'FR' (built in "
         "or declared: DK, GB, NO, SE); declare its period in the policy under "
         "storage_countries.FR.periods."),
    ],
)  # fmt: skip
def test_refusals_say_exactly_what_is_wrong(call: object, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        call()  # type: ignore[operator]
    assert err.value.detail == message


@pytest.mark.parametrize(
    ("value", "end"),
    [((1, 1), date(2025, 1, 1)), ((12, 31), date(2025, 12, 31)), ((1, 31), date(2025, 1, 31)),
     ((4, 30), date(2025, 4, 30)), ((2, 29), date(2025, 2, 28))],
)  # fmt: skip
def test_financial_year_ends_that_exist(value: tuple[int, int], end: date) -> None:
    assert financial_year_end_for(date(2025, 1, 1), value) == end


@pytest.mark.parametrize(
    "value", [(0, 1), (13, 1), (1, 0), (1, 32), (4, 31), (2, 30), (12,), "1231", None, ("12", "31")]
)
def test_financial_year_ends_that_do_not_exist(value: object) -> None:
    with pytest.raises(InvalidInput) as err:
        financial_year_end_for(date(2025, 1, 1), value)  # type: ignore[arg-type]
    assert err.value.detail == (
        f"financial_year_end must be (month, day), e.g. (12, 31), got {value!r}."
    )


def test_a_record_dated_on_the_last_day_of_the_financial_year_belongs_to_it() -> None:
    assert financial_year_end_for(date(2025, 6, 30), (6, 30)) == date(2025, 6, 30)
    assert financial_year_end_for(date(2025, 7, 1), (6, 30)) == date(2026, 6, 30)
    assert financial_year_end_for(date(2025, 12, 31), (12, 31)) == date(2025, 12, 31)
    assert statutory_minimum_end(date(2025, 6, 30), "DK", financial_year_end=(6, 30)) == date(
        2030, 6, 30
    )


def test_periods_describe_themselves() -> None:
    assert RetentionPeriod(3, "months").describe() == "3 months"
    assert RetentionPeriod(30, "days").describe() == "30 days"
    assert RetentionPeriod(5, "years").describe() == "5 years"
    assert RetentionPeriod(10, "years_plus_current_year").describe() == (
        "10 years plus the current year"
    )
    assert RetentionPeriod(0, "days").end(RECORD) == RECORD


def test_the_shortfall_names_the_worst_record_and_the_statute() -> None:
    # Five years from the record instead of from the year end: a record of 1 January 2027 goes
    # after 1 January 2032, the law keeps it to 31 December 2032 (2032 is a leap year).
    [finding] = check_rule_period(RetentionPeriod(5, "years"), country="DK")
    assert finding == Finding(
        "error", "shorter_than_statutory_minimum",
        "Keeping accounting records for 5 years is too short in DK: a record dated 2027-01-01 "
        "would be deleted after 2032-01-01, but Bogføringsloven (lov nr. 700 af 24. maj 2022) "
        "§ 12, stk. 1 requires keeping it until 2032-12-31 (365 days more). The bookkeeping "
        "duty prevails over erasure (GDPR Art. 17(3)(b)).",
        "Bogføringsloven (lov nr. 700 af 24. maj 2022) § 12, stk. 1",
    )  # fmt: skip


def test_deleting_on_the_last_day_of_the_statutory_period_is_a_day_short() -> None:
    # Every record falls one day short; the first sampled one is shown.
    [finding] = check_rule_period(
        RetentionPeriod(5, "years_plus_current_year"), country="DK", deleted_on_last_day=True
    )
    assert finding.message.startswith(
        "Keeping accounting records for 5 years plus the current year is too short in DK: a "
        "record dated 2024-01-01 would be deleted after 2029-12-30, but Bogføringsloven (lov "
        "nr. 700 af 24. maj 2022) § 12, stk. 1 requires keeping it until 2029-12-31 (1 day "
        "more)."
    )


def test_the_uk_shortfall_cites_the_later_hmrc_period() -> None:
    # Three years from the record (s.388(4)(a)) against six years from the year end (HMRC):
    # from 1 January 2024, 2027-01-01 against 2030-12-31.
    [finding] = check_rule_period(RetentionPeriod(3, "years"), country="GB")
    assert finding.article == "HMRC: Finance Act 1998 Sch. 18 para. 21"
    assert "a record dated 2024-01-01 would be deleted after 2027-01-01" in finding.message
    assert "until 2030-12-31 (1460 days more)" in finding.message


def test_the_excess_names_the_worst_record() -> None:
    # Ten years plus the current year against Denmark's five from the year end: the five extra
    # years 2032-2036 hold two leap days, the most of any sampled year.
    [finding] = check_rule_period(RetentionPeriod(10, "years_plus_current_year"), country="DK")
    assert finding == Finding(
        "warning", "longer_than_needed",
        "Keeping data for 10 years plus the current year exceeds the statutory minimum by up to "
        "1827 days (a record dated 2026-01-01 is kept until 2036-12-31, needed until "
        "2031-12-31). Keep personal data no longer than necessary (GDPR Art. 5(1)(e), storage "
        "limitation) or document the purpose that needs it.",
        "GDPR Art. 5(1)(e)",
    )  # fmt: skip


def test_the_excess_over_statute_and_documented_need() -> None:
    [finding] = check_rule_period(
        RetentionPeriod(10, "years_plus_current_year"), country="DK",
        needed=RetentionPeriod(6, "years_plus_current_year"),
    )  # fmt: skip
    assert finding.message.startswith(
        "Keeping data for 10 years plus the current year exceeds the statute and documented "
        "need by up to 1461 days (a record dated 2024-01-01 is kept until 2034-12-31, needed "
        "until 2030-12-31)."
    )


def test_the_excess_over_a_documented_need_alone() -> None:
    # 400 days against one year: a record of 29 February 2024 is needed to 28 February 2025
    # (365 days) and kept to 4 April 2025 (400 days), 35 days too long.
    [finding] = check_rule_period(
        RetentionPeriod(400, "days"), country="DK", kind=None, needed=RetentionPeriod(1, "years")
    )
    assert finding.message.startswith(
        "Keeping data for 400 days exceeds the documented need by up to 35 days (a record dated "
        "2024-02-29 is kept until 2025-04-04, needed until 2025-02-28)."
    )
    # Without a statute, even a rule shorter than bookkeeping law gives no error.
    assert (
        check_rule_period(
            RetentionPeriod(1, "days"), country="DK", kind=None, needed=RetentionPeriod(1, "years")
        )
        == []
    )
    one_day_over = check_rule_period(
        RetentionPeriod(2, "days"), country="DK", kind=None, needed=RetentionPeriod(1, "days")
    )
    assert "by up to 1 day (a record dated 2024-01-01" in one_day_over[0].message


def test_a_calendar_year_rule_against_a_june_financial_year() -> None:
    # Five years plus the current year against five years from a 30 June year end: records of
    # July-December are deleted half a year early (182 days when 2032 has a 29 February), and
    # records of January-June are kept half a year too long (184 days, July-December).
    findings = check_rule_period(
        RetentionPeriod(5, "years_plus_current_year"), country="DK", financial_year_end=(6, 30)
    )
    assert [(f.severity, f.article) for f in findings] == [
        ("error", "Bogføringsloven (lov nr. 700 af 24. maj 2022) § 12, stk. 1"),
        ("warning", "GDPR Art. 5(1)(e)"),
    ]
    assert "a record dated 2026-07-01 would be deleted after 2031-12-31" in findings[0].message
    assert "until 2032-06-30 (182 days more)" in findings[0].message
    assert (
        "by up to 184 days (a record dated 2024-01-01 is kept until 2029-12-31, needed "
        "until 2029-06-30)" in findings[1].message
    )


def test_declared_periods_count_in_the_rule_check() -> None:
    # France, as declared: ten years from the end of the financial year.
    rule = RetentionPeriod(10, "years_plus_current_year")
    assert check_rule_period(rule, country="FR", declared=[FRANCE]) == []
    [finding] = check_rule_period(
        RetentionPeriod(9, "years_plus_current_year"), country="FR", declared=[FRANCE]
    )
    assert (finding.code, finding.article) == (
        "shorter_than_statutory_minimum",
        "Code de commerce art. L123-22",
    )
    public = check_rule_period(RetentionPeriod(6, "years_plus_current_year"), country="GB",
                               company_type="public")  # fmt: skip
    assert public == []


def test_the_rules_that_apply_by_default_are_for_accounts_of_a_private_company() -> None:
    assert [r.citation for r in applicable_rules("GB")] == [
        "Companies Act 2006 s.388(4)(a)",
        "HMRC: Finance Act 1998 Sch. 18 para. 21",
    ]
    assert [r.citation for r in applicable_rules("uk", company_type="public")] == [
        "Companies Act 2006 s.388(4)(b)",
        "HMRC: Finance Act 1998 Sch. 18 para. 21",
    ]
    assert [r.kind for r in applicable_rules("NO")] == ["accounting"]


def test_the_kind_of_record_counts_in_the_rule_check() -> None:
    # Norwegian agreements: 3 years and 6 months from the year end. Three years from a record
    # of 1 January 2024 end on 1 January 2027; the law keeps it to 30 June 2028.
    [finding] = check_rule_period(RetentionPeriod(3, "years"), country="NO", kind="agreements")
    assert finding.message.startswith(
        "Keeping agreements records for 3 years is too short in NO: a record dated 2024-01-01 "
        "would be deleted after 2027-01-01, but Bokføringsloven (LOV-2004-11-19-73) § 13 annet "
        "ledd requires keeping it until 2028-06-30 (546 days more)."
    )


def test_the_company_type_counts_in_the_rule_check() -> None:
    # A policy that declares only the Companies Act periods: three years for a private
    # company's records, six for a public company's (s.388(4)(a) and (b)).
    companies_act = [r for r in STATUTORY_RETENTION if r.statute == "Companies Act 2006"]
    three_years = RetentionPeriod(3, "years")
    assert check_rule_period(three_years, country="GB", declared=companies_act) == []
    [finding] = check_rule_period(
        three_years, country="GB", company_type="public", declared=companies_act
    )
    assert finding.article == "Companies Act 2006 s.388(4)(b)"
