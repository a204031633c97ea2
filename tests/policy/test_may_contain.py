"""`may_contain` on a field: the categories a free-text field may hold, checked against the
defined data categories with line-numbered problems; the ProMark support messages use it."""

from __future__ import annotations

from policy.policy_helpers import BASE, PROMARK, edit, one_problem
from steward.policy.loader import load_policy, load_policy_text_report

NOTES = "          - {name: body}\n"


def test_defined_categories_load() -> None:
    text = edit(BASE, NOTES, "          - {name: body, free_text: true,\n"
                             "             may_contain: [user.health_and_medical]}\n")
    policy = load_policy_text_report(text, "acme.yaml").policy
    [notes] = [t for t in policy.system("app").tables if t.name == "notes"]
    assert notes.fields[0].may_contain == ["user.health_and_medical"]
    # Absent, it is an empty list: nothing expected beyond the field's category.
    assert policy.system("app").tables[0].fields[0].may_contain == []


def test_undefined_category_is_a_line_numbered_problem() -> None:
    text = edit(BASE, NOTES, "          - name: body\n"
                             "            free_text: true\n"
                             "            may_contain:\n"
                             "              - user.health_and_medical\n"
                             "              - user.helth_and_medical\n")
    msg = one_problem(text, "user.helth_and_medical")
    assert ("systems[app].tables[notes].fields[body].may_contain[1]: undefined data category "
            "'user.helth_and_medical' (did you mean 'user.health_and_medical'?)") in msg


def test_a_key_that_is_not_a_key_is_refused() -> None:
    text = edit(BASE, NOTES, "          - {name: body, may_contain: [Health Data]}\n")
    msg = one_problem(text, "may_contain: [Health Data]")
    assert "may_contain" in msg


def test_promark_support_messages_may_contain_cpr_absence_and_health() -> None:
    policy = load_policy(PROMARK)
    [messages] = [t for t in policy.system("support").tables if t.name == "messages"]
    [body] = [f for f in messages.fields if f.name == "body"]
    cats = [policy.data_category(k) for k in body.may_contain]
    assert body.free_text and body.category == "user.content.private.customer_care"
    assert [c.key for c in cats if c.national_id] == [
        "user.government_id.national_identification_number"]
    assert {c.key for c in cats if c.special} == {
        "user.health_and_medical.absence_reason", "user.health_and_medical"}
