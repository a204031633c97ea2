"""The cookie banner in Chromium: blocking, reject/accept, GPC, a new notice version, keyboard
use. The app is served by uvicorn on a thread; decisions are read back from the ledger."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import select
from tests.conftest import free_port
from tests.helpers import settings_for

from steward.consent.tables import ConsentEvent
from steward.store.db import make_sessionmaker, transaction

pytestmark = pytest.mark.browser


@pytest.fixture
def served(sqlite_engine, tmp_path) -> Iterator[tuple[str, object]]:
    from steward.web.app import create_app

    app = create_app(settings_for(sqlite_engine, tmp_path, cookie_secure=False),
                     engine=sqlite_engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)


def _events(engine, n: int, timeout: float = 10.0) -> list[tuple[str, str, bool]]:
    """Wait until at least n events are in the ledger (beacons are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        with transaction(make_sessionmaker(engine)) as s:
            rows = [(e.purpose, e.action, e.gpc, e.ui_action)
                    for e in s.scalars(select(ConsentEvent).order_by(ConsentEvent.seq))]
        if len(rows) >= n or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_reject_then_accept(served, page, sqlite_engine):
    base, _ = served
    page.goto(f"{base}/consent/demo")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    page.screenshot(path="/tmp/consent-banner.png")
    reject, accept = page.get_by_role("button", name="Reject all"), page.get_by_role(
        "button", name="Accept all")
    # equal prominence: same size and the same styles
    rb, ab = reject.bounding_box(), accept.bounding_box()
    assert abs(rb["width"] - ab["width"]) < 2 and abs(rb["height"] - ab["height"]) < 2
    assert reject.evaluate("e => getComputedStyle(e).backgroundColor") == accept.evaluate(
        "e => getComputedStyle(e).backgroundColor")
    assert page.locator("#preferences-status").get_attribute("data-ran") == "0"
    reject.click()
    assert dialog.count() == 0
    # ProMark counts statistics without consent: only the other categories are refused
    rows = _events(sqlite_engine, 2)
    assert {(p, a) for p, a, _, _ in rows} == {("cookie.marketing", "refused"),
                                               ("cookie.preferences", "refused")}
    page.reload()
    page.wait_for_timeout(500)
    assert page.get_by_role("dialog").count() == 0  # the choice is remembered
    assert page.locator("#preferences-status").get_attribute("data-ran") == "0"
    assert page.evaluate("window.stewardDemoRan === undefined")
    assert "pm_lang=" not in page.evaluate("document.cookie")
    # Consent Mode v2: denied by default, through window.dataLayer
    modes = page.evaluate("window.dataLayer.map(a => [a[0], a[1], a[2]])")
    assert ["consent", "default"] == modes[0][:2] and modes[0][2]["ad_storage"] == "denied"
    # reopen through the page's link and accept
    page.get_by_role("button", name="Cookie settings").click()
    page.get_by_role("button", name="Accept all").click()
    page.locator('#preferences-status[data-ran="1"]').wait_for()
    page.locator('#marketing-status[data-ran="1"]').wait_for()
    assert page.evaluate("window.dataLayer.slice(-1)[0][2].ad_storage") == "granted"
    rows = _events(sqlite_engine, 4)
    assert ("cookie.preferences", "given") in {(p, a) for p, a, _, _ in rows}
    # withdrawing marketing deletes its cookies (names from the policy)
    assert "_am_id=" in page.evaluate("document.cookie")
    page.get_by_role("button", name="Cookie settings").click()
    page.get_by_role("button", name="Choose").click()
    page.get_by_label("Marketing").uncheck()
    page.get_by_role("button", name="Save choices").click()
    assert "_am_id=" not in page.evaluate("document.cookie")
    rows = _events(sqlite_engine, 6)
    assert rows[-2][:2] == ("cookie.marketing", "withdrawn")


def test_gpc_refuses_marketing(served, browser, sqlite_engine):
    base, _ = served
    ctx = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    ctx.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', "
                        "{get: () => true})")
    page = ctx.new_page()
    page.goto(f"{base}/consent/demo")
    page.get_by_role("dialog").wait_for()
    rows = _events(sqlite_engine, 1)
    assert rows == [("cookie.marketing", "gpc_opt_out", True, "gpc")]
    assert page.get_by_text("Global Privacy Control").count() == 1
    page.get_by_role("button", name="Accept all").click()
    page.locator('#preferences-status[data-ran="1"]').wait_for()
    assert page.locator("#marketing-status").get_attribute("data-ran") == "0"
    page.reload()
    page.wait_for_timeout(500)
    rows = _events(sqlite_engine, 3)
    assert [r for r in rows if r[1] == "gpc_opt_out"] == [rows[0]]  # logged once
    assert ("cookie.marketing", "given") not in {(p, a) for p, a, _, _ in rows}
    # an explicit opt-in overrides GPC and is recorded
    page.get_by_role("button", name="Cookie settings").click()
    page.get_by_role("button", name="Choose").click()
    page.get_by_label("Marketing").check()
    page.get_by_role("button", name="Save choices").click()
    page.locator('#marketing-status[data-ran="1"]').wait_for()
    rows = _events(sqlite_engine, 5)
    assert ("cookie.marketing", "given", True) in {(p, a, g) for p, a, g, _ in rows}
    ctx.close()


