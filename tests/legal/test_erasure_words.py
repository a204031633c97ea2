"""Why an erasure keeps a row, and a plan's notes, read in the reader's language: the texts are
stored in English as the planning wrote them and shown in Danish, Norwegian or Swedish to the
officer and in the data subject's letter. Expected texts are written out by hand; the
bookkeeping statute keeps its own name (LEGAL.md: Bogføringsloven § 12)."""

from __future__ import annotations

import pytest
from tests.helpers import PROMARK

from steward.i18n import language
from steward.legal import erasure_words as words
from steward.policy.loader import load_policy
from steward.requests import letters

BOOKKEEPING = "GDPR Art. 17(3)(b): Bogføringsloven § 12 until 2031-12-31"
HOLD = (
    "GDPR Art. 17(3)(e): kept under a legal hold placed on 2026-11-02 (establishment, exercise "
    "or defence of legal claims); restricted, only stored"
)
NOTE = (
    "3 row(s) — orders: still pointed at by the subject's invoices that stay: personal fields "
    "rewritten instead of deleting the row (Art. 17 erases the subject's data only)"
)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "da",
            BOOKKEEPING,
            "GDPR art. 17, stk. 3, litra b: Bogføringsloven § 12 indtil 2031-12-31",
        ),
        ("sv", BOOKKEEPING, "GDPR art. 17.3 b: Bogføringsloven § 12 till och med 2031-12-31"),
        (
            "nb",
            "GDPR Art. 17(3)(b): Bokføringsloven § 13",
            "GDPR art. 17(3)(b): Bokføringsloven § 13",
        ),
        (
            "da",
            HOLD,
            "GDPR art. 17, stk. 3, litra e: opbevares under en retlig tilbageholdelse fra "
            "2026-11-02 (for at retskrav kan fastlægges, gøres gældende eller forsvares); "
            "begrænset, kun opbevaret",
        ),
        (
            "da",
            "kept under retention rule invoices-5y (Art. 17(3)(b))",
            "opbevares efter opbevaringsreglen invoices-5y (art. 17, stk. 3, litra b)",
        ),
        (
            "sv",
            "the policy keeps this table on erasure (erase: keep)",
            "policyn behåller den här tabellen vid radering (erase: keep)",
        ),
        (
            "da",
            NOTE,
            "3 række(r) — orders: der henvises stadig til den af den registreredes invoices, som "
            "bliver: personoplysningerne overskrives i stedet for at slette rækken (art. 17 "
            "sletter kun den registreredes oplysninger)",
        ),
        (
            "nb",
            "1 row(s) — customers: shared with 2 other row(s) in orders: personal fields "
            "rewritten instead of deleting the row (Art. 17 erases the subject's data only)",
            "1 rad(er) — customers: delt med 2 annen/andre rad(er) i orders: "
            "personopplysningene overskrives i stedet for å slette raden (art. 17 sletter bare "
            "den registrertes opplysninger)",
        ),
        (
            "sv",
            "2 row(s) — contacts.email: NOT NULL, masked instead of emptied",
            "2 rad(er) — contacts.email: NOT NULL, maskerad i stället för tömd",
        ),
        # Not one of Steward's texts (a third party's connector): shown as written.
        ("da", "kept: the vendor's own reason", "kept: the vendor's own reason"),
    ],
)
def test_a_stored_reason_reads_in_the_language_in_force(
    lang: str, text: str, expected: str
) -> None:
    with language(lang):
        assert words.in_language(text) == expected


def test_in_english_every_text_reads_as_stored() -> None:
    values = {"law": "Bogføringsloven § 12", "date": "2031-12-31", "rule": "r1", "n": 3,
              "note": "x", "table": "orders", "why": "y", "tables": "invoices, orders",
              "column": "contacts.email"}
    for template in words.TEMPLATES:
        used = {k: v for k, v in values.items() if "{" + k + "}" in template}
        text = words.say(template, **used)
        with language("en"):
            assert words.in_language(text) == text
        with language("da"):
            assert words.in_language(text) != text  # every template has its Danish


def test_the_danish_letter_gives_the_reason_in_danish() -> None:
    policy = load_policy(PROMARK)
    letter = letters.render_letter(
        policy,
        name="Freja Testesen",
        type_="erasure",
        received="2026-12-01",
        lang="da",
        jurisdiction="DK",
        result={"erased": {"crm.customers deleted": 1},
                "kept": [{"system": "crm", "table": "invoices", "rows": 2,
                          "reason": BOOKKEEPING}]},
    )
    assert "GDPR art. 17, stk. 3, litra b: Bogføringsloven § 12 indtil 2031-12-31" in letter
    assert "until" not in letter
