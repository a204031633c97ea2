"""GDPR Art. 20: the portability package holds what the person provided or what was observed of
their use of a service, processed under consent or contract (Art. 20(1)(a)); not invoices the
company made, staff notes or internal assessments. The letter says what was included and what
was left out, and why."""

from __future__ import annotations

import io
import json
import re
import zipfile

from tests.requests.test_art19_notifications import _letter, _request

from steward.policy.models import Policy
from steward.requests import packages, workflow
from steward.requests.tables import DsrPackage
from steward.store.db import transaction

# Hand-written from the demo schema (docs/demo-schema.md) and the `source` of each field in
# examples/promark/systems.yaml: portable fields plus the keys that link the rows.
EXPECTED = {
    "crm/customers": {"id", "company_name", "contact_name", "title", "email", "phone",
                      "street", "postal_code", "city", "country", "created_at"},
    "crm/orders": {"id", "customer_id", "ordered_at", "product", "amount"},
    "crm/order_lines": {"id", "order_id", "sku", "description", "quantity", "unit_price"},
    "portal/logins": {"id", "username", "email", "created_at", "last_login_at"},
    "portal/activity_log": {"id", "login_id", "at", "ip_address", "user_agent", "path"},
    "support/tickets": {"id", "requester_email", "subject", "opened_at"},
    "support/messages": {"id", "ticket_id", "author", "body", "sent_at"},
    "recruiting/applications": {"id", "name", "email", "phone", "position", "cv_text",
                                "applied_at"},
    "recruiting/application_emails": {"id", "application_id", "subject", "body", "sent_at"},
}
# What is left out, and the reason the letter gives (same sources).
# In the policy's words (examples/promark): each table's `label`, each field's data category
# name, fields without a category as "other details".
LEFT_OUT = {
    "your customer account in CRM: Customer number, other details: made by us",
    "our notes of our conversations with you in CRM: Information included in our "
    "correspondence with you, other details: written by our staff",
    "your purchases in CRM: Information about your orders for goods and services: made by us",
    "the bills we sent you in CRM: Information about your orders for goods and services, Name, "
    "Address, other details: made by us",
    "your login in Customer portal: Customer number: made by us",
    "your login in Customer portal: Portal password (stored only as a hash): credentials such "
    "as a password hash",
    "your support cases in Support desk: Customer number: made by us",
    "your support cases in Support desk: other details: written by our staff",
    "your job application in Recruiting: other details: made by us",
    "your job application in Recruiting: Job application and CV: written by our staff",
}


def _package(dsm, settings, rid: int) -> dict[str, list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        name = s.query(DsrPackage).filter_by(request_id=rid).one().filename
    blob = packages.load(workflow.sealer_for(settings), settings.data_dir, name)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return {
            n[len("data/"):-len(".json")]: json.loads(zf.read(n))
            for n in zf.namelist()
            if n.startswith("data/") and n.endswith(".json")
        }


def test_art20_package_holds_provided_and_observed_data_only(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, settings, policy
):
    who = sqlite_company.who
    rid, state = _request(dsm, settings, policy, who["email"], "portability")
    assert state == "completed"
    data = _package(dsm, settings, rid)
    assert {t: {k for r in rows for k in r} for t, rows in data.items()} == EXPECTED
    assert [r["email"] for r in data["crm/customers"]] == [who["email"]]
    assert all(r["email"] == who["email"] for r in data["portal/logins"])
    letter = _letter(dsm, settings, rid)
    gaps = {line.strip()[2:] for line in letter.splitlines() if line.startswith("  - ")}
    for gap in LEFT_OUT:
        assert any(g.startswith(gap) for g in gaps), gap
    included = [g for g in gaps if re.search(r"\(\d+ records?\)$", g)]
    assert len(included) == len(EXPECTED)
    # Observed data (the portal's activity log) is included (Art. 20(1), provided "by use").
    n = len(data["portal/activity_log"])
    assert (
        "what you did in the portal in Customer portal: IP address, Browser and operating "
        f"system, The content you are looking at on our digital services, other details ({n} "
        f"record{'s' if n != 1 else ''})"
    ) in included


def test_art20_1_a_systems_processed_on_another_basis_are_left_out(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, settings, policy: Policy
):
    # The portal used only for a legitimate-interest purpose (Art. 6(1)(f)): not portable.
    acts = []
    for a in policy.processing_activities:
        if a.key == "customer_administration":
            a = a.model_copy(update={"systems": [s for s in a.systems if s != "portal"]})
        if a.key == "website_analytics":
            a = a.model_copy(update={"systems": ["portal"]})
        acts.append(a)
    pol = policy.model_copy(update={"processing_activities": acts})
    rid, state = _request(dsm, settings, pol, sqlite_company.who["email"], "portability")
    assert state == "completed"
    data = _package(dsm, settings, rid)
    assert not [t for t in data if t.startswith("portal/")]
    assert set(data) == {t for t in EXPECTED if not t.startswith("portal/")}
    letter = _letter(dsm, settings, rid)
    assert (
        "your login in Customer portal: Customer number, Login information for our customer "
        "portal, E-mail, Portal password (stored only as a hash), other details: processed "
        "neither under your consent nor under a contract with you (GDPR Art. 20(1)(a))"
    ) in letter
