"""Payment cards and IBANs: the issuer ranges, lengths and layouts the card rule accepts, the
IBAN examples of the IBAN registry (SWIFT, ISO 13616), and what each finding scores.

Card numbers are generated here: an issuer prefix from the schemes' published ranges, filler
digits, and the Luhn check digit computed by python-stdnum; no real account."""

from __future__ import annotations

import pytest
from stdnum import iban as stdnum_iban
from stdnum import luhn

from steward.scanner import scan
from steward.scanner.context import Context
from steward.scanner.finance import detect_cards, detect_ibans, is_valid_card


def _card(prefix: str, length: int = 16) -> str:
    body = prefix + "3" * (length - 1 - len(prefix))
    return body + luhn.calc_check_digit(body)


def _grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# Issuer prefixes by scheme (the schemes' published IIN ranges): the first and last of each.
ISSUED = (
    ["4"]  # Visa
    + ["51", "55", "2221", "2229", "2230", "2299", "2300", "2699", "2700", "2719", "2720"]  # MC
    + ["34", "37"]  # American Express
    + ["50", "56", "59"]  # Maestro, Dankort
    + ["60", "65", "69"]  # Discover and the other 6-ranges
    + ["3528", "3529", "3530", "3589"]  # JCB 3528-3589
    + ["300", "305", "36", "38", "39"]  # Diners Club
)
NOT_ISSUED = "1 2220 2721 28 29 31 32 33 306 3527 3590 7 8 9 0".split()


@pytest.mark.parametrize("prefix", ISSUED)
def test_cards_of_every_scheme_are_valid(prefix: str) -> None:
    number = _card(prefix)
    assert luhn.is_valid(number)
    assert is_valid_card(number)
    assert is_valid_card(_grouped(number))
    assert is_valid_card("-".join(number[i : i + 4] for i in range(0, 16, 4)))


@pytest.mark.parametrize("prefix", NOT_ISSUED)
def test_numbers_outside_the_issuer_ranges_are_not_cards(prefix: str) -> None:
    number = _card(prefix)
    assert luhn.is_valid(number)
    assert not is_valid_card(number)


def test_card_lengths_are_13_to_19_digits() -> None:
    for length, valid in ((12, False), (13, True), (16, True), (19, True), (20, False)):
        assert is_valid_card(_card("4", length)) is valid, length


def test_card_checks_need_ascii_digits_and_the_check_digit() -> None:
    number = _card("4")
    assert not is_valid_card(number[:-1] + str((int(number[-1]) + 1) % 10))
    fullwidth = "".join(chr(ord(c) - ord("0") + ord("０")) for c in number)
    assert fullwidth.isdigit()
    assert not is_valid_card(fullwidth)
    assert not is_valid_card(number[:8] + "/" + number[8:])
    assert not is_valid_card(number[:8] + "." + number[8:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Grouped as printed on a card 0.75; a plain run 0.6; a card word before it +0.2.
        ("4333 3333 3333 3339", [("4333 3333 3333 3339", 0.75, "card.luhn+iin")]),
        ("4333-3333-3333-3339", [("4333-3333-3333-3339", 0.75, "card.luhn+iin")]),
        ("4333333333333339", [("4333333333333339", 0.6, "card.luhn+iin")]),
        ("Card 4333 3333 3333 3339", [("4333 3333 3333 3339", 0.95, "card.luhn+iin+context")]),
        ("Kort: 4333333333333339", [("4333333333333339", 0.8, "card.luhn+iin+context")]),
        # A label of something else suppresses it; a wrong check digit is no card.
        ("Order 4333333333333339", []),
        ("4333 3333 3333 3333", []),
        ("7333 3333 3333 3332", []),
    ],
)
def test_card_scores(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert luhn.is_valid("4333333333333339") and luhn.is_valid("7333333333333332")
    found = detect_cards(Context(text))
    assert [(f.excerpt(text), f.confidence, f.rule) for f in found] == expected
    assert {f.type for f in found} <= {"CARD"}


def test_digits_after_an_iban_head_are_its_account_not_a_card() -> None:
    # DK50 6718 9458 0730 21 mistyped as DK91: its bank code and account, 6718 9458 0730 21,
    # pass the card checks (a 6-range prefix, 14 digits, Luhn), but the head says whose they are.
    account = "67189458073021"
    assert luhn.is_valid(account) and is_valid_card(account)
    assert stdnum_iban.is_valid("DK50" + account) and not stdnum_iban.is_valid("DK91" + account)
    for text in ("Refund to DK91 6718 9458 0730 21 please", "DK91 6718 9458 0730 21"):
        assert detect_cards(Context(text)) == [], text
        assert "CARD" not in [f.type for f in scan(text)]
    # A card after it, or after a suppressed number, is still a card.
    card = "5433 3333 3333 3335"
    assert luhn.is_valid(card.replace(" ", ""))
    for text in (
        f"Refund to DK91 6718 9458 0730 21, or charge {card}.",
        f"Order 4333333333333339 failed, so charge {card}.",
    ):
        assert [f.excerpt(text) for f in detect_cards(Context(text))] == [card], text


# The IBAN registry's examples (SWIFT, ISO 13616) for the Nordic countries and the UK.
REGISTRY = [
    "DK50 0040 0440 1162 43",
    "NO93 8601 1117 947",
    "SE45 5000 0000 0583 9825 7466",
    "FI21 1234 5600 0007 85",
    "GB29 NWBK 6016 1331 9268 19",
]


@pytest.mark.parametrize("number", REGISTRY)
def test_the_registry_examples_are_found_grouped_and_compact(number: str) -> None:
    assert stdnum_iban.is_valid(number)
    compact = number.replace(" ", "")
    for written in (number, compact):
        text = f"Refund to {written} please."
        found = detect_ibans(Context(text))
        assert [(f.type, f.excerpt(text), f.confidence, f.rule) for f in found] == [
            ("IBAN", written, 0.95, "iban.mod97")
        ]


def test_the_shortest_iban_is_fifteen_characters() -> None:
    # Norway's IBAN is the shortest in the registry: 15 characters.
    assert len("NO9386011117947") == 15
    assert [f.excerpt("NO9386011117947") for f in detect_ibans(Context("NO9386011117947"))] == [
        "NO9386011117947"
    ]


def test_an_iban_that_runs_into_the_next_word_is_cut_back_to_what_validates() -> None:
    text = "Konto DK50 0040 0440 1162 43 OK tak"
    assert [f.excerpt(text) for f in detect_ibans(Context(text))] == ["DK50 0040 0440 1162 43"]
    text = "Two accounts: DK50 0040 0440 1162 43 GB29 NWBK 6016 1331 9268 19"
    assert [f.excerpt(text) for f in detect_ibans(Context(text))] == [
        "DK50 0040 0440 1162 43",
        "GB29 NWBK 6016 1331 9268 19",
    ]


def test_an_iban_can_start_inside_an_unrelated_code() -> None:
    text = "Ref HL527166A GB29 NWBK 6016 1331 9268 19"
    assert [f.excerpt(text) for f in detect_ibans(Context(text))] == ["GB29 NWBK 6016 1331 9268 19"]


def test_an_iban_one_check_digit_off_or_glued_to_a_word_is_not_found() -> None:
    for text in (
        "DK51 0040 0440 1162 43",
        "XDK50 0040 0440 1162 43",
        "DK50 0040 0440 1162 43X",
        "dk50 0040 0440 1162 43",
    ):
        assert detect_ibans(Context(text)) == [], text
