"""DPA review alerts for the controllers the company serves as a processor (Art. 28(3))."""

from __future__ import annotations

from datetime import date

from tests.helpers import PROMARK

from steward.policy.loader import load_policy
from steward.processors.alerts import controller_dpa_alerts

TODAY = date(2026, 6, 1)


def test_overdue_and_soon_reviews_are_flagged_and_others_not() -> None:
    policy = load_policy(PROMARK)
    role = policy.processor_roles[0]
    dues = {  # hand-written: controller -> (review due, expected level or None)
        "Nordlys Logistik A/S": (date(2026, 5, 20), "bad"),  # 12 days overdue
        "Fjordvik Helse AS": (date(2026, 6, 20), "warn"),  # within 30 days
        "Skärgårds Bemanning AB": (date(2026, 9, 1), None),  # far off
    }
    ctls = [c.model_copy(update={"dpa_review_due": dues[c.name][0]}) for c in role.controllers]
    policy = policy.model_copy(update={"processor_roles": [
        role.model_copy(update={"controllers": ctls})]})
    alerts = controller_dpa_alerts(policy, TODAY)
    assert {a.name: a.level for a in alerts} == {
        n: lvl for n, (_, lvl) in dues.items() if lvl is not None}
    overdue = next(a for a in alerts if a.level == "bad")
    assert "(12 days)" in overdue.message and "Art. 28(3)" in overdue.message
