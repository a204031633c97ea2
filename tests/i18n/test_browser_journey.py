"""The Norwegian journey in Chromium with a Norwegian browser (`locale="nb-NO"`, so it sends
`Accept-Language: nb-NO`): the notice, the newsletter signup and its confirmation mail (a real
SMTP server), the preference page, then the language switch and an unknown language."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from tests.conftest import free_port
from tests.helpers import PROMARK, settings_for

pytestmark = pytest.mark.browser


@pytest.fixture
def nordic(sqlite_engine: Engine, tmp_path: Path, smtp_server) -> Iterator[tuple[str, list]]:  # type: ignore[no-untyped-def]
    """ProMark's policy published in English (its default), Danish, Norwegian and Swedish,
    served for the browser; mail goes to a real SMTP server."""
    from steward.web.app import create_app

    folder = tmp_path / "policy"
    shutil.copytree(PROMARK, folder)
    meta = folder / "policy.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "  languages: [en, da]\n", "  languages: [en, da, nb, sv]\n"
        ),
        encoding="utf-8",
    )
    host, smtp_port, messages = smtp_server
    port = free_port()
    settings = settings_for(
        sqlite_engine,
        tmp_path,
        cookie_secure=False,
        policy=folder,
        base_url=f"http://127.0.0.1:{port}",
        smtp_host=host,
        smtp_port=smtp_port,
        smtp_starttls=False,
    )
    app = create_app(settings, engine=sqlite_engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", messages
    server.should_exit = True
    thread.join(timeout=10)


def _mail(messages: list, timeout: float = 10.0) -> EmailMessage:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while not messages:
        assert time.monotonic() < deadline, "no mail arrived"
        time.sleep(0.05)
    return messages[0]  # type: ignore[no-any-return]


def test_a_norwegian_browser_reads_the_notice_and_signs_up_in_norwegian(nordic, browser) -> None:  # type: ignore[no-untyped-def]
    base, messages = nordic
    ctx = browser.new_context(locale="nb-NO")
    page = ctx.new_page()
    page.goto(f"{base}/privacy")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("heading", name="Dine rettigheter, og hvordan du bruker dem").count()
    assert page.get_by_role(
        "heading", name="Hvor lenge vi oppbevarer personopplysningene dine"
    ).count()
    menu = page.get_by_role("navigation", name="Personvernsenter")
    assert menu.get_by_role("link", name="Personvernerklæring").is_visible()

    menu.get_by_role("link", name="Nyhetsbrev").click()
    page.wait_for_url(f"{base}/privacy/newsletter")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("heading", name="Meld deg på").is_visible()
    page.get_by_role("group", name="Hva vil du motta?").get_by_role("checkbox").first.check()
    page.get_by_label("E-postadresse").fill("kari.nordmann@example.com")
    page.get_by_role("button", name="Meld deg på").click()
    assert page.get_by_role("heading", name="Sjekk innboksen din").is_visible()

    mail = _mail(messages)
    assert mail["To"] == "kari.nordmann@example.com"
    assert mail["Subject"].startswith("Vennligst bekreft: ")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Åpne denne lenken innen 48 timer for å bekrefte" in body
    assert "GDPR art. 7(3)" in body

    page.get_by_role("navigation", name="Personvernsenter").get_by_role(
        "link", name="Dine samtykkevalg"
    ).click()
    assert page.get_by_role("heading", name="Personverninnstillingene dine").is_visible()
    assert page.get_by_role("button", name="Send meg lenken").is_visible()

    # The switch keeps the page and remembers the choice for the next one.
    page.get_by_role("navigation", name="Språk").get_by_role("link", name="Svenska").click()
    page.wait_for_url(f"{base}/privacy/preferences?lang=sv")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", name="Dina integritetsinställningar").is_visible()
    page.get_by_role("navigation", name="Integritetscenter").get_by_role(
        "link", name="Integritetspolicy"
    ).click()
    page.wait_for_url(f"{base}/privacy")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", name="Dina rättigheter och hur du använder dem").count()

    # An unknown language falls back to the policy's default (English, its first).
    page.goto(f"{base}/privacy?lang=xx")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Your rights and how to use them").count()
    ctx.close()
