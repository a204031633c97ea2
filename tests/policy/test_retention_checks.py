"""Validation of retention rules: storage countries without a built-in bookkeeping period,
periods shorter than the law, combined conditions and consent parts, triggers over child rows.
Each problem is line-numbered; none waits for `retention plan` to fail."""

from __future__ import annotations

from policy.policy_helpers import BASE, edit, one_problem
from steward.policy.loader import load_policy_text_report

BOOKKEEPING = (
    "    period: {years: 1}\n",
    "    period: {years: 6}\n    record_kind: accounting\n    legal_obligation: true\n"
    "    statutory_basis: Kirjanpitolaki 2 luku 10 §\n",
)


def test_unknown_storage_country_fails_validation_with_its_line() -> None:
    text = edit(BASE, *BOOKKEEPING)
    text = edit(text, "    storage_country: DK\n", "    storage_country: FI\n")
    msg = one_problem(text, "record_kind: accounting")
    assert "retention_rules[closed_accounts].record_kind" in msg
    assert "'FI'" in msg and "storage_countries.FI.periods" in msg


def test_declared_country_period_validates_and_is_checked() -> None:
    text = edit(BASE, *BOOKKEEPING)
    text = edit(text, "    storage_country: DK\n", "    storage_country: FI\n")
    declared = (
        "storage_countries:\n"
        "  FI:\n"
        "    financial_year_end: 06-30\n"
        "    periods:\n"
        "      - {statute: Kirjanpitolaki (1336/1997), article: 2 luku 10 §, months: 120}\n"
    )
    # Ten years from the end of the financial year: six years is too short, an error that
    # names the statute and cites Art. 17(3)(b).
    msg = one_problem(text + declared, "period: {years: 6}")
    assert "Kirjanpitolaki (1336/1997) 2 luku 10 §" in msg and "Art. 17(3)(b)" in msg
    longer = edit(text, "    period: {years: 6}\n", "    period: {years: 12}\n")
    loaded = load_policy_text_report(longer + declared, "acme.yaml")
    assert loaded.policy.storage_countries["FI"].financial_year_end == "06-30"


def test_condition_columns_and_consent_parts_are_checked() -> None:
    cond = (
        "    period: {years: 1}\n"
        "    condition:\n"
        "      all:\n"
        "        - accounts.closed_at\n"
        "        - not: {consent: {purpose: newz, state: given}}\n"
    )
    text = edit(BASE, "    period: {years: 1}\n", cond)
    msg = one_problem(text, "purpose: newz")
    assert "condition.all[1].not.consent.purpose: undefined consent purpose 'newz'" in msg
    assert "did you mean 'news'" in msg
    text = edit(text, "purpose: newz", "purpose: news")
    text = edit(text, "        - accounts.closed_at\n", "        - accounts.closed\n")
    msg = one_problem(text, "- accounts.closed")
    assert "undefined column of 'accounts' 'closed'" in msg


def test_trigger_of_latest_needs_a_child_table() -> None:
    text = edit(BASE, "    trigger: {field: accounts.closed_at}\n",
                "    trigger: {field: accounts.closed_at, of: latest}\n")
    msg = one_problem(text, "of: latest")
    assert "child table" in msg
    ok = edit(BASE, "    trigger: {field: accounts.closed_at}\n",
              "    trigger: {field: notes.written_at, of: latest}\n")
    ok = edit(ok, "          - {name: body}\n", "          - {name: body}\n"
              "          - {name: written_at}\n")
    assert load_policy_text_report(ok, "acme.yaml").policy.retention_rules[0].trigger.of == (
        "latest")
