"""Identity types declared by the policy (Art. 12(6)): tables' identity columns must name
them, with file:line errors; without an `identities:` section the built-in four apply."""

from __future__ import annotations

from policy.policy_helpers import BASE, PROMARK, edit, one_problem, problems
from steward.policy.identities import accepted_types
from steward.policy.loader import load_policy, load_policy_text_report

DECLARED = """identities:
  - key: email
    label: {en: E-mail}
    kind: email
    alone: true
  - key: employee_number
    label: Employee number
    pattern: "E[0-9]{5}"
"""


def test_without_a_section_the_builtin_types_apply() -> None:
    policy = load_policy_text_report(BASE, "acme.yaml").policy
    assert list(accepted_types(policy)) == ["email", "phone", "customer_number", "national_id"]
    national = accepted_types(policy)["national_id"]
    assert national.kind.value == "national_id" and national.country == "DK"
    assert [k for k, t in accepted_types(policy).items() if t.alone] == ["email"]


def test_declared_types_replace_the_builtin_ones() -> None:
    policy = load_policy_text_report(DECLARED + BASE, "acme.yaml").policy
    assert list(accepted_types(policy)) == ["email", "employee_number"]


def test_a_table_naming_an_undeclared_type_is_an_error_with_its_line() -> None:
    text = edit(DECLARED + BASE, "        identities: {email: email}\n",
                "        identities: {email: email, phone: mobile}\n")
    msg = one_problem(text, "identities: {email: email, phone: mobile}")
    assert "systems[app].tables[accounts].identities.phone: unknown identity type 'phone'" in msg
    assert "accepted: email, employee_number" in msg


def test_a_builtin_type_works_in_tables_when_nothing_is_declared() -> None:
    text = edit(BASE, "        identities: {email: email}\n",
                "        identities: {email: email, phone: mobile, customer_number: no}\n")
    load_policy_text_report(text, "acme.yaml")  # no problem
    bad = edit(BASE, "        identities: {email: email}\n",
               "        identities: {email: email, badge: badge_no}\n")
    assert "unknown identity type 'badge'" in one_problem(bad, "badge_no")


def test_national_id_needs_a_country_with_a_check() -> None:
    text = DECLARED + "  - key: nino\n    label: NI number\n    kind: national_id\n" + BASE
    assert "identities[nino]: a national_id identity needs its issuing `country`" in (
        one_problem(text, "- key: nino")
    )
    text = DECLARED + (
        "  - key: nino\n    label: NI number\n    kind: national_id\n    country: GB\n"
    ) + BASE
    msg = one_problem(text, "country: GB")
    assert "identities[nino].country: no national identity number check is known for GB" in msg


def test_one_type_must_be_able_to_start_a_request_alone() -> None:
    text = edit(DECLARED + BASE, "    alone: true\n", "")
    found = problems(text)
    assert len(found) == 1 and found[0].startswith("acme.yaml:1:")
    assert "identities: no identity type may start a request alone" in found[0]


def test_the_example_policy_declares_its_identities() -> None:
    types = accepted_types(load_policy(PROMARK))
    assert set(types) == {"email", "phone", "customer_number", "national_id"}
    assert types["national_id"].country == "DK" and types["email"].alone
