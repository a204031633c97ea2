"""Language negotiation against a hand-written table: what a person asks for, in the order
`?lang=`, cookie, Accept-Language, the policy's default, among the languages offered."""

from __future__ import annotations

import pytest

from steward.i18n.negotiate import choose, parse_accept_language

ALL = ("en", "da", "nb", "sv")
PROMARK = ("en", "da")  # the example policy: English first, then Danish
DANISH_FIRST = ("da", "en")

# (Accept-Language header, languages offered, expected language)
HEADERS = [
    ("da-DK", ALL, "da"),
    ("da", ALL, "da"),
    ("da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7", ALL, "da"),
    ("nb-NO", ALL, "nb"),
    ("nb", ALL, "nb"),
    ("no", ALL, "nb"),  # generic Norwegian is read as Bokmål
    ("nn-NO", ALL, "nb"),  # Nynorsk too, when the policy has no Nynorsk
    ("nn,en;q=0.5", ALL, "nb"),
    ("sv-SE", ALL, "sv"),
    ("sv-FI", ALL, "sv"),
    ("fi-FI,sv;q=0.8,en;q=0.5", ALL, "sv"),  # Finnish not offered: the next one offered
    ("en-GB", ALL, "en"),
    ("en-US,en;q=0.9", DANISH_FIRST, "en"),
    ("de-DE", ALL, "en"),  # nothing offered: the policy's default (its first language)
    ("de-DE", DANISH_FIRST, "da"),
    ("en;q=0.2,da;q=0.8", ALL, "da"),  # q-values order, not the header's order
    ("sv;q=0.5,da;q=0.5", ALL, "sv"),  # equal q: the header's order
    ("da;q=0,sv", ALL, "sv"),  # q=0: "not acceptable"
    ("da;q=0", DANISH_FIRST, "da"),  # ... yet nothing else fits: the default stays
    ("da;q=0", PROMARK, "en"),  # refused outright: never chosen, even as the only match
    ("sv;q=0.0, da;q=0.001", ALL, "da"),
    ("*", ALL, "en"),
    ("*;q=0.5,nb;q=0.6", ALL, "nb"),
    ("", DANISH_FIRST, "da"),
    ("nb-NO", PROMARK, "en"),  # ProMark publishes no Norwegian: its default
    ("da;q=abc,sv;q=0.3", ALL, "sv"),  # a malformed q-value drops its entry only
    ("<script>,da", ALL, "da"),  # junk entries are skipped
    ("da-DK;q=1.5", ALL, "en"),  # q above 1 is invalid
    ("DA-dk", ALL, "da"),  # tags are case-insensitive
]


@pytest.mark.parametrize(("header", "offered", "expected"), HEADERS)
def test_accept_language_picks_the_language(
    header: str, offered: tuple[str, ...], expected: str
) -> None:
    assert choose(offered=offered, accept_language=header) == expected


# (?lang=, cookie, Accept-Language, expected) with the four languages offered, English first
ORDER = [
    ("sv", "da", "nb-NO", "sv"),  # the explicit choice wins
    (None, "da", "nb-NO", "da"),  # then the remembered one
    (None, None, "nb-NO", "nb"),  # then the browser
    (None, None, None, "en"),  # then the policy's default
    ("fr", "da", "nb-NO", "en"),  # an unknown explicit language: the default, not a guess
    ("", "da", "nb-NO", "en"),  # an empty one too
    (None, "fr", "sv-SE", "sv"),  # an unknown cookie is ignored
    (None, "xx-<>", None, "en"),
    ("nb-NO", None, None, "nb"),  # a region in ?lang= is understood
    ("no", None, None, "nb"),
]


@pytest.mark.parametrize(("query", "cookie", "header", "expected"), ORDER)
def test_explicit_choice_then_cookie_then_browser_then_default(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert choose(offered=ALL, query=query, cookie=cookie, accept_language=header) == expected


def test_ranges_are_ordered_by_quality() -> None:
    assert parse_accept_language("en;q=0.1, da-DK , sv;q=0.7,nb;q=0.7") == [
        "da-dk",
        "sv",
        "nb",
        "en",
    ]
