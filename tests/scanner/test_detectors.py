"""Each registered scanner detector on its own: on a hand-written text it reports the spans a
reader marks by hand, only of the types it declares, and nothing on text without them."""

from __future__ import annotations

import pytest

from steward.scanner.contact import detect_emails, detect_phones
from steward.scanner.context import Context
from steward.scanner.detectors import installed
from steward.scanner.finance import detect_cards, detect_ibans
from steward.scanner.health import detect_health

# detector name -> (text, the substrings a reader marks with their types, in text order)
CASES = {
    "emails": ("Skriv til jens.hansen@example.com eller ring.",
               [("jens.hansen@example.com", "EMAIL")]),
    "phones": ("Ring mig på tlf. +45 20 12 34 56 efter kl. 16.", [("+45 20 12 34 56", "PHONE")]),
    "ibans": ("Refunder til IBAN DK50 0040 0440 1162 43, tak.",
              [("DK50 0040 0440 1162 43", "IBAN")]),
    "cards": ("Kortnummer 4111 1111 1111 1111 blev afvist.", [("4111 1111 1111 1111", "CARD")]),
    "health": ("Kunden oplyser at hun har diabetes og er sygemeldt til fredag.",
               [("diabetes", "HEALTH"), ("sygemeldt", "ABSENCE")]),
}
PLAIN = "Tak for din henvendelse om ordren; vi vender tilbage i morgen."


@pytest.mark.parametrize("name", sorted(CASES))
def test_detector_finds_what_a_reader_marks(name: str) -> None:
    detector = dict(installed())[name]
    text, marked = CASES[name]
    found = sorted((f.start, f.end, f.type) for f in detector.detect(Context(text))
                   if f.confidence >= 0.5)
    assert found == [(text.index(m), text.index(m) + len(m), kind) for m, kind in marked]
    assert {f.type for f in detector.detect(Context(text))} <= detector.types


@pytest.mark.parametrize("name", sorted(CASES))
def test_detector_is_quiet_on_plain_text(name: str) -> None:
    assert dict(installed())[name].detect(Context(PLAIN)) == []


def test_registry_wraps_the_module_functions() -> None:
    got = dict(installed())
    assert got["emails"].detect is detect_emails and got["phones"].detect is detect_phones
    assert got["ibans"].detect is detect_ibans and got["cards"].detect is detect_cards
    assert got["health"].detect is detect_health
    assert got["ibans"].types == frozenset({"IBAN"}) and got["cards"].types == frozenset({"CARD"})
