"""Issue 12's "Done when", as the two users would live it, in the real Chromium with a real
SMTP server (aiosmtpd) and Steward served by uvicorn:

- a Danish phone (browser locale da-DK, so Accept-Language: da; 390x844; no `?lang=` typed
  anywhere) asks for its data, takes the code from the mail, verifies and follows its request,
  entirely in Danish, with no page wider than the screen;
- the officer (desktop) approves and runs; the draft shows the letter and the package while
  the person has received nothing; the officer asks a question in the message thread; the
  person, still signed in (one code for the whole journey), reads and answers in Danish; the
  officer sends the answer; the person downloads the package, and reloading the download page
  works;
- axe-core (vendored, tests/web/assets) finds no violation on any page the person saw.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import PASSWORD, add_user
from tests.requests.conftest import code_from, reviewed_policy

from steward.requests import workflow
from steward.store.db import transaction

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent.parent / "web" / "assets" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
QUESTION = "Gælder din anmodning også de gamle supportsager fra 2019?"
ANSWER = "Ja tak, dem vil jeg også gerne se."
# English texts of the person's pages (hand-written from the English pages): none may show.
ENGLISH = [
    "Your rights",
    "Send request",
    "What do you want?",
    "Your name",
    "Your e-mail address",
    "Country",
    "Check your e-mail",
    "Confirm",
    "Your request",
    "Status and answer",
    "Messages",
    "Sign out",
    "Answer due by",
    "Our answer",
    "Go to the download",
    "Download your data",
    "Write to us",
    "Your message",
    "Send message",
    "Security:",
    "Privacy center",
    "received",
    "being assessed",
    "answered",
]


def _text(msg: Any) -> str:
    return str(msg.get_body(preferencelist=("plain",)).get_content())


class Person:
    """The person's phone: every page is checked for Danish, width and accessibility."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.seen: list[str] = []

    def check(self, *danish: str) -> str:
        page = self.page
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "da", page.url
        body = str(page.locator("body").inner_text())
        assert not [e for e in ENGLISH if e in body], f"{page.url}:\n{body}"
        for d in danish:
            assert d in body, f"{d!r} not on {page.url}:\n{body}"
        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= inner, f"{page.url}: {width} px wide on a {inner} px phone"
        self.seen.append(page.url)
        return body


def _axe(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return list(found)


def test_a_danish_phone_walks_the_whole_journey_and_the_officer_reviews_first(  # type: ignore[no-untyped-def]
    live_server, browser, smtp_server, sqlite_company
) -> None:
    host, port, inbox = smtp_server
    st = live_server.app.state
    st.settings = live_server.settings.model_copy(
        update={"smtp_host": host, "smtp_port": port, "smtp_starttls": False}
    )
    st.policy = reviewed_policy()  # the example's setting: every answer is reviewed
    url = live_server.url
    email = sqlite_company.who["email"]

    # 1. The request, the code, the status page: in Danish, on a phone, no ?lang= typed.
    phone_ctx = browser.new_context(locale="da-DK", viewport=PHONE, bypass_csp=True)
    person = Person(phone_ctx.new_page())
    p = person.page
    p.goto(f"{url}/privacy/requests")
    person.check("Dine rettigheder: send en anmodning")
    p.get_by_label("Hvad ønsker du?").select_option("access")
    p.get_by_label("Dit navn").fill("Alex Eksempel")
    p.get_by_label("Din e-mailadresse").fill(email)
    p.get_by_label("Land").select_option("DK")
    p.get_by_role("button", name="Send anmodning").click()
    p.wait_for_url("**/privacy/requests/verify?*")
    person.check("Tjek din e-mail")
    assert len(inbox) == 1 and "kode" in str(inbox[0]["Subject"]).lower()  # type: ignore[index]
    p.get_by_label("Kode").fill(code_from(_text(inbox[0])))
    p.get_by_role("button", name="Bekræft").click()
    p.wait_for_url("**/privacy/requests/*")
    public_id = p.url.split("?", 1)[0].rsplit("/", 1)[-1]
    person.check("Din anmodning", "Svarfrist")

    # 2. The officer approves and runs; the draft shows the letter and the package.
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        rid = req.id
        assert req.language == "da"  # the browser's language became the request's
    add_user(live_server.engine, "officer@steward.example", "officer")
    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    officer.goto(f"{url}/console/requests/{rid}")
    officer.get_by_label("E-mail").fill("officer@steward.example")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Sign in").click()
    officer.wait_for_url(f"{url}/console/requests/{rid}")
    officer.get_by_role("button", name="Approve and run").click()
    officer.wait_for_load_state()
    draft = officer.locator("#draft")
    assert draft.get_by_role("heading", name="Answer to review before sending").is_visible()
    letter = str(officer.locator("#draft-letter").inner_text())
    assert letter.startswith("Kære Alex Eksempel,"), letter
    package = str(officer.locator("#package-table").inner_text())
    assert "your purchases" in package, package  # the package's contents, in plain words

    # The person has received nothing yet: only the code mail, no answer on the status page.
    assert len(inbox) == 1
    p.reload()
    status = person.check("Din anmodning")
    assert "Vores svar" not in status and "Gå til hentning" not in status

    # The officer asks through the thread; the mail only says a message is waiting.
    officer.get_by_label("Kind of message").select_option("clarification")
    officer.get_by_label("Message to the person", exact=False).fill(QUESTION)
    officer.get_by_role("button", name="Send message").click()
    officer.wait_for_url(f"{url}/console/requests/{rid}#messages")
    assert len(inbox) == 2
    notice = inbox[1]
    assert notice["To"] == email and "ny besked" in str(notice["Subject"])  # type: ignore[index]
    assert "supportsager" not in _text(notice)

    # The person, still signed in (no new code), reads and answers in Danish.
    p.reload()
    person.check("Beskeder")
    p.get_by_role("link", name="Beskeder").click()
    person.check("Beskeder om din anmodning", QUESTION)
    p.get_by_label("Din besked").fill(ANSWER)
    p.get_by_role("button", name="Send besked").click()
    p.wait_for_url(f"**/privacy/requests/{public_id}/messages*")
    person.check(ANSWER)

    # The officer reads the answer and sends the reviewed answer.
    officer.reload()
    assert officer.get_by_text(ANSWER).is_visible()
    officer.get_by_role("button", name="Send the answer to the person").click()
    officer.wait_for_load_state()
    assert officer.get_by_text("The answer was sent.").is_visible()
    answer_mails = [m for m in inbox if m["To"] == email][2:]  # type: ignore[index]
    assert len(answer_mails) == 1

    # The person sees the answer and downloads the package; a reload of the download page works.
    p.get_by_role("link", name="Status og svar").click()
    person.check("besvaret", "Vores svar")
    p.get_by_role("link", name="Gå til hentning").click()
    person.check("Hent dine oplysninger")
    p.reload()
    person.check("Hent dine oplysninger")
    with p.expect_download() as info:
        p.get_by_role("button", name="Hent", exact=True).click()
    with zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes())) as zf:
        assert "report.html" in zf.namelist()
    assert sum("kode" in str(m["Subject"]).lower() for m in inbox) == 1  # type: ignore[index]

    # 3. axe-core on every page the person saw, as the phone laid it out: no violation.
    problems = {}
    for seen in dict.fromkeys(person.seen):
        p.goto(seen)
        if found := _axe(p):
            problems[seen] = found
    assert not problems, problems
    phone_ctx.close()
