"""The controllers' portal (GDPR Art. 28(3)(e)) in the real Chromium: a customer company's admin
signs in with its API key, passes on an employee's erasure request and reads the receipt with
both deadlines; a wrong key opens nothing, and another customer's request never shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from tests.helpers import PASSWORD, add_user
from tests.web.test_axe import _axe

from steward.processors import apikeys
from steward.requests import assisted, workflow
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction

pytestmark = pytest.mark.browser

# Received by Nordlys (DK) on Monday 30 November 2026: its month under Art. 12(3) ends on
# Wednesday 30 December 2026, a Danish working day (Christmas is the 24th-26th).
RECEIVED = "2026-11-30"
NORDLYS_DUE = date(2026, 12, 30)
# ProMark's DPA with Nordlys (examples/promark/processors.yaml): 10 days to assist.
ASSISTANCE_DAYS = 10


def test_customer_admin_passes_on_a_request_in_chromium(
    live_server, browser, page, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    s = live_server.settings
    policy = live_server.app.state.policy
    sm = make_sessionmaker(live_server.engine)
    with transaction(sm) as ses:
        nordlys = apikeys.create(ses, policy, controller="nordlys", name="HR", actor="test")[1]
        apikeys.create(ses, policy, controller="fjordvik", name="HR", actor="test")
        # Another customer's request, passed on before: never on Nordlys' page.
        other = assisted.submit(
            ses,
            policy,
            workflow.sealer_for(s),
            controller="fjordvik",
            type="access",
            name="Kari Fjellheim",
            identities={"email": ["kari.fjellheim@fjordvik.example"]},
            actor="controller:fjordvik",
        ).public_id
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/controllers/portal")
    page.get_by_label("Your API key").fill("sck_notakey_0000000000")
    page.get_by_role("button", name="Sign in with the key").click()
    assert page.locator("#error").inner_text() == "The key is not valid (or was revoked)."
    assert page.locator("#requests").count() == 0
    assert page.get_by_role("button", name="Pass on the request").count() == 0

    page.get_by_label("Your API key").fill(nordlys)
    page.get_by_role("button", name="Sign in with the key").click()
    assert page.locator("#controller").inner_text() == "Signed in for Nordlys Logistik A/S."
    assert page.locator("#requests tbody tr").inner_text() == "You have passed on no requests yet."

    page.get_by_label("Type of request").select_option(label="Erasure (GDPR Art. 17)")
    page.get_by_label("The person's name").fill("Maja Holm")
    page.get_by_label("E-mail address you hold for the person").fill(
        "maja.holm@nordlys-logistik.example"
    )
    page.get_by_label("Day you received the request", exact=False).fill(RECEIVED)
    page.get_by_label("Details for us (optional)").fill("Left us on 31 October.")
    page.get_by_role("button", name="Pass on the request").click()

    with transaction(sm) as ses:
        made = ses.scalars(select(DsrRequest).where(DsrRequest.controller == "nordlys")).one()
        ref, rid = made.public_id[:8], made.id
        assert (made.type, made.email) == ("erasure", "privacy@nordlys-logistik.example")
    assert page.locator("#notice").inner_text() == f"Request {ref} received."
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Copenhagen")).date()
    # The DPA's deadline, never later than Nordlys' own.
    assist_by = min(today + timedelta(days=ASSISTANCE_DAYS), NORDLYS_DUE)
    rows = page.locator("#requests tbody tr")
    assert rows.count() == 1  # its own request only
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[:3] == [ref, "Erasure (GDPR Art. 17)", "Waiting for approval"]
    assert cells[3:5] == [assist_by.isoformat(), NORDLYS_DUE.isoformat()]
    assert page.get_by_role("columnheader", name="Your deadline (GDPR Art. 12(3))").is_visible()
    html = page.content()
    assert other[:8] not in html and "Fjordvik" not in html and "Kari" not in html
    page.screenshot(path=str(tmp_path / "portal-receipt.png"), full_page=True)
    # The one failed load is the wrong key's page (422); nothing else, no CSP violation.
    assert errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]

    # axe-core (injected past the CSP, as tests/web/test_axe.py does) on the portal with its
    # table of requests, and on the officer's page of the request with both deadlines.
    ctx = browser.new_context(bypass_csp=True)
    checked = ctx.new_page()
    checked.goto(f"{live_server.url}/controllers/portal")
    checked.get_by_label("Your API key").fill(nordlys)
    checked.get_by_role("button", name="Sign in with the key").click()
    assert checked.locator("#requests tbody tr").count() == 1
    assert _axe(checked) == []
    add_user(live_server.engine, "officer@steward.example", "officer")
    checked.goto(f"{live_server.url}/console/login")
    checked.get_by_label("E-mail").fill("officer@steward.example")
    checked.get_by_label("Password").fill(PASSWORD)
    checked.get_by_role("button", name="Sign in").click()
    checked.wait_for_url(f"{live_server.url}/console")
    checked.goto(f"{live_server.url}/console/requests/{rid}")
    assert checked.locator("#due").inner_text() == f"{assist_by.isoformat()} (nordlys)"
    assert checked.locator("#controller-due").inner_text() == NORDLYS_DUE.isoformat()
    assert _axe(checked) == []
    checked.screenshot(path=str(tmp_path / "officer-request.png"), full_page=True)
    ctx.close()
