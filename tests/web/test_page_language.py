"""Every console page of tests/web/pages.py, opened in Danish by a signed-in admin on the demo
company, and every public page, opened by a person, speaks Danish: no Steward code shows raw
(a request state, a request type, a notification channel, a consent `ui_action`: snake_case
words) and none of the English sentences below, which have Danish words in the catalog, shows
untranslated.

The names a company chose in its policy (a rule key, a table, a cookie, a purpose key) are
shown as themselves: the snake_case words of the policy's files are allowed, except Steward's
own codes listed in CODES, which must show as words even where a policy also names them. What
`<code>`, `<pre>`, `<kbd>` and `<samp>` hold is shown as written (identifiers, JSON) and not
read.

Besides tests/web/seeded.py's data, the site holds an erasure request whose answer waits for
review (Art. 19 notifications to the processors, by e-mail) and retention counts (each
rule's legal basis, on the retention page).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.helpers import PASSWORD, csrf_from
from tests.publication.factories import TODAY
from tests.web.pages import CONSOLE_PAGES, PUBLIC_PAGES, Page
from tests.web.seeded import Site, running_site

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# Shown as written, not read: identifiers, stored JSON, what a person types.
AS_WRITTEN = re.compile(r"(?is)<(script|style|code|pre|kbd|samp)\b.*?</\1>")

# Steward's codes that must never show as themselves in a page, written out by hand (the
# request states and types, Art. 19 channels and statuses, consent ui actions and methods, the
# retention run states, a card's tone).
CODES = (
    "awaiting_verification",
    "awaiting_approval",
    "awaiting_review",
    "awaiting_payment",
    "in_progress",
    "waiting_on_system",
    "automated_decisions",
    "confirm_link",
    "confirm_button",
    "one_click_post",
    "toggle_on",
    "toggle_off",
    "accept_all",
    "reject_all",
    "double_opt_in",
    "legal_obligation",
    "years_plus_current_year",
    "financial_year_end",
    "record_date",
)
# Single words of those codes, as they would show raw in a cell of their own.
CODE_CELLS = ("task", "mail", "http", "pending", "open", "sent", "waived", "viewer", "officer")

# English texts that have Danish words in the catalog: none may show in a Danish page.
ENGLISH = (
    # The dashboard's cards.
    "Processing activities",
    "Connected systems",
    "Audit events",
    "Consent events",
    "Open requests",
    "Overdue requests",
    "Open breaches",
    "Page views, 7 days",
    "no scan yet",
    "policy gaps",
    "legal hold(s)",
    "next sweep",
    "own hash chain",
    # Processor alerts (steward.processors.alerts).
    "DPA review overdue",
    "overdue since",
    # Art. 19 notifications, the breach clock and steps, the announcements' start.
    "to be told by",
    "overdue by",
    "Document the breach in the register",
    "Assess the risk",
    "not set: nobody has been told yet",
    # The consent proof and its history.
    "canonical JSON of the event",
    "· given ·",
    # Visitor statistics, the charts' descriptions, an announcement's warnings.
    "Hourly totals only",
    "Top pages",
    "Solid blue",
    "daily visitors between",
    "consents given and",
    "have no e-mail address",
    # The breach form's sub-processors, the Art. 19 recipients and the Art. 30 record.
    "sub-processor of",
    "third party:",
    "not designated",
    # An erasure plan's reasons and notes (steward.legal.erasure_words), stored in English.
    "personal fields rewritten instead of deleting",
    "still pointed at by",
    "Art. 17(3)(b): Bogføringsloven",
)
# Steward's retention sentences (steward.retention.statutes, steward.legal.retention_periods):
# checked on the retention pages only, as the policy page and the Art. 30 record quote the
# company's own wording, which a policy without Danish texts gives in English.
RETENTION_ENGLISH = (
    "the law requires keeping it",
    "kept for up to",
    "kept for at least",
    "as our policy states",
    "the company's choice",
    "storage limitation",
    "after that",
    "years from the end of the financial year",
    "years plus the current year",
    " months",
    "Keeping data for",
    "exceeds the statutory minimum",
    "Keep personal data no longer than necessary",
)
RETENTION_PAGES = ("/console/retention", "/console/retention/runs/{run_id}")
# The sentences above must keep their references: these show in the translated pages.
REFERENCES = {
    "/console/retention": ("Bogføringsloven (lov nr. 700 af 24. maj 2022) § 12, stk. 1",),
}


def _text(page: str) -> str:
    """What a person reads: the page without scripts, styles, code and tags."""
    page = AS_WRITTEN.sub(" ", page)
    page = re.sub(r"(?s)<[^>]+>", "\n", page)
    return re.sub(r"[ \t]+", " ", html.unescape(page))


def _policy_names(folder: Path) -> set[str]:
    """The snake_case words of the policy's own files: names the company chose."""
    names: set[str] = set()
    for f in folder.rglob("*.yaml"):
        names.update(SNAKE.findall(f.read_text(encoding="utf-8")))
    return names - set(CODES)


def _problems(path: str, body: str, names: set[str]) -> list[str]:
    text = _text(body)
    out = [f"code {w}" for w in sorted(set(SNAKE.findall(text)) - names)]
    english = ENGLISH + (RETENTION_ENGLISH if path in RETENTION_PAGES else ())
    out += [f"English {w!r}" for w in english if w in text]
    cells = {c.strip() for c in text.split("\n")}
    out += [f"code {c}" for c in CODE_CELLS if c in cells]
    out += [f"reference {r!r} missing" for r in REFERENCES.get(path, ()) if r not in text]
    return out


