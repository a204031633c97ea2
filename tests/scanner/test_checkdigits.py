"""Hard negatives one check digit off, for every national id, card and IBAN; Swedish
samordningsnummer that also read as CPR dates."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError

from steward.scanner import NATIONAL_ID_TYPES, fakes, scan

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _next_digit(char: str) -> str:
    return str((int(char) + 1) % 10)


def _last_off(value: str) -> str:
    return value[:-1] + _next_digit(value[-1])


def _hetu_off(value: str) -> str:
    return value[:-1] + _HETU_CHECK[(_HETU_CHECK.index(value[-1]) + 1) % 31]


def _fnr_first_check_off(value: str) -> str:  # the first of the two check digits (k1)
    return value[:9] + _next_digit(value[9]) + value[10]


def _iban_check_off(value: str) -> str:  # the IBAN's own check digits are characters 3-4
    return value[:3] + _next_digit(value[3]) + value[4:]


# (type, sentence naming the value, generator, how to put one check digit off)
CASES: list[tuple[str, str, Callable[[random.Random], str], Callable[[str], str]]] = [
    ("NO_FNR", "Fødselsnummeret mitt er {}.", fakes.fake_fnr, _last_off),
    ("NO_FNR", "Fødselsnummeret mitt er {}.", fakes.fake_fnr, _fnr_first_check_off),
    ("NO_DNR", "D-nummeret mitt er {}.", lambda r: fakes.fake_fnr(r, dnumber=True), _last_off),
    ("SE_PNR", "Mitt personnummer är {}.", fakes.fake_pnr, _last_off),
    ("SE_PNR", "Mitt personnummer är {}.",
     lambda r: fakes.fake_pnr(r, layout="YYYYMMDD-NNNC"), _last_off),
    ("SE_SAMORD", "Mitt samordningsnummer är {}.",
     lambda r: fakes.fake_pnr(r, samord=True), _last_off),
    ("FI_HETU", "Henkilötunnukseni on {}.", fakes.fake_hetu, _hetu_off),
    ("CARD", "Please charge my card {} today.", fakes.fake_card, _last_off),
    ("IBAN", "Refund to IBAN {} please.", lambda r: fakes.fake_iban(r, "DK"), _iban_check_off),
    ("IBAN", "Refund to IBAN {} please.", lambda r: fakes.fake_iban(r, "GB"), _iban_check_off),
    ("IBAN", "Refund to IBAN {} please.", lambda r: fakes.fake_iban(r, "NO"), _last_off),
]


@pytest.mark.parametrize(("kind", "sentence", "make", "off"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_one_check_digit_off_is_not_reported(
    kind: str, sentence: str, make: Callable[[random.Random], str], off: Callable[[str], str]
) -> None:
    rng = random.Random(f"{kind}{sentence}")
    for _ in range(40):
        value = make(rng)
        wrong = off(value)
        assert wrong != value
        good_text, bad_text = sentence.format(value), sentence.format(wrong)
        assert (kind, value) in [(f.type, f.excerpt(good_text)) for f in scan(good_text)]
        bad = scan(bad_text)
        where = bad_text.index(wrong)
        # Neither the type nor any other identity, card or IBAN finding on the digits.
        assert not [f for f in bad if f.start < where + len(wrong) and where < f.end
                    and (f.type in NATIONAL_ID_TYPES or f.type in ("CARD", "IBAN"))], (
            bad_text, bad)


def test_check_digit_rules_are_the_standard_ones() -> None:
    # The negatives above fail the published checks, not just ours.
    rng = random.Random(3)
    card = fakes.fake_card(rng, grouped=False)
    assert luhn.is_valid(card) and not luhn.is_valid(_last_off(card))
    account = fakes.fake_iban(rng, "DK", grouped=False)
    assert stdnum_iban.is_valid(account) and not stdnum_iban.is_valid(_iban_check_off(account))


def test_cpr_has_no_binding_check_digit_so_its_negatives_are_impossible_dates() -> None:
    # cpr.dk: numbers without the modulus-11 check are issued since 2007, so a CPR one digit
    # off is still a possible CPR. Its hard negatives are dates that cannot be.
    for number in ("320185-1234", "151385-1234", "300289-1234", "010150-5000"):
        assert [f for f in scan(f"Mit CPR-nummer er {number}.") if f.type == "DK_CPR"] == []
    assert [f.type for f in scan("Mit CPR-nummer er 010110-4003.")] == ["DK_CPR"]


def test_nino_with_an_impossible_suffix_or_prefix_is_not_reported() -> None:
    for nino in ("AB 12 34 56 E", "QQ 12 34 56 C", "AO 12 34 56 A"):
        assert scan(f"My National Insurance number is {nino}.") == []


# --- Samordningsnummer that also read as CPR dates ---
# Skatteverket adds 60 to the day of birth; read as DDMMYY, the first six digits of one born in
# 2003-2031 are a CPR date as well: 030572 is 12 May 2003 (day 72) and 3 May 1972.
SAMORD = ["030572-3314", "110984-9701", "070263-1540", "191190-4041", "240661-6660",
          "280175-0494",
          # These also pass the CPR's old modulus-11 check: only the samordningsnummer rule
          # keeps them Swedish.
          "030166-4850", "240372-9631", "040566-1810", "120868-3183"]


@pytest.mark.parametrize("number", SAMORD)
def test_samordningsnummer_is_not_taken_for_a_cpr(number: str) -> None:
    digits = number.replace("-", "")
    assert luhn.is_valid(digits)
    assert stdnum_cpr.get_birth_date(digits)  # python-stdnum: a valid CPR date too
    with pytest.raises(ValidationError):  # but as a CPR day, 61-91 is impossible
        stdnum_cpr.get_birth_date(digits[4:6] + digits[2:4] + digits[0:2] + digits[6:])
    for text in (f"Hi, my personal number is {number}.", f"Hej, mitt nummer är {number}.",
                 f"{number}", f"Min kollega i Stockholm har {number}, kan ni hjälpa?",
                 f"Jag har samordningsnummer {number}."):
        kinds = [f.type for f in scan(text) if f.type in NATIONAL_ID_TYPES]
        assert kinds == ["SE_SAMORD"], (text, kinds)


def test_a_cpr_label_or_danish_text_still_reads_it_as_cpr() -> None:
    number = SAMORD[0]
    assert [f.type for f in scan(f"Mit CPR-nummer er {number}.")] == ["DK_CPR"]
    assert [f.type for f in scan(f"Jeg har ikke fået svar, og mit nummer er {number}."
                                 )] == ["DK_CPR"]
