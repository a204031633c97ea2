"""In Chromium: register a breach, see the countdown tick, produce the authority notice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from tests.conftest import free_port
from tests.helpers import PASSWORD, add_user, settings_for

from steward.web.app import create_app


@pytest.fixture
def live_url(sqlite_engine: Engine, tmp_path: Path) -> Iterator[str]:
    app = create_app(settings_for(sqlite_engine, tmp_path, cookie_secure=False,
                                  base_url="http://127.0.0.1"), engine=sqlite_engine)
    add_user(sqlite_engine, "officer@steward.example", "officer")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.browser
def test_register_countdown_and_notice(page, live_url: str) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_url}/console/login")
    page.fill("input[name=email]", "officer@steward.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_url}/console/breaches/new")
    page.fill("#title", "Support export on a public share")
    # Aware 10 hours ago, entered in UTC.
    aware = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 10 * 3600))
    page.fill("#aware_at", aware)
    page.select_option("#timezone", "UTC")
    page.fill("#discovery_source", "Internal monitoring")
    page.fill("#description", "A CSV export of support tickets was readable without login.")
    page.check("input[name=systems][value=support]")
    page.check("input[name=data_categories][value='user.contact.email']")
    page.check("input[name=countries][value=DK]")
    page.fill("#subjects_approx", "120")
    page.fill("#consequences", "Customers' correspondence could be read.")
    page.fill("#measures_taken", "The share was closed.")
    page.click("button[type=submit]:has-text('Register the breach')")
    page.wait_for_url("**/console/breaches/*")
    countdown = page.locator(".countdown.big")
    text = countdown.inner_text()
    assert text.startswith("61 h") or text.startswith("62 h"), text
    assert text.endswith("min left")
    page.screenshot(path="/tmp/breach.png", full_page=False)
    page.click("text=Art. 33 notification page")
    page.wait_for_url("**/notice?authority=DK")
    assert page.locator("h1").inner_text().endswith("Datatilsynet")
    # The Danish authority gets the notice in its own language (Authority.language: da).
    assert page.locator("#s-a").inner_text().startswith("Bruddets karakter (art. 33(3)(a))")
    assert "A CSV export of support tickets" in page.locator("pre.paste").first.inner_text()
    assert not [e for e in errors if "Content Security Policy" in e], errors
