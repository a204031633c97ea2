"""fideslang's default data categories are known to a policy without being declared: named as
in the taxonomy in the notice and the Art. 30 record; a key outside the taxonomy still fails."""

from __future__ import annotations

from fideslang.default_taxonomy import DEFAULT_TAXONOMY

from policy.policy_helpers import BASE, edit, one_problem
from steward.policy.loader import load_policy_text
from steward.policy.render import render_notice
from steward.policy.ropa import ropa_rows

TAXONOMY = {c.fides_key: c.name for c in DEFAULT_TAXONOMY.data_category}
USED = "    data_categories: [user.contact.email]\n"


def test_an_undeclared_taxonomy_category_is_known_by_its_taxonomy_name() -> None:
    assert "user.name" not in BASE and "user.financial.bank_account" not in BASE
    text = edit(BASE, USED, "    data_categories: [user.contact.email, user.name, "
                            "user.financial.bank_account]\n")
    policy = load_policy_text(text)
    for key in ("user.name", "user.financial.bank_account"):
        name = TAXONOMY[key]
        assert policy.data_category(key).name == name
        assert name in render_notice(policy, fmt="md")
        (row,) = ropa_rows(policy)
        assert name in str(row)
    # Declared categories keep their own name and appear once.
    assert [c.key for c in policy.data_categories].count("user.contact.email") == 1
    assert policy.data_category("user.contact.email").name == "E-mail"


def test_keys_outside_the_taxonomy_still_fail() -> None:
    text = edit(BASE, USED, "    data_categories: [user.contact.email, user.no_such_thing]\n")
    msg = one_problem(text, "user.no_such_thing")
    assert "undefined data category 'user.no_such_thing'" in msg
    text = edit(BASE, USED, "    data_categories: [user.contact.email, loyalty_points]\n")
    assert "undefined data category 'loyalty_points'" in one_problem(text, "loyalty_points")
