"""Whom the company tells of a change in a served controller's data (GDPR Art. 19 with
Art. 28(3)(e)): the sub-processors engaged for the processor role, with their own
sub-processors; one that names the role's systems only when one of those changed; never the
company's own processors or the third parties of its own activities."""

from __future__ import annotations

import pytest
from tests.helpers import PROMARK

from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.requests.recipients import assisted_recipients


def _policy() -> Policy:
    """ProMark's example with a second product system, `payroll`, run for the same customers by
    Mailwise (engaged for the role, and naming that system)."""
    base = load_policy(PROMARK)
    role = base.processor_roles[0]
    payroll = role.systems[0].model_copy(update={"key": "payroll"})
    role = role.model_copy(
        update={"systems": [*role.systems, payroll], "sub_processors": ["nordhost", "mailwise"]}
    )
    procs = [
        p.model_copy(update={"systems": ["newsletter", "payroll"]}) if p.key == "mailwise" else p
        for p in base.processors
    ]
    return base.model_copy(update={"processor_roles": [role], "processors": procs})


@pytest.mark.parametrize(
    ("controller", "touched", "told"),
    [
        # NordHost names none of the product's systems: it hosts them all.
        ("nordlys", ["workforce"], ["nordhost", "nordhost.nordhost_backup"]),
        (
            "fjordvik",
            ["payroll"],
            ["nordhost", "nordhost.nordhost_backup", "mailwise", "mailwise.cloudsend"],
        ),
        ("nordlys", [], []),
        # The company's own CRM is no system of the customers: still only the role's.
        ("skargard", ["workforce", "crm"], ["nordhost", "nordhost.nordhost_backup"]),
    ],
)
def test_the_roles_sub_processors_are_told(
    controller: str, touched: list[str], told: list[str]
) -> None:
    got = assisted_recipients(_policy(), controller, touched)
    assert [r.key for r in got] == told
