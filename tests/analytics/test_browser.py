"""The demo page in Chromium: with ProMark's policy as shipped (statistics without consent), a
visitor who never touches the cookie banner is counted and shows in the console, with no
cookie, no storage and no request leaving the site; where a policy keeps statistics behind
the banner, nothing is sent before consent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from tests.analytics.conftest import promark, with_analytics
from tests.conftest import free_port
from tests.helpers import PASSWORD, add_user, settings_for

from steward.policy.models import Policy

pytestmark = pytest.mark.browser
# Headless Chromium says "HeadlessChrome", which the statistics drop as a bot, as they should:
# the visitor here plays an ordinary desktop browser.
DESKTOP = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/126.0.0.0 Safari/537.36")


def _serve(engine: Engine, tmp_path: Path, policy: Policy) -> Iterator[tuple[str, Any]]:
    from steward.web.app import create_app

    port = free_port()
    app = create_app(settings_for(engine, tmp_path, cookie_secure=False,
                                  base_url=f"http://127.0.0.1:{port}"),
                     policy=policy, engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def shipped(sqlite_engine: Engine, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    policy = promark()  # examples/promark as shipped
    assert policy.analytics is not None and policy.analytics.without_consent
    yield from _serve(sqlite_engine, tmp_path, policy)


@pytest.fixture
def guarded(sqlite_engine: Engine, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    yield from _serve(sqlite_engine, tmp_path, with_analytics(without_consent=False))


def _watch(page: Any) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda req: urls.append(req.url))
    return urls


def test_a_visitor_who_ignores_the_banner_is_counted_without_cookie_or_storage(
        shipped: tuple[str, Any], browser: Any, sqlite_engine: Engine) -> None:
    base, _ = shipped
    visitor = browser.new_context(user_agent=DESKTOP, locale="da-DK")
    page = visitor.new_page()
    urls = _watch(page)
    with page.expect_request(lambda r: r.url.endswith("/analytics/event")) as sent:
        page.goto(f"{base}/consent/demo?utm_source=newsletter&email=ann@example.com")
    assert sent.value.method == "POST"
    # The banner asks about the other categories; the visitor never answers it.
    page.get_by_role("dialog").wait_for()
    assert page.locator("#marketing-status").get_attribute("data-ran") == "0"
    with page.expect_request(lambda r: r.url.endswith("/analytics/event")):
        page.evaluate("history.pushState({}, '', '/consent/demo/second')")
    with page.expect_request(lambda r: r.url.endswith("/analytics/event")):
        page.goto(f"{base}/consent/demo#more")
    page.wait_for_timeout(300)
    assert visitor.cookies() == []
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.evaluate("indexedDB.databases().then(d => d.length)") == 0
    assert urls and all(u.startswith(base + "/") for u in urls), urls
    visitor.close()

    add_user(sqlite_engine, "officer@steward.example", "officer")
    officer = browser.new_context()
    console = officer.new_page()
    console.goto(f"{base}/console/analytics?site=demo")
    console.get_by_label("E-mail").fill("officer@steward.example")
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.wait_for_url("**/console/analytics**")
    assert console.locator("#views-total").inner_text() == "3"
    assert console.locator("#visitors-total").inner_text() == "1"
    pages = console.locator("svg title#t-page + desc").text_content()
    # The personal query parameters were dropped; the pushState view counts as a page.
    assert pages == "/consent/demo: 2; /consent/demo/second: 1"
    assert console.locator("svg title#t-country + desc").text_content() == "DK: 3"
    officer.close()


def test_behind_the_banner_nothing_is_sent_before_consent(
        guarded: tuple[str, Any], browser: Any) -> None:
    base, app = guarded
    visitor = browser.new_context(user_agent=DESKTOP)
    page = visitor.new_page()
    urls = _watch(page)
    page.goto(f"{base}/consent/demo")
    page.get_by_role("dialog").wait_for()
    page.wait_for_timeout(500)
    assert not any(u.endswith("/analytics/event") for u in urls)
    with page.expect_request(lambda r: r.url.endswith("/analytics/event")):
        page.get_by_role("button", name="Accept all").click()
    assert all(u.startswith(base + "/") for u in urls), urls
    visitor.close()
