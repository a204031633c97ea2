"""A controller's scope in the systems processed for it (Art. 28(3)(e)): each mistake named
with its file and line; the scoped policy carries the tenant condition to every table."""

from __future__ import annotations

import pytest
from tests.policy.policy_helpers import BASE, edit, one_problem

from steward.policy.loader import load_policy_text_report
from steward.policy.tenancy import scope_lines, scoped_policy

ROLE = """\
processor_roles:
  - key: hr_saas
    categories_of_processing: [Hosting of the HR product]
    controllers:
      - key: alpha
        name: Alpha ApS
        country: DK
        contact: {email: privacy@alpha.example}
        scope:
          - system: hr
            tenant: {column: customer_id, value: 17}
      - key: beta
        name: Beta AB
        country: DK
        scope:
          - system: hr  # a database of its own
            url_env: BETA_HR_URL
    systems:
      - key: hr
        name: HR
        connector: sql
        url_env: HR_URL
        storage_country: DK
        tables:
          - name: staff
            identities: {email: email}
            fields:
              - {name: customer_id}
              - {name: email, category: user.contact.email}
          - name: leave
            references: [{field: staff_id, to: staff.id}]
            fields:
              - {name: customer_id}
              - {name: days}
"""


def test_a_valid_scope_reaches_every_table() -> None:
    policy = load_policy_text_report(BASE + ROLE).policy
    alpha = scoped_policy(policy, "alpha")
    assert [s.key for s in alpha.systems] == ["hr"]  # the company's own `app` is not searched
    assert {
        t.name: (t.tenant.column, t.tenant.value) for t in alpha.systems[0].tables if t.tenant
    } == {"staff": ("customer_id", 17), "leave": ("customer_id", 17)}
    beta = scoped_policy(policy, "beta").systems[0]
    assert (beta.url, beta.url_env) == (None, "BETA_HR_URL")
    assert all(t.tenant is None for t in beta.tables)
    assert scope_lines(policy, "alpha") == ["hr: staff: customer_id = 17; leave: customer_id = 17"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "          - system: hr\n            tenant: {column: customer_id, value: 17}\n",
            "          - system: hrm\n            tenant: {column: customer_id, value: 17}\n",
            "system: hrm",
            "controllers[alpha].scope[0].system: undefined system of the role 'hrm'",
        ),
        (
            "            tenant: {column: customer_id, value: 17}\n",
            "            tenant: {column: client_id, value: 17}\n",
            "client_id",
            "table(s) 'staff', 'leave' declare no column 'client_id'",
        ),
        (
            "            tenant: {column: customer_id, value: 17}\n",
            "            tenant: {column: customer_id, value: 17}\n"
            "            tables: {absence: null}\n",
            "absence",
            "undefined table in system 'hr' 'absence'",
        ),
        (
            "            url_env: BETA_HR_URL\n",
            "",
            "a database of its own",
            "say how this controller's data is kept apart",
        ),
    ],
)
def test_scope_mistakes_are_named_with_their_line(
    old: str, new: str, needle: str, expected: str
) -> None:
    text = BASE + edit(ROLE, old, new)
    assert expected in one_problem(text, needle)


def test_a_table_without_tenant_column_must_reach_one() -> None:
    # `staff` is declared without its tenant column and `leave` only references it.
    text = BASE + edit(
        ROLE,
        "            tenant: {column: customer_id, value: 17}\n",
        "            tables:\n              staff: null\n"
        "              leave: {column: customer_id, value: 17}\n",
    )
    msg = one_problem(text, "staff: null")
    assert "table 'staff' has no tenant column and no reference leading to a table" in msg


def test_art_30_2_record_names_each_controllers_systems_and_categories() -> None:
    from steward.policy.ropa import ropa_processor_rows

    policy = load_policy_text_report(BASE + ROLE).policy
    rows = {r["controller"]: r for r in ropa_processor_rows(policy)}
    assert rows["Alpha ApS (DK)"]["systems"] == "HR (hr): customer_id = 17"
    assert rows["Beta AB (DK)"]["systems"] == "HR (hr): a database of its own"
    # Art. 30(2)(b): the categories of the fields of the systems processed for it.
    assert rows["Alpha ApS (DK)"]["data_categories"] == "E-mail (user.contact.email)"
