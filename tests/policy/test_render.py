"""The rendered privacy notice holds every fact of the seed policy."""

from __future__ import annotations

import html
import re

import pytest

from policy.policy_helpers import BASE, PROMARK, edit
from steward.errors import InvalidInput
from steward.policy.loader import load_policy, load_policy_text
from steward.policy.render import format_date, render_notice, render_notice_page

SEED_FACTS = [
    "ProMark A/S", "CVR 31 07 52 62", "Maglebjergvej 11", "2800 Kgs. Lyngby", "+45 4690 0000",
    "Administration of potential and existing customer relationships",
    "Marketing, analyses and segmentation",
    "Administration and improvement of our digital services",
    "Processing of job applications",
    "GDPR Art. 6(1)(b) and (f)", "GDPR Art. 6(1)(a), (b) and (f)", "GDPR Art. 6(1)(f)",
    "to ensure that information is not provided to anyone other than you",
    "access to your personal data", "have your personal data corrected/updated",
    "be deleted/erased", "limit (restrict) the processing", "electronic transfer of your data",
    "make objections", "not have decisions made based on automatic handling, including profiling",
    "GDPR Art. 15", "GDPR Art. 17", "GDPR Art. 22", "within one month",
    "extended by up to 2 further months", "ask you for additional information",
    "No later than 3 months after completing the process",
    "up to 10 years plus the current year",
    "anonymized or deleted when the case has been closed",
    "within 72 hours", "Information Commissioner's Office (ICO)", "https://ico.org.uk",
    "ordinary email is NOT considered as secure communication",
    "effective from 20 February 2020",
    "This website is owned and administered by ProMark A/S.",
    "inform you about the new purposes in advance of the actual processing",
    "data processing agreements (DPA)", "Mailwise Ltd (mailwise.example)",
    "standard contractual clauses (GDPR Art. 46(2)(c))",
    "Social security numbers (CPR/national identity numbers)", "Absence reasons",
    "Health information", "Photos/video from events",
    "For any portrait images we obtain consent.",
    "Statistics", "Cookieless visitor statistics", "does not identify you",
]


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


@pytest.fixture(scope="module")
def promark():  # type: ignore[no-untyped-def]
    return load_policy(PROMARK)


def test_html_notice_holds_seed_facts(promark) -> None:  # type: ignore[no-untyped-def]
    out = render_notice(promark, fmt="html")
    assert "<html" not in out and out.startswith("<article")
    text = _text(out)
    missing = [f for f in SEED_FACTS if f not in text]
    assert missing == []
    assert 'href="/privacy/requests"' in out


def test_markdown_notice_holds_seed_facts(promark) -> None:  # type: ignore[no-untyped-def]
    out = render_notice(promark, fmt="md")
    flat = re.sub(r"\s+", " ", out.replace("*", ""))
    assert [f for f in SEED_FACTS if f not in flat] == []
    assert "](/privacy/requests)" in out
    assert out.startswith("# Privacy policy\n")


def test_danish_headings_and_texts(promark) -> None:  # type: ignore[no-untyped-def]
    text = _text(render_notice(promark, lang="da"))
    for phrase in ("Dataansvarlig", "Dine rettigheder", "Behandlingsgrundlag",
                   "gælder fra 20. februar 2020", "GDPR Art. 15",
                   "op til 10 år plus det indeværende år",
                   "Administration af potentielle og eksisterende kundeforhold"):
        assert phrase in text, phrase


def test_missing_translation_falls_back_to_english(promark) -> None:  # type: ignore[no-untyped-def]
    # art9_note and security measures exist in English only; labels for 'de' do not exist.
    text = _text(render_notice(promark, lang="de"))
    assert "Data controller" in text and "Marketing, analyses and segmentation" in text


def test_page_is_standalone_html(promark) -> None:  # type: ignore[no-untyped-def]
    page = render_notice_page(promark, lang="da")
    assert page.startswith("<!doctype html>") and '<html lang="da">' in page
    assert "<article" in page and "</html>" in page


def test_text_is_escaped() -> None:
    policy = load_policy_text(edit(BASE, "    title: Service\n", "    title: <b>Service</b>\n"))
    out = render_notice(policy)
    assert "&lt;b&gt;Service&lt;/b&gt;" in out and "<b>Service" not in out


def test_unknown_format_is_invalid_input(promark) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        render_notice(promark, fmt="pdf")  # type: ignore[arg-type]


def test_format_date() -> None:
    from datetime import date

    assert format_date(date(2020, 2, 20), "en") == "20 February 2020"
    assert format_date(date(2020, 2, 20), "da") == "20. februar 2020"
