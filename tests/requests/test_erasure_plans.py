"""What an erasure of Ann's data plans, system by system (GDPR Art. 17): systems where the
search found nothing get no plan and do not stop the others; her invoice is kept while the
bookkeeping act requires it (Art. 17(3)(b); LEGAL.md's date: Bogføringsloven § 12, five years
from the end of the financial year); and the e-mail address on her customer row, which the
invoice still points at, is replaced by a pseudonym salted with the installation's secret
(recital 26: an unsalted hash of an address can be found again by hashing a list of
addresses). The company and the expected plan are written out by hand."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.retention import company as co

from steward.connectors.base import ErasurePlan
from steward.policy.models import Policy
from steward.requests.plan import Systems, discover, erasure_plans

ANN = "ann@example.com"
TODAY = date(2026, 1, 1)


@pytest.fixture
def systems(tmp_path: Path) -> Iterator[Systems]:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    engine = co.create(url)
    with engine.begin() as c:
        c.execute(
            co.customers.insert(),
            [
                {"id": 1, "email": ANN, "contact_name": "Ann Example"},
                {"id": 2, "email": "bo@example.com", "contact_name": "Bo Other"},
            ],
        )
        c.execute(co.orders.insert(), [{"id": 10, "customer_id": 1}])
        c.execute(co.order_lines.insert(), [{"id": 100, "order_id": 10}])
        c.execute(
            co.invoices.insert(),
            [
                {"id": 1000, "customer_id": 1, "order_id": 10, "issued_at": co.at("2025-03-10")},
            ],
        )
        # Bo's: the recruiting and support systems are searched but hold nothing of Ann's.
        c.execute(co.applications.insert(), [{"id": 3, "email": "bo@example.com"}])
        c.execute(co.tickets.insert(), [{"id": 5, "requester_email": "bo@example.com"}])
    engine.dispose()
    declared = copy.deepcopy(co.SYSTEMS)
    for system in declared:
        system["url"] = url
    declared[2]["tables"][0]["fields"].append({"name": "email", "erase": "hash"})
    policy = Policy.model_validate({**co.BASE, "systems": declared, "retention_rules": co.RULES})
    out = Systems(policy, env={}, pooled=False)
    yield out
    out.close()


def _plans(systems: Systems, salt: str) -> dict[str, ErasurePlan]:
    found = discover(systems.policy, systems, {"email": [ANN]})
    assert list(found.records) == ["recruiting", "support", "crm"]  # in the policy's order
    return erasure_plans(systems.policy, systems, found, TODAY, salt)


def test_only_the_system_holding_ann_plans_an_erasure_and_her_invoice_is_kept(
    systems: Systems,
) -> None:
    plans = _plans(systems, "installation-secret")
    assert list(plans) == ["crm"]
    crm = plans["crm"]
    assert [(k.table, k.pk, k.reason) for k in crm.kept] == [
        ("invoices", 1000, "GDPR Art. 17(3)(b): Bogføringsloven § 12 until 2030-12-31"),
    ]
    assert [(s.op, s.table, s.rows) for s in crm.statements] == [
        ("update", "customers", 1),  # still pointed at by the invoice: rewritten, not deleted
        ("delete", "order_lines", 1),
    ]


def _pseudonym(plan: ErasurePlan) -> str:
    (update,) = (s for s in plan.statements if s.table == "customers")
    assert update.columns == ("email",)
    (params,) = update.params
    return str(params["new_0"])


def test_the_pseudonym_of_ann_s_address_depends_on_the_installation_s_secret(
    systems: Systems,
) -> None:
    here = _pseudonym(_plans(systems, "installation-secret")["crm"])
    elsewhere = _pseudonym(_plans(systems, "another-installation")["crm"])
    guessable = "h:" + hashlib.sha256(ANN.encode()).hexdigest()
    assert here.startswith("h:") and len(here) == len(guessable)
    assert len({here, elsewhere, guessable}) == 3


def test_the_plan_names_only_the_rows_that_stay_as_the_reason_a_row_is_kept(
    systems: Systems,
) -> None:
    """Ann's order 10 is pointed at by her invoice 1000 (kept: bookkeeping) and by her order
    line 100 (deleted). The officer reads why the order is rewritten instead of deleted: the
    invoice that stays, not the order line that goes. Her customer row is pointed at by the
    invoice and by the order, both of which stay."""
    crm = _plans(systems, "installation-secret")["crm"]
    assert ("delete", "order_lines", 1) in [(s.op, s.table, s.rows) for s in crm.statements]
    rewritten = (
        "personal fields rewritten instead of deleting the row "
        "(Art. 17 erases the subject's data only)"
    )
    assert sorted(crm.notes) == sorted(
        [
            f"1 row(s) — orders: still pointed at by the subject's invoices that stay: {rewritten}",
            "1 row(s) — customers: still pointed at by the subject's invoices, orders that stay: "
            f"{rewritten}",
        ]
    )
