"""Law cited only where there is law: bookkeeping dates from the storage country's statute and
financial-year end, a health-records rule with its own statute and dates, the company's own
periods described as its choice. Expected dates are written by hand from LEGAL.md."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests.retention import company as co

from steward.policy.models import Policy
from steward.policy.ropa import period_words
from steward.requests.plan import keep_hook
from steward.retention import statutes
from steward.retention.rules import resolve

INVOICES = co.RULES[3]
CUSTOMERS = co.RULES[2]


def policy_with(rules: list[dict[str, Any]], **extra: Any) -> Policy:
    return Policy.model_validate({**co.BASE, "systems": co.SYSTEMS, "retention_rules": rules,
                                  **extra})


def keep(policy: Policy, issued: str, today: date = date(2026, 1, 1)) -> str | None:
    crm = policy.system("crm")
    invoices = next(t for t in crm.tables if t.name == "invoices")
    return keep_hook(policy, crm, today)(invoices, {"id": 1, "issued_at": issued})


def invoices_rule(policy: Policy) -> Any:
    return policy.retention_rule("invoices_bookkeeping")


def test_bookkeeping_until_counts_from_the_financial_year_end() -> None:
    # Bogføringsloven § 12: 5 years from the end of the financial year the material concerns.
    calendar = policy_with(co.RULES)
    assert statutes.legal_keep(calendar, invoices_rule(calendar), "DK", date(2025, 3, 10)) == (
        date(2030, 12, 31), "Bogføringsloven § 12")
    # A financial year ending 30 June: the invoice of 10 March 2025 falls in the year ending
    # 30 June 2025, so it is kept until 30 June 2030 — not 31 December 2030.
    june = policy_with(co.RULES, storage_countries={"DK": {"financial_year_end": "06-30"}})
    assert statutes.legal_keep(june, invoices_rule(june), "DK", date(2025, 3, 10))[0] == (
        date(2030, 6, 30))
    # ... and one of 1 July 2025 falls in the year ending 30 June 2026.
    assert statutes.legal_keep(june, invoices_rule(june), "DK", date(2025, 7, 1))[0] == (
        date(2031, 6, 30))


def test_the_policy_statutory_basis_wins_and_the_built_in_text_is_the_default() -> None:
    policy = policy_with(co.RULES)
    reason = keep(policy, "2025-03-10")
    assert reason == "GDPR Art. 17(3)(b): Bogføringsloven § 12 until 2030-12-31"
    own = {**INVOICES, "statutory_basis": None}
    # Without a statutory basis the rule does not validate (tablerefs), but the built-in
    # citation is what the statute table holds.
    bare = policy_with([co.RULES[0], co.RULES[1], co.RULES[2], own])
    end, cited = statutes.legal_keep(bare, bare.retention_rule("invoices_bookkeeping"), "DK",
                                     date(2025, 3, 10)) or (None, "")
    assert end == date(2030, 12, 31)
    assert cited == "Bogføringsloven (lov nr. 700 af 24. maj 2022) § 12, stk. 1"
    assert keep(policy, "2020-06-01") is None  # the statute's period is over: erased


def test_a_health_records_rule_cites_its_own_statute_and_dates() -> None:
    health = {**INVOICES, "key": "patient_records", "record_kind": "other", "kind": "statutory",
              "period": {"years": 10},
              "statutory_basis": "Journalføringsbekendtgørelsen (BEK nr 1225 af 2024) § 15"}
    policy = policy_with([co.RULES[0], co.RULES[1], co.RULES[2], health])
    rule = policy.retention_rule("patient_records")
    # Its own 10 years from the record date (kept through 10 March 2035), not the
    # bookkeeping act's 5 years from the financial year end.
    assert statutes.legal_keep(policy, rule, "DK", date(2025, 3, 10)) == (
        date(2035, 3, 10), "Journalføringsbekendtgørelsen (BEK nr 1225 af 2024) § 15")
    text = statutes.basis(policy, rule, "DK")
    assert "Journalføringsbekendtgørelsen" in text and "Art. 17(3)(b)" in text
    assert "Bogføringsloven" not in text
    assert resolve(policy, rule).findings == ()  # no bookkeeping comparison


def test_a_company_period_is_described_as_the_company_choice() -> None:
    policy = policy_with(co.RULES)
    rule = policy.retention_rule(CUSTOMERS["key"])
    text = statutes.basis(policy, rule, "DK")
    assert text.startswith("kept for up to 10 years plus the current year, as our policy states")
    assert "company's choice" in text
    assert "17(3)(b)" not in text and "legal obligation" not in text
    assert statutes.legal_keep(policy, rule, "DK", date(2025, 3, 10)) is None
    # The record of processing (Art. 30(1)(f)) says the same.
    assert "17(3)(b)" not in period_words(rule)
    invoices = period_words(policy.retention_rule("invoices_bookkeeping"))
    assert "no later than 10 years plus the current year" in invoices
    assert "the company's choice" in invoices and "Art. 17(3)(b)" in invoices
    # The bookkeeping rule: the law for its minimum, the company for the rest.
    inv = statutes.basis(policy, policy.retention_rule("invoices_bookkeeping"), "DK")
    assert inv.startswith("the law requires keeping it: Bogføringsloven § 12 (GDPR Art. "
                          "17(3)(b), in DK); after that, kept for up to 10 years plus the "
                          "current year, as our policy states")


def test_a_declared_country_gives_its_own_dates() -> None:
    fi = {"FI": {"financial_year_end": "06-30", "periods": [
        {"statute": "Kirjanpitolaki (1336/1997)", "article": "2 luku 10 §", "months": 120}]}}
    systems = [{**s, "storage_country": "FI"} if s["key"] == "crm" else s for s in co.SYSTEMS]
    rule = {**INVOICES, "statutory_basis": None}
    policy = Policy.model_validate({**co.BASE, "systems": systems, "storage_countries": fi,
                                    "retention_rules": [rule]})
    # 10 years from the end of the financial year (30 June 2025) in which 10 March 2025 falls.
    assert statutes.legal_keep(policy, policy.retention_rule("invoices_bookkeeping"), "FI",
                               date(2025, 3, 10)) == (
        date(2035, 6, 30), "Kirjanpitolaki (1336/1997) 2 luku 10 §")
    # 10 years plus the current year is shorter than the Finnish 10 years from a June year end
    # for records of the second half-year: an error naming the statute.
    (error,) = resolve(policy, "invoices_bookkeeping").errors
    assert "Kirjanpitolaki (1336/1997) 2 luku 10 §" in error.message


@pytest.mark.parametrize("country", ["DK", "NO", "SE", "GB"])
def test_built_in_countries_need_no_declaration(country: str) -> None:
    systems = [{**s, "storage_country": country} for s in co.SYSTEMS]
    policy = Policy.model_validate({**co.BASE, "systems": systems,
                                    "retention_rules": co.RULES})
    assert not resolve(policy, "invoices_bookkeeping").errors


@pytest.mark.parametrize(
    ("issued", "today", "kept_until"),
    [
        # Bogføringsloven § 12: 5 years from the end of the financial year (31 December here).
        # An invoice of 1 June 2020 (year ending 31 Dec 2020) is kept through 31 Dec 2025 ...
        ("2020-06-01", date(2025, 12, 31), "2025-12-31"),
        # ... and erased with the rest from 1 January 2026 (the period is over).
        ("2020-06-01", date(2026, 1, 1), None),
        # The financial year's last day and the next year's first day fall in different years.
        ("2020-12-31", date(2026, 1, 1), None),
        ("2021-01-01", date(2026, 1, 1), "2026-12-31"),
        ("2021-01-01", date(2026, 12, 31), "2026-12-31"),
        ("2021-01-01", date(2027, 1, 1), None),
    ],
)
def test_an_invoice_is_kept_through_the_last_day_of_its_period_and_not_a_day_longer(
    issued: str, today: date, kept_until: str | None
) -> None:
    from steward.requests.plan import keep_until

    policy = policy_with(co.RULES)
    reason = keep(policy, issued, today)
    if kept_until is None:
        assert reason is None
    else:
        assert reason == f"GDPR Art. 17(3)(b): Bogføringsloven § 12 until {kept_until}"
    crm = policy.system("crm")
    invoices = next(t for t in crm.tables if t.name == "invoices")
    end, _ = keep_until(policy, crm, invoices, {"id": 1, "issued_at": issued}) or (None, "")
    assert end is not None and end.year == int(issued[:4]) + 5 and (end.month, end.day) == (12, 31)
