"""In the real Chromium: a portability request through the privacy center, the code read from
the outbox, the answer page, and the one-time download link within the same session."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from tests.requests.conftest import code_from, sql_policy

from steward.mail import list_outbox

pytestmark = pytest.mark.browser


def test_request_verify_and_download_in_chromium(live_server, page, sqlite_company) -> None:  # type: ignore[no-untyped-def]
    live_server.app.state.policy = sql_policy()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    who = sqlite_company.who
    page.goto(f"{live_server.url}/privacy/requests")
    assert (
        page.get_by_text("not considered as secure", exact=False).first.is_visible()
        or page.get_by_text("not secure", exact=False).first.is_visible()
    )
    page.get_by_label("What do you want?").select_option("portability")
    page.get_by_label("Your name").fill("Test Person")
    page.get_by_label("Your e-mail address").fill(who["email"])
    page.get_by_label("Country").select_option("DK")
    page.screenshot(path="/tmp/dsr-1-form.png", full_page=True)
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/privacy/requests/verify?r=*")
    page.get_by_label("Code").fill(code_from(list_outbox(live_server.settings)[0].body))
    page.screenshot(path="/tmp/dsr-2-verify.png", full_page=True)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/privacy/requests/*")
    assert page.get_by_role("heading", name="Our answer").is_visible()
    assert page.locator("[data-state]").get_attribute("data-state") == "completed"
    page.screenshot(path="/tmp/dsr-3-answer.png", full_page=True)
    # One verification per journey: the download needs no second code.
    page.get_by_role("link", name="Go to the download").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    data = info.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        logins = json.loads(zf.read("data/portal/logins.json"))
        assert logins and "password_hash" not in logins[0]  # a secret, and not provided by them
        assert "report.html" in zf.namelist()
    page.screenshot(path="/tmp/dsr-4-after-download.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]
