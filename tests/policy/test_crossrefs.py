"""Cross-section checks: one small broken policy per kind of problem, line-numbered."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy.policy_helpers import BASE, PROMARK, edit, line_of, one_problem, problems
from steward.policy.crossrefs import check_policy
from steward.policy.loader import load_policy, load_policy_report, load_policy_text_report


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        ("    purposes: [service]\n", "    purposes: [servic]\n", "purposes: [servic]",
         "processing_activities[accounts].purposes[0]: undefined purpose 'servic' "
         "(did you mean 'service'?)"),
        ("    subjects: [customer]\n", "    subjects: [customers]\n", "subjects: [customers]",
         "processing_activities[accounts].subjects[0]: undefined subject category 'customers'"),
        ("    data_categories: [user.contact.email]\n",
         "    data_categories: [user.contact.emial]\n", "user.contact.emial",
         "processing_activities[accounts].data_categories[0]: undefined data category"),
        ("    retention: [closed_accounts]\n", "    retention: [old_accounts]\n",
         "retention: [old_accounts]",
         "processing_activities[accounts].retention[0]: undefined retention rule 'old_accounts'"),
        ("    systems: [app]\n", "    systems: [web]\n", "systems: [web]",
         "processing_activities[accounts].systems[0]: undefined system 'web'"),
        ("      - processor: host\n", "      - processor: cloud\n", "processor: cloud",
         "processing_activities[accounts].recipients[0].processor: undefined processor 'cloud'"),
        ("      purpose: service\n", "      purpose: newsletter\n", "purpose: newsletter",
         "consent.purposes[news].purpose: undefined purpose 'newsletter'"),
        ("    system: app\n", "    system: apps\n", "system: apps",
         "retention_rules[closed_accounts].system: undefined system 'apps'"),
        ("          - {name: email, category: user.contact.email}\n",
         "          - {name: email, category: user.contact.mail}\n", "user.contact.mail}",
         "systems[app].tables[accounts].fields[email].category: undefined data category"),
    ],
)
def test_undefined_references(old: str, new: str, needle: str, expected: str) -> None:
    assert expected in one_problem(edit(BASE, old, new), needle)


def test_undefined_consent_purpose_of_an_activity() -> None:
    text = edit(BASE, "    systems: [app]\n", "    systems: [app]\n    consent_purposes: [promo]\n")
    msg = one_problem(text, "consent_purposes: [promo]")
    assert "processing_activities[accounts].consent_purposes[0]: undefined consent purpose" in msg


def test_data_category_outside_fideslang_taxonomy() -> None:
    text = edit(BASE, "  - key: user.contact.email\n    name: E-mail\n",
                "  - key: user.contact.email\n    name: E-mail\n  - key: user.shoe_size\n"
                "    name: Shoe size\n")
    msg = one_problem(text, "user.shoe_size")
    assert "data_categories[user.shoe_size].key: 'user.shoe_size' is not in the fideslang" in msg
    assert "custom: true" in msg
    # marked custom, it is accepted
    load_policy_text_report(edit(text, "    name: Shoe size\n", "    name: Shoe size\n"
                                 "    custom: true\n"))


def test_special_category_without_art9_condition() -> None:
    text = edit(BASE, "    data_categories: [user.contact.email]\n",
                "    data_categories: [user.contact.email, user.health_and_medical]\n")
    msg = one_problem(text, "user.health_and_medical]")
    assert "processing_activities[accounts].data_categories[1]" in msg
    assert "special category (GDPR Art. 9(1))" in msg and "Art. 9(2)" in msg
    # a condition on the purpose satisfies it
    fixed = edit(text, "    legal_bases: [b]\n", "    legal_bases: [b]\n    art9_condition: h\n")
    load_policy_text_report(fixed)


def test_data_category_held_about_other_subjects_only() -> None:
    text = edit(BASE, "    name: Health\n    special: true\n",
                "    name: Health\n    special: true\n  - key: user.name\n    name: Name\n"
                "    only_subjects: [customer]\n")
    text = edit(text, "  - key: customer\n    name: Customers\n",
                "  - key: customer\n    name: Customers\n  - key: visitor\n    name: Visitors\n")
    text = edit(text, "    subjects: [customer]\n", "    subjects: [visitor]\n")
    text = edit(text, "    data_categories: [user.contact.email]\n",
                "    data_categories: [user.name]\n")
    msg = one_problem(text, "data_categories: [user.name]")
    assert "'user.name' is held only about customer" in msg


def test_processor_without_signed_dpa() -> None:
    text = edit(BASE, "    dpa: {signed: 2023-01-01}\n", "    dpa: {reference: pending}\n")
    msg = one_problem(text, "- processor: host")
    assert "without a signed data processing agreement (GDPR Art. 28(3))" in msg


def test_third_country_processor_needs_transfer_mechanism() -> None:
    text = edit(BASE, "    country: DK\n    dpa:", "    country: US\n    dpa:")
    msg = one_problem(text, "- key: host")
    assert "processors[host].transfer_mechanism: US is outside the EU/EEA" in msg


def test_consent_purpose_without_wording() -> None:
    text = edit(BASE, "      wording: Yes, send me news.\n", "")
    msg = one_problem(text, "- key: news")
    assert "consent.purposes[news]: consent purpose without wording" in msg
    assert "Art. 7(1)" in msg


def test_opt_in_needs_legal_basis_a() -> None:
    text = edit(BASE, "      legal_basis: a\n", "      legal_basis: f\n")
    msg = one_problem(text, "legal_basis: f")
    assert "consent.purposes[news].legal_basis: opt_in asks for consent" in msg
    assert "Art. 6(1)(a)" in msg


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        ("    table: accounts\n", "    table: account\n", "table: account",
         "retention_rules[closed_accounts].table: undefined table in system 'app' 'account'"),
        ("    trigger: {field: accounts.closed_at}\n", "    trigger: {field: accounts.ended}\n",
         "accounts.ended", "retention_rules[closed_accounts].trigger.field: undefined column "
         "of 'accounts' 'ended'"),
        ("    trigger: {field: accounts.closed_at}\n", "    trigger: {field: users.closed_at}\n",
         "users.closed_at", "retention_rules[closed_accounts].trigger.field: undefined table"),
        ("    period: {years: 1}\n", "    period: {years: 1}\n    fields: [email, phone]\n",
         "fields: [email, phone]",
         "retention_rules[closed_accounts].fields[1]: undefined column of 'accounts' 'phone'"),
        ("    period: {years: 1}\n", "    period: {years: 1}\n    condition: is_closed\n",
         "condition: is_closed",
         "retention_rules[closed_accounts].condition: undefined column of 'accounts'"),
        ("        references: [{field: account_id, to: accounts.id}]\n",
         "        references: [{field: account_id, to: account.id}]\n", "to: account.id",
         "systems[app].tables[notes].references[0].to: undefined table in system 'app'"),
        ("        references: [{field: account_id, to: accounts.id}]\n",
         "        references: [{field: account_id, to: accounts.uid}]\n", "to: accounts.uid",
         "systems[app].tables[notes].references[0].to: undefined column of table 'accounts'"),
    ],
)
def test_retention_and_table_references(old: str, new: str, needle: str, expected: str) -> None:
    assert expected in one_problem(edit(BASE, old, new), needle)


def test_trigger_in_another_table_needs_a_reference_chain() -> None:
    ok = edit(BASE, "    table: accounts\n    trigger: {field: accounts.closed_at}\n",
              "    table: notes\n    trigger: {field: accounts.closed_at}\n")
    load_policy_text_report(ok)  # notes.account_id -> accounts.id
    bad = edit(ok, "        references: [{field: account_id, to: accounts.id}]\n",
               "        fields:\n          - {name: account_id}\n")
    bad = bad.replace("        fields:\n          - {name: account_id}\n        fields:\n",
                      "        fields:\n          - {name: account_id}\n")
    msg = one_problem(bad, "trigger: {field: accounts.closed_at}")
    assert "no chain of references leads from 'notes'" in msg


def test_lead_and_complaint_authority_need_entries() -> None:
    text = edit(BASE, "  lead_authority: DK\n", "  lead_authority: SE\n  complaint_authority: GB\n")
    found = problems(text)
    assert len(found) == 2
    assert found[0].startswith(f"acme.yaml:{line_of(text, 'lead_authority: SE')}:")
    assert "controller.lead_authority: no `authorities` entry for SE" in found[0]
    assert "controller.complaint_authority: no `authorities` entry for GB" in found[1]


def test_duplicate_keys_within_lists() -> None:
    text = edit(BASE, "    legal_bases: [b]\n",
                "    legal_bases: [b]\n  - key: service\n    title: Again\n"
                "    description: Twice\n    legal_bases: [c]\n")
    found = problems(text)
    assert len(found) == 1
    second = [i for i, line in enumerate(text.splitlines(), 1) if "- key: service" in line][1]
    assert found[0].startswith(f"acme.yaml:{second}:")
    assert "duplicate key 'service' in purposes (first at acme.yaml:" in found[0]


def test_duplicate_table_and_field_names() -> None:
    text = edit(BASE, "          - {name: closed_at}\n",
                "          - {name: closed_at}\n          - {name: email}\n")
    second = [
        i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "- {name: email}"
    ][0]
    (msg,) = problems(text)
    assert msg.startswith(f"acme.yaml:{second}:")
    assert "duplicate name 'email' in fields" in msg


def test_statutory_rule_without_authority_for_storage_country_warns() -> None:
    text = edit(BASE, "    period: {years: 1}\n",
                "    period: {years: 1}\n    legal_obligation: true\n"
                "    statutory_basis: Bookkeeping Act\n")
    text = edit(text, "    storage_country: DK\n", "    storage_country: SE\n")
    loaded = load_policy_text_report(text, "acme.yaml")
    (warning,) = loaded.warnings
    assert warning.startswith(f"acme.yaml:{line_of(text, 'system: app')}:")
    assert "warning: statutory rule stored in SE" in warning


def test_legal_obligation_needs_statutory_basis() -> None:
    text = edit(BASE, "    period: {years: 1}\n", "    period: {years: 1}\n"
                "    legal_obligation: true\n")
    msg = one_problem(text, "legal_obligation: true")
    assert "needs statutory_basis" in msg and "Art. 17(3)(b)" in msg


def test_unloadable_fides_dataset_skips_table_checks_with_warning(tmp_path: Path) -> None:
    text = edit(BASE, "    storage_country: DK\n",
                "    storage_country: DK\n    fides_dataset: missing.yml\n")
    text = edit(text, "    table: accounts\n", "    table: not_declared_anywhere\n")
    loaded = load_policy_text_report(text, "acme.yaml", tmp_path)
    # The rule now sweeps another table, so `accounts` is also reported (Art. 5(1)(e)).
    (warning,) = [w for w in loaded.warnings if "Art. 5(1)(e)" not in w]
    assert "systems[app].fides_dataset: warning: cannot load fideslang dataset" in warning


def test_fides_dataset_tables_are_checked(tmp_path: Path) -> None:
    (tmp_path / "app.yml").write_text(
        "dataset:\n  - fides_key: app\n    collections:\n      - name: sessions\n"
        "        fields:\n          - name: started_at\n          - name: ip\n"
        "            data_categories: [user.device.ip_address]\n"
    )
    text = edit(BASE, "    storage_country: DK\n",
                "    storage_country: DK\n    fides_dataset: app.yml\n")
    good = edit(text, "    table: accounts\n    trigger: {field: accounts.closed_at}\n",
                "    table: sessions\n    trigger: {field: sessions.started_at}\n")
    (warning,) = load_policy_text_report(good, "acme.yaml", tmp_path).warnings
    assert "app.accounts holds personal data that no retention rule covers" in warning
    bad = edit(good, "sessions.started_at", "sessions.ended_at")
    (msg,) = problems(bad, base_dir=tmp_path)
    assert "undefined column of 'sessions' 'ended_at'" in msg


def test_check_policy_without_sources_still_reports() -> None:
    policy = load_policy(PROMARK)
    assert check_policy(policy).errors == []
    broken = policy.model_copy(update={"authorities": {}})
    errors = check_policy(broken).errors
    assert any("<policy>:1:1: controller.lead_authority" in e for e in errors)


def test_promark_example_validates_cleanly() -> None:
    loaded = load_policy_report(PROMARK)
    assert loaded.warnings == []
    assert loaded.policy.policy.id == "promark"
    assert len(loaded.files) == 15
