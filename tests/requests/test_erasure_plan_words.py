"""The erasure plan in words and its reasons (GDPR Art. 17): what is deleted, anonymised and
kept (and why), per system, as the officer reads it before approving, in the officer's
language; why a system could not be searched (Art. 15(1)); and the statutory keep
(Art. 17(3)(b)) whatever form the record's date comes in and however the rule names it.
Expected values are written out by hand; the bookkeeping date is LEGAL.md's (Bogføringsloven
§ 12: five years from the end of the financial year)."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

import pytest
from tests.helpers import PROMARK
from tests.retention import company as co

from steward.i18n import language
from steward.policy.loader import load_policy
from steward.policy.models import Policy, SystemSpec, TableSpec
from steward.requests.plan import keep_hook, readable_plan, searchable, unsearchable_reason

BOOKKEEPING = "GDPR Art. 17(3)(b): Bogføringsloven § 12"
HOLD = "GDPR Art. 17(3)(e): legal hold 7 (a pending claim)"


def _policy() -> Policy:
    systems = copy.deepcopy(co.SYSTEMS)
    customers = systems[2]["tables"][0]
    customers["label"] = "your customer account"
    customers["fields"].append({"name": "email", "category": "user.contact.email"})
    return Policy.model_validate({**co.BASE, "systems": systems, "retention_rules": co.RULES})


def _table(spec: SystemSpec, name: str) -> TableSpec:
    return next(t for t in spec.tables if t.name == name)


def test_the_plan_reads_as_deleted_anonymised_and_kept_per_system() -> None:
    policy = _policy()
    orders = {
        "table": "orders",
        "op": "delete",
        "rows": 2,
        "sql": "DELETE FROM orders",
        "actions": [],
    }
    lines = {
        "table": "order_lines",
        "op": "delete",
        "rows": 5,
        "sql": "DELETE FROM order_lines",
        "actions": [],
    }
    customers = {
        "table": "customers",
        "op": "update",
        "rows": 1,
        "sql": "UPDATE customers",
        "actions": [["email", "null"], ["contact_name", "null"]],
    }
    plan: dict[str, Any] = {
        "found": {"crm": 11, "support": 1, "gone": 2},
        "systems": {
            "crm": {
                "statements": [lines, orders, customers],
                "kept": [
                    {"table": "invoices", "pk": "1", "reason": f"{BOOKKEEPING} until 2030-12-31"},
                    {"table": "invoices", "pk": "2", "reason": HOLD},
                    {"table": "invoices", "pk": "3", "reason": f"{BOOKKEEPING} until 2030-12-31"},
                ],
                "notes": ["customers: a row shared with another person is rewritten"],
            },
            "recruiting": {"statements": [], "kept": [], "notes": []},
        },
    }
    crm, support, gone, recruiting = readable_plan(policy, plan)
    assert crm == {
        "key": "crm",
        "system": "CRM",
        "found": 11,
        "delete": [
            {"what": "other records", "table": "order_lines", "rows": 5},
            {"what": "other records", "table": "orders", "rows": 2},
        ],
        # the table's label; its fields by data category, the uncategorised as "other details"
        "anonymise": [
            {
                "what": "your customer account",
                "table": "customers",
                "rows": 1,
                "fields": "E-mail, other details",
            }
        ],
        # kept rows grouped by table and reason, in the order first seen
        "keep": [
            {
                "what": "other records",
                "table": "invoices",
                "rows": 2,
                "reason": f"{BOOKKEEPING} until 2030-12-31",
            },
            {"what": "other records", "table": "invoices", "rows": 1, "reason": HOLD},
        ],
        "notes": ["customers: a row shared with another person is rewritten"],
        "statements": [lines, orders, customers],
        "rows_deleted": 7,
        "rows_anonymised": 1,
        "rows_kept": 3,
    }
    nothing = {
        "delete": [],
        "anonymise": [],
        "keep": [],
        "notes": [],
        "statements": [],
        "rows_deleted": 0,
        "rows_anonymised": 0,
        "rows_kept": 0,
    }
    assert support == {"key": "support", "system": "Support", "found": 1, **nothing}
    # a system no longer in the policy: its key is all there is
    assert gone == {"key": "gone", "system": "gone", "found": 2, **nothing}
    # planned but not in `found` (nothing was counted there)
    assert recruiting == {"key": "recruiting", "system": "Recruiting", "found": 0, **nothing}
    assert readable_plan(policy, {}) == []


def test_a_danish_officer_reads_the_plan_in_danish() -> None:
    # ProMark's policy is written in English first; the officer's console is in Danish. The
    # words are the Danish ones of examples/promark (systems.yaml, data.yaml).
    policy = load_policy(PROMARK)
    customers = {
        "table": "customers",
        "op": "update",
        "rows": 1,
        "sql": "UPDATE customers",
        "actions": [["email", "hash"], ["street", "null"], ["city", "null"]],
    }
    logins = {"table": "logins", "op": "delete", "rows": 1, "sql": "DELETE", "actions": []}
    activity = {"table": "activity_log", "op": "delete", "rows": 3, "sql": "DELETE", "actions": []}
    kept = {"table": "invoices", "pk": "1000", "reason": f"{BOOKKEEPING} until 2030-12-31"}
    note = (
        "1 row(s) — customers: still pointed at by the subject's invoices that stay: personal "
        "fields rewritten instead of deleting the row (Art. 17 erases the subject's data only)"
    )
    plan = {
        "found": {"crm": 3, "portal": 4},
        "systems": {
            "crm": {"statements": [customers], "kept": [kept], "notes": [note]},
            "portal": {"statements": [activity, logins], "kept": [], "notes": []},
        },
    }
    with language("da"):
        crm, portal = readable_plan(policy, plan)
    # The reasons and notes are stored in English and read in the officer's language; the
    # statute keeps its own (Danish) name.
    assert (crm["system"], crm["anonymise"], crm["keep"], crm["notes"]) == (
        "CRM",
        [{"what": "din kundekonto", "table": "customers", "rows": 1, "fields": "E-mail, Adresse"}],
        [
            {
                "what": "de fakturaer, vi har sendt dig",
                "table": "invoices",
                "rows": 1,
                "reason": "GDPR art. 17, stk. 3, litra b: Bogføringsloven § 12 indtil 2030-12-31",
            }
        ],
        [
            "1 række(r) — customers: der henvises stadig til den af den registreredes invoices, "
            "som bliver: personoplysningerne overskrives i stedet for at slette rækken (art. 17 "
            "sletter kun den registreredes oplysninger)"
        ],
    )
    assert (portal["system"], portal["delete"]) == (
        "Kundeportal",
        [
            {"what": "hvad du har gjort i portalen", "table": "activity_log", "rows": 3},
            {"what": "dit login", "table": "logins", "rows": 1},
        ],
    )


def test_why_a_system_could_not_be_searched() -> None:
    policy = _policy()
    recruiting = policy.system("recruiting")  # searched by e-mail only
    assert searchable(recruiting, {"email": ["ann@example.com"]})
    assert not searchable(recruiting, {"email": []})
    assert not searchable(recruiting, {"customer_number": ["C-1"], "phone": ["+4520123456"]})
    assert unsearchable_reason(
        recruiting, {"phone": ["+4520123456"], "customer_number": ["C-1"], "email": []}
    ) == (
        "no identity column for the identities given (customer_number, phone; it is searched "
        "by email)"
    )
    assert unsearchable_reason(recruiting, {}) == (
        "no identity column for the identities given (none; it is searched by email)"
    )
    bare = recruiting.model_copy(update={"tables": [_table(recruiting, "application_emails")]})
    assert not searchable(bare, {"email": ["ann@example.com"]})
    assert unsearchable_reason(bare, {"email": ["ann@example.com"]}) == (
        "no table with an identity column"
    )
    broken = recruiting.model_copy()
    broken._dataset_error = "cannot load its Fides dataset"
    assert unsearchable_reason(broken, {"phone": ["+4520123456"]}) == (
        "cannot load its Fides dataset"
    )


@pytest.mark.parametrize(
    "issued",
    [
        datetime(2025, 3, 10, 23, 59),
        date(2025, 3, 10),
        "2025-03-10",
        "2025-03-10T23:59:00",
        "2025-03-10 23:59:00.000000",  # SQLite's text form of a timestamp
    ],
)
def test_an_invoice_date_in_any_stored_form_is_kept_for_bookkeeping(issued: object) -> None:
    policy = _policy()
    crm = policy.system("crm")
    hook = keep_hook(policy, crm, date(2026, 1, 1))
    assert hook(_table(crm, "invoices"), {"id": 1, "issued_at": issued}) == (
        f"{BOOKKEEPING} until 2030-12-31"
    )
    # the statutory period's last day is the last day kept; the day after, it is erased
    assert keep_hook(policy, crm, date(2030, 12, 31))(
        _table(crm, "invoices"), {"id": 1, "issued_at": issued}
    ) == (f"{BOOKKEEPING} until 2030-12-31")
    assert (
        keep_hook(policy, crm, date(2031, 1, 1))(
            _table(crm, "invoices"), {"id": 1, "issued_at": issued}
        )
        is None
    )


def test_a_trigger_naming_its_column_alone_reads_the_rules_own_table() -> None:
    # `trigger.field: issued_at` is the column of the rule's table (invoices), as the sweep
    # reads it; the invoice is kept to the same day as under `invoices.issued_at`.
    rules = [
        {**r, "trigger": {"field": "issued_at"}} if r["key"] == "invoices_bookkeeping" else r
        for r in co.RULES
    ]
    policy = Policy.model_validate({**co.BASE, "systems": co.SYSTEMS, "retention_rules": rules})
    crm = policy.system("crm")
    hook = keep_hook(policy, crm, date(2026, 1, 1))
    assert hook(_table(crm, "invoices"), {"id": 1, "issued_at": "2025-03-10"}) == (
        f"{BOOKKEEPING} until 2030-12-31"
    )
    assert (
        keep_hook(policy, crm, date(2031, 1, 1))(
            _table(crm, "invoices"), {"id": 1, "issued_at": "2025-03-10"}
        )
        is None
    )


@pytest.mark.parametrize("issued", [None, "", "2025-03", "10/03/2025", "2025-13-45", 20250310])
def test_an_invoice_without_a_readable_date_is_kept_without_an_end(issued: object) -> None:
    # The period cannot be shown to have ended: kept, and no end date is claimed.
    policy = _policy()
    crm = policy.system("crm")
    hook = keep_hook(policy, crm, date(2099, 1, 1))
    assert hook(_table(crm, "invoices"), {"id": 1, "issued_at": issued}) == BOOKKEEPING


def test_a_table_no_law_covers_is_not_kept() -> None:
    policy = _policy()
    crm = policy.system("crm")
    hook = keep_hook(policy, crm, date(2026, 1, 1))
    # no retention rule; a rule of the company's own choosing (no legal obligation)
    assert hook(_table(crm, "orders"), {"id": 1}) is None
    assert hook(_table(crm, "customers"), {"id": 1, "relationship_ended_at": "2025-03-10"}) is None
    # a retention key the policy no longer has
    dangling = _table(crm, "invoices").model_copy(update={"retention": "gone"})
    assert hook(dangling, {"id": 1, "issued_at": "2025-03-10"}) is None


def test_the_stored_dry_run_holds_no_personal_values() -> None:
    from steward.connectors.base import ErasurePlan, KeptRow, Statement
    from steward.requests.plan import plan_summary

    pseudonym = {"id": 4, "email": "erased-3f9a@example.com"}
    plan = ErasurePlan(
        system="crm",
        statements=(
            Statement(
                system="crm",
                table="orders",
                op="delete",
                sql="\n  DELETE FROM orders WHERE id = :id  \n",
                rows=2,
                params=({"id": 1}, {"id": 2}),
            ),
            Statement(
                system="crm",
                table="customers",
                op="update",
                sql="UPDATE customers SET email = :email WHERE id = :id",
                columns=("email",),
                actions=(("email", "pseudonymise"),),
                rows=1,
                params=(pseudonym,),
            ),
        ),
        kept=(KeptRow(table="invoices", pk=9, reason=f"{BOOKKEEPING} until 2030-12-31"),),
        notes=("customers: shared row rewritten",),
    )
    assert plan_summary({"crm": plan}) == {
        "crm": {
            "statements": [
                {
                    "table": "orders",
                    "op": "delete",
                    "rows": 2,
                    "sql": "DELETE FROM orders WHERE id = :id",
                    "actions": [],
                },
                {
                    "table": "customers",
                    "op": "update",
                    "rows": 1,
                    "sql": "UPDATE customers SET email = :email WHERE id = :id",
                    "actions": [["email", "pseudonymise"]],
                },
            ],
            "kept": [{"table": "invoices", "pk": 9, "reason": f"{BOOKKEEPING} until 2030-12-31"}],
            "notes": ["customers: shared row rewritten"],
        }
    }
    assert "erased-3f9a" not in repr(plan_summary({"crm": plan}))
    assert plan_summary({}) == {}


def test_every_identity_found_anywhere_belongs_to_the_subject() -> None:
    from steward.connectors.base import SubjectRecords
    from steward.requests.plan import Discovery

    crm = SubjectRecords(
        system="crm",
        tables={"customers": [{"id": 1}], "orders": []},
        primary_keys={"customers": "id", "orders": "id"},
        identities={
            "email": ["ann@example.com", "ann.work@example.com"],
            "phone": ["+4520123456"],
        },
    )
    support = SubjectRecords(
        system="support",
        tables={"tickets": []},
        primary_keys={"tickets": "id"},
        identities={"email": ["ann@example.com", "ann.b@example.com"]},
    )
    found = Discovery(
        identities={"email": ["ann@example.com"], "customer_number": ["C-7"]},
        records={"crm": crm, "support": support},
    )
    # phones are matched only where found, but they are the subject's all the same
    assert found.all_identities() == {
        "email": {"ann@example.com", "ann.work@example.com", "ann.b@example.com"},
        "customer_number": {"C-7"},
        "phone": {"+4520123456"},
    }
    assert found.identities == {"email": ["ann@example.com"], "customer_number": ["C-7"]}
    assert (found.found_systems(), found.total()) == (["crm"], 1)
