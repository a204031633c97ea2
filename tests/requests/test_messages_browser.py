"""In the real Chromium: the secure message thread from both sides with a real SMTP server, and
the Danish journey (request → code → status → messages → download) entirely in Danish.

The Danish pages are opened with `?lang=da` (and the browser's locale set to da-DK); choosing
the language from Accept-Language is the language switch's work, not these pages'.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select
from tests.helpers import PASSWORD, add_user
from tests.requests.conftest import code_from, sql_policy

from steward.requests import execute, messages, workflow
from steward.requests.tables import DsrAttachment
from steward.store.db import transaction

pytestmark = pytest.mark.browser

ASK = "Please upload a scan of a document with your name, reference ASK-REF-2207"
REPLY = "Attached is my document, reference ANSWER-REF-3318"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"fictional identity document " * 30


def _mail_text(msg) -> str:  # type: ignore[no-untyped-def]
    return str(msg.get_body(preferencelist=("plain",)).get_content())


def _smtp(live_server, smtp_server, **extra):  # type: ignore[no-untyped-def]
    host, port, inbox = smtp_server
    live_server.app.state.settings = live_server.settings.model_copy(
        update={"smtp_host": host, "smtp_port": port, "smtp_starttls": False, **extra}
    )
    live_server.app.state.policy = sql_policy()
    return inbox


def _submit(page, url: str, *, labels: dict[str, str], email: str, country: str, kind: str,  # type: ignore[no-untyped-def]
            lang: str = "") -> None:
    page.goto(f"{url}/privacy/requests" + (f"?lang={lang}" if lang else ""))
    page.get_by_label(labels["type"]).select_option(kind)
    page.get_by_label(labels["name"]).fill("Alex Example")
    page.get_by_label(labels["email"]).fill(email)
    page.get_by_label(labels["country"]).select_option(country)
    if lang:
        page.get_by_label(labels["language"]).select_option(lang)
    page.get_by_role("button", name=labels["send"]).click()
    page.wait_for_url("**/privacy/requests/verify?*")


def test_thread_from_both_sides_in_chromium(live_server, browser, smtp_server, tmp_path):  # type: ignore[no-untyped-def]
    inbox = _smtp(live_server, smtp_server, officer_email="dpo@promark.example.com")
    url = live_server.url
    person = browser.new_context().new_page()
    _submit(person, url, labels={"type": "What do you want?", "name": "Your name",
                                 "email": "Your e-mail address", "country": "Country",
                                 "send": "Send request"},
            email="alex@example.com", country="GB", kind="access")
    person.get_by_label("Code").fill(code_from(_mail_text(inbox[-1])))
    person.get_by_role("button", name="Confirm").click()
    person.wait_for_url("**/privacy/requests/*")
    public_id = person.url.rsplit("/", 1)[-1].split("?")[0]
    with transaction(live_server.app.state.sessionmaker) as s:
        rid = workflow.by_public_id(s, public_id).id

    # The officer asks for identification from the request page.
    add_user(live_server.engine, "officer@steward.example", "officer")
    officer = browser.new_context().new_page()
    officer.goto(f"{url}/console/requests/{rid}")
    officer.get_by_label("E-mail").fill("officer@steward.example")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Sign in").click()
    officer.wait_for_url(f"{url}/console/requests/{rid}")
    officer.get_by_label("Kind of message").select_option("identification")
    officer.get_by_label("Message to the person", exact=False).fill(ASK)
    officer.get_by_role("button", name="Send message").click()
    officer.wait_for_url(f"{url}/console/requests/{rid}#messages")
    assert officer.get_by_text("ASK-REF-2207").is_visible()

    mail = inbox[-1]
    assert mail["To"] == "alex@example.com"
    assert "ASK-REF-2207" not in _mail_text(mail) and "scan" not in _mail_text(mail)
    link = next(w for w in _mail_text(mail).split() if "/messages" in w)

    # The person follows the mail's link: still signed in, no second code.
    person.goto(link)
    assert person.get_by_text("ASK-REF-2207").is_visible()
    person.goto(f"{url}/privacy/requests/{public_id}")
    assert person.locator("#clock-paused").is_visible()
    person.get_by_role("link", name="Read and answer").click()
    person.get_by_label("Your message").fill(REPLY)
    doc = tmp_path / "identity document.pdf"
    doc.write_bytes(PDF)
    person.get_by_label("Attach a file", exact=False).set_input_files(str(doc))
    person.get_by_role("button", name="Send message").click()
    person.wait_for_url(f"**/privacy/requests/{public_id}/messages*")
    assert person.get_by_text("ANSWER-REF-3318").is_visible()
    assert sum("code" in str(m["Subject"]).lower() for m in inbox) == 1
    notice = inbox[-1]
    assert notice["To"] == "dpo@promark.example.com" and "ANSWER-REF-3318" not in _mail_text(notice)

    # The officer sees the reply and downloads the attachment; at rest it is not the plaintext.
    officer.reload()
    assert officer.get_by_text("ANSWER-REF-3318").is_visible()
    assert officer.locator("#thread-unread").is_visible()
    with officer.expect_download() as info:
        officer.get_by_role("link", name="Attachment: identity document.pdf").click()
    assert info.value.path().read_bytes() == PDF
    with transaction(live_server.app.state.sessionmaker) as s:
        att = s.scalars(select(DsrAttachment)).one()
        at_rest = messages.stored_path(live_server.app.state.settings, s, att.id).read_bytes()
    assert PDF not in at_rest and b"fictional identity document" not in at_rest


DA = {"type": "Hvad ønsker du?", "name": "Dit navn", "email": "Din e-mailadresse",
      "country": "Land", "language": "Sprog for svaret", "send": "Send anmodning"}
# English texts of these pages that must not show on the Danish journey.
ENGLISH = ["Your request", "Status and answer", "Messages", "Sign out", "Download your data",
           "Confirm", "Check your e-mail", "Write to us", "Send message", "Our answer",
           "Answer due by", "Security:"]


def _danish(page) -> str:  # type: ignore[no-untyped-def]
    text = str(page.locator("main").inner_text())
    assert not [e for e in ENGLISH if e in text], text
    return text


def test_the_danish_journey_in_chromium(live_server, browser, smtp_server, sqlite_company) -> None:  # type: ignore[no-untyped-def]
    inbox = _smtp(live_server, smtp_server)
    st = live_server.app.state
    url = live_server.url
    page = browser.new_context(locale="da-DK").new_page()
    page.goto(f"{url}/privacy/requests?lang=da")
    assert page.get_by_role("heading", name="Dine rettigheder: send en anmodning").is_visible()
    _danish(page)
    _submit(page, url, labels=DA, email=sqlite_company.who["email"], country="DK",
            kind="access", lang="da")
    assert page.get_by_role("heading", name="Tjek din e-mail").is_visible()
    _danish(page)
    code_mail = inbox[-1]
    assert "kode" in str(code_mail["Subject"]).lower()
    page.get_by_label("Kode").fill(code_from(_mail_text(code_mail)))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url("**/privacy/requests/*")
    public_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    assert page.get_by_role("heading", name="Din anmodning").is_visible()
    status = _danish(page)
    assert "under vurdering" in status and "Svarfrist" in status

    # The officer writes; the person reads and answers in Danish.
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        msg = messages.post(s, st.settings, st.policy, workflow.sealer_for(st.settings), req,
                            author="officer", actor="user:1", kind="clarification",
                            text="Gælder det også dine gamle supportsager?")
        rid, mid = req.id, msg.id
    assert messages.notify(st.sessionmaker, st.settings, st.policy, mid)
    assert inbox[-1]["Subject"] == "Du har en ny besked om din anmodning"
    assert "Gælder det" not in _mail_text(inbox[-1])
    page.reload()
    assert page.locator("#clock-running").is_visible()  # Denmark: the clock keeps running
    page.get_by_role("link", name="Beskeder").click()
    assert page.get_by_role("heading", name="Beskeder om din anmodning").is_visible()
    assert page.get_by_text("Gælder det også dine gamle supportsager?").is_visible()
    page.get_by_label("Din besked").fill("Ja, dem også.")
    page.get_by_role("button", name="Send besked").click()
    page.wait_for_url(f"**/privacy/requests/{public_id}/messages*")
    assert page.get_by_text("Ja, dem også.").is_visible()
    _danish(page)

    # Answered: the status, then the download page (reloaded), then the zip.
    with transaction(st.sessionmaker) as s:
        workflow.approve(s, workflow.by_public_id(s, public_id), "user:1")
    assert execute.execute_request(st.sessionmaker, st.settings, st.policy, rid) == "completed"
    page.get_by_role("link", name="Status og svar").click()
    answered = _danish(page)
    assert "besvaret" in answered and "Vores svar" in answered
    page.get_by_role("link", name="Gå til hentning").click()
    assert page.get_by_role("heading", name="Hent dine oplysninger").is_visible()
    page.reload()
    assert page.get_by_role("heading", name="Hent dine oplysninger").is_visible()
    _danish(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Hent", exact=True).click()
    with zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes())) as zf:
        assert "report.html" in zf.namelist()
    assert sum("kode" in str(m["Subject"]).lower() for m in inbox) == 1  # one code, whole journey