def test_new_notice_version_asks_again(served, page, sqlite_engine, policy):
    base, app = served
    page.goto(f"{base}/consent/demo?lang=da")
    page.get_by_role("button", name="Accepter alle").click()
    page.locator('#preferences-status[data-ran="1"]').wait_for()
    page.reload()
    page.wait_for_timeout(500)
    assert page.get_by_role("dialog").count() == 0
    cookies = policy.consent.cookies.model_copy(update={"version": 2})
    app.state.policy = policy.model_copy(update={"consent": policy.consent.model_copy(
        update={"cookies": cookies})})
    page.reload()
    page.get_by_role("dialog").wait_for()
    assert page.locator("#preferences-status").get_attribute("data-ran") == "0"
    page.get_by_role("button", name="Afvis alle").click()
    rows = _events(sqlite_engine, 4)
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        versions = [e.purpose_version for e in s.scalars(select(ConsentEvent))]
    assert versions == [1, 1, 2, 2] and len(rows) == 4


def test_keyboard_only(served, page, sqlite_engine):
    base, _ = served
    page.goto(f"{base}/consent/demo")
    page.get_by_role("dialog").wait_for()
    focused = "document.activeElement.textContent"
    assert page.evaluate(focused) == "Reject all"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Choose"
    page.keyboard.press("Enter")
    # statistics counted without consent: shown on, not a choice, with the reason
    stats = page.get_by_label("Statistics \u2014 Always on")
    assert stats.is_checked() and stats.is_disabled()
    assert page.get_by_role("dialog").get_by_text("No consent needed: counted as totals only"
                                                  ).count() == 1
    assert page.evaluate("document.activeElement.name") == "marketing"
    page.keyboard.press("Space")
    # the focus stays inside the dialog: Shift+Tab from the first control wraps to the last
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('[role=dialog]')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.get_by_role("button", name="Save choices").focus()
    page.keyboard.press("Enter")
    page.locator('#marketing-status[data-ran="1"]').wait_for()
    assert page.locator("#preferences-status").get_attribute("data-ran") == "0"
    # reopen with the keyboard and close with Escape: nothing changes
    page.get_by_role("button", name="Cookie settings").focus()
    page.keyboard.press("Enter")
    page.get_by_role("dialog").wait_for()
    page.keyboard.press("Escape")
    assert page.get_by_role("dialog").count() == 0
    assert page.evaluate("document.activeElement.textContent") == "Cookie settings"
    rows = _events(sqlite_engine, 2)
    assert {(p, a) for p, a, _, _ in rows} == {("cookie.marketing", "given"),
                                               ("cookie.preferences", "refused")}