def _seed_more(site: Site, web: httpx.Client) -> None:
    """An erasure request of the demo's first customer whose answer waits for review, with its
    Art. 19 notifications; the retention counts."""
    from steward.demo.build import gen_showcase
    from steward.requests import execute, workflow
    from steward.requests.tables import DsrRequest
    from steward.store.db import make_sessionmaker, transaction

    sm = make_sessionmaker(site.engine)
    # The SQL systems only: the newsletter platform's API does not run here.
    policy = site.policy.model_copy(
        update={"systems": [s for s in site.policy.systems if s.connector == "sql"]}
    )
    email = gen_showcase(seed=7, today=TODAY)["email"]
    out = workflow.submit_request(
        sm, site.settings, policy, type="erasure", name="Test Person", email=email,
        country="DK", channel="officer", actor="officer", evidence="ID checked in person",
    )  # fmt: skip
    execute.prepare_plan(sm, site.settings, policy, out.id)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, out.id)
        if req.state == "awaiting_approval":
            workflow.approve(s, req, "officer")
    assert execute.execute_request(sm, site.settings, policy, out.id) == "awaiting_review"
    site.values["erasure_id"] = str(out.id)
    token = csrf_from(web.get("/console/retention").text)
    r = web.post("/console/retention/refresh", data={"csrf_token": token})
    assert r.status_code in (200, 303), r.text


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, httpx.Client]]:
    with running_site(tmp_path_factory.mktemp("language")) as site:
        with httpx.Client(base_url=site.url, cookies={"steward_lang": "da"}) as web:
            form = web.get("/console/login").text
            r = web.post(
                "/console/login",
                data={
                    "csrf_token": csrf_from(form),
                    "email": "admin@steward.example",
                    "password": PASSWORD,
                },
            )
            assert r.status_code in (200, 303), r.text
            _seed_more(site, web)
            yield site, web


def _url(site: Site, page: Page) -> str:
    path = page.path.format(**site.values)
    return path + ("&" if "?" in path else "?") + "lang=da"


def test_every_console_page_speaks_danish(signed_in: tuple[Site, httpx.Client]) -> None:
    site, web = signed_in
    names = _policy_names(Path(site.settings.policy))
    pages = [*CONSOLE_PAGES, Page("/console/requests/{erasure_id}", "detail", "admin")]
    problems: dict[str, list[str]] = {}
    for page in pages:
        r = web.get(_url(site, page))
        assert r.status_code in (page.status, 303), f"{page.path}: {r.status_code}"
        assert 'lang="da"' in r.text or r.status_code == 303, page.path
        if found := _problems(page.path, r.text, names):
            problems[page.path] = found
    assert not problems, "\n".join(f"{p}: {', '.join(v)}" for p, v in problems.items())


def test_every_public_page_speaks_danish(signed_in: tuple[Site, httpx.Client]) -> None:
    # The privacy center, the consent banner and the signed-link pages, opened by a person.
    site, _ = signed_in
    names = _policy_names(Path(site.settings.policy))
    problems: dict[str, list[str]] = {}
    with httpx.Client(base_url=site.url) as person:
        for page in PUBLIC_PAGES:
            r = person.get(_url(site, page))
            assert r.status_code == page.status, f"{page.path}: {r.status_code}"
            assert 'lang="da"' in r.text, page.path
            if found := _problems(page.path, r.text, names):
                problems[page.path] = found
    assert not problems, "\n".join(f"{p}: {', '.join(v)}" for p, v in problems.items())


def test_the_timeline_names_each_recipient_to_be_told(signed_in: tuple[Site, httpx.Client]) -> None:
    # One Art. 19 event per recipient, all in one second: each sentence names its own one
    # (examples/promark: NordHost hosts the systems, its backup vault holds copies, Ledgerly
    # gets names and addresses).
    site, web = signed_in
    text = _text(web.get(f"/console/requests/{site.values['erasure_id']}?lang=da").text)
    told = re.findall(r"En modtager skal underrettes om ændringen \(art\. 19\): ([^(]+?) \(", text)
    assert sorted(told) == ["Backup Vault Oy", "Ledgerly AS", "NordHost A/S"]


def test_every_request_state_and_type_has_words() -> None:
    # A state or a right added later needs its words, or it shows raw in the console.
    from steward.policy.models import Right
    from steward.requests.states import State
    from steward.web.codes import WORDS

    assert set(WORDS["request_state"]) == {s.value for s in State}
    assert set(WORDS["request_type"]) == {r.value for r in Right}


def test_the_check_sees_a_raw_code_and_english() -> None:
    # The check itself, on a page written by hand: a state code in a cell, an English
    # sentence, a company's name and a code inside <code> (both allowed).
    page = (
        "<table><tr><td>awaiting_review</td><td>task</td></tr></table>"
        "<p>DPA review overdue since 2026-06-30</p><p>customer_records</p>"
        "<p><code>waiting_on_system</code></p>"
    )
    found = _problems("/console", page, {"customer_records", "awaiting_review"} - set(CODES))
    assert found == ["code awaiting_review", "English 'DPA review overdue'",
                     "English 'overdue since'", "code task"]  # fmt: skip
