"""Phone numbers a person would recognise: validity in the numbering plan raises confidence
but does not decide; numbers of the right shape are found after a phone word; Ofcom's drama
and fiction ranges are UK numbers."""

from __future__ import annotations

import pytest

from steward.scanner import scan
from steward.scanner.contact import parse_phone, read_phone


def _phones(text: str) -> list[str]:
    return [f.excerpt(text) for f in scan(text) if f.type == "PHONE"]


# Ofcom, "Telephone numbers for use in TV and radio drama": reserved, never allocated.
OFCOM = ["07700 900461", "07700 900 877", "+44 7700 900123", "020 7946 0958", "0113 496 0822",
         "0161 496 0753", "0117 496 0123", "0131 496 0357", "028 9649 6123", "029 2018 0123",
         "01632 960001", "0118 496 0000"]


@pytest.mark.parametrize("number", OFCOM)
def test_ofcom_fiction_ranges_are_found_without_context(number: str) -> None:
    assert read_phone(number) == ("GB", True)
    assert _phones(f"Best to reach Harriet on {number} after lunch.") == [number]
    assert _phones(f"Harriet, {number}") == [number]


@pytest.mark.parametrize(("text", "number"), [
    ("Tlf. 12 34 56 78 (privat).", "12 34 56 78"),           # DK: no 1x numbers in the plan
    ("Ring meg på 123 45 678 etter klokka fire.", "123 45 678"),  # NO: 1x is not allocated
    ("Du kan ringe på tlf. 11 22 33 44 efter kl. 16.", "11 22 33 44"),
    ("Min gamle telefon 13 57 91 35 virker ikke.", "13 57 91 35"),
    ("Mobil: +45 12 34 56 78", "+45 12 34 56 78"),           # international: shape is enough
])
def test_outside_the_plan_but_shaped_like_a_number_with_a_phone_word(
    text: str, number: str
) -> None:
    region, valid = read_phone(number)
    assert region in ("DK", "NO") and not valid
    assert parse_phone(number) is None  # the plan alone would drop it
    assert _phones(text) == [number]


@pytest.mark.parametrize("text", [
    "Vi har 12 34 56 78 brugere i alt.",         # no phone word: digits only
    "Ordre 12345678 er ikke leveret.",
    "Laskun numero 2024-5521, summa 1 200,00 euroa.",  # a year-numbered invoice
    "Fakturanummer 2024-00871, beløb 4.500,00 kr.",
    "Room 0131, floor 4.",
    "The delivery window was 08:00-12:00.",
])
def test_digits_that_are_not_phone_numbers(text: str) -> None:
    assert _phones(text) == []


def test_validity_raises_confidence_but_does_not_decide() -> None:
    valid = [f for f in scan("Tlf. 20 30 40 50") if f.type == "PHONE"]
    shaped = [f for f in scan("Tlf. 12 34 56 78") if f.type == "PHONE"]
    assert valid and shaped
    assert valid[0].confidence > shaped[0].confidence
    assert "+shape" in shaped[0].rule and "+shape" not in valid[0].rule
    # Without a phone word, only the valid one is reported.
    assert _phones("Her er det: 20 30 40 50") == ["20 30 40 50"]
    assert _phones("Her er det: 12 34 56 78") == []
