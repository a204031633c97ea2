"""In the real Chromium: sign in to the console, see the dashboard, read the public notice."""

from __future__ import annotations

import pytest
from tests.helpers import PASSWORD, add_user

pytestmark = pytest.mark.browser


def test_officer_signs_in_and_sees_the_dashboard(live_server, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_user(live_server.engine, "officer@steward.example", "officer")
    page.goto(f"{live_server.url}/console")
    assert "/console/login" in page.url  # anonymous → sign in first
    page.get_by_label("E-mail").fill("officer@steward.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/console")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_role("navigation", name="Console").is_visible()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.screenshot(path="/tmp/steward-dashboard.png", full_page=True)
    # Keyboard: the skip link is the first stop and moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_role("link", name="Audit log").click()
    assert page.get_by_text("console.login").first.is_visible()


def test_wrong_password_shows_the_uniform_message(live_server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("E-mail").fill("ghost@steward.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The e-mail or password is not right."


def test_public_notice_renders(live_server, page) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/privacy")
    assert page.get_by_text("ProMark A/S").first.is_visible()
    page.screenshot(path="/tmp/steward-notice.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]
