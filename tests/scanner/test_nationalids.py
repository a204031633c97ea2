"""Each identity-number rule against valid and invalid examples, including the examples the
authorities and python-stdnum publish for their formats."""

from __future__ import annotations

import datetime
import random

import pytest

from steward.scanner import fakes, scan
from steward.scanner.nationalids import (
    cpr_mod11_ok,
    is_valid_cpr,
    is_valid_hetu,
    is_valid_nino,
    no_kind,
    se_birth_date,
    se_kind,
)


def _types(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.excerpt(text)) for f in scan(text)]


# --- Denmark: CPR (cpr.dk: DDMMYY-SSSS, century from the 7th digit) ---

@pytest.mark.parametrize("number", ["211062-5629", "2110625629", "010160-5000"])
def test_cpr_valid(number: str) -> None:
    assert is_valid_cpr(number)


@pytest.mark.parametrize("number", [
    "511062-5629",   # day 51
    "211362-5629",   # month 13
    "300289-1234",   # 30 February
    "010150-5000",   # 7th digit 5 with year 50 means 2050: not born yet
    "010130-4000",   # 7th digit 4 with year 30 means 2030
    "21106-25629",   # wrong layout
    "211062562",     # too short
])
def test_cpr_invalid(number: str) -> None:
    assert not is_valid_cpr(number)


def test_cpr_century_from_seventh_digit() -> None:
    from steward.scanner.nationalids import cpr_birth_date

    assert cpr_birth_date("0101600000") == datetime.date(1960, 1, 1)   # 0-3: 1900s
    assert cpr_birth_date("0101104000") == datetime.date(2010, 1, 1)   # 4, year <= 36: 2000s
    assert cpr_birth_date("0101604000") == datetime.date(1960, 1, 1)   # 4, year >= 37: 1900s
    assert cpr_birth_date("0101605000") == datetime.date(1860, 1, 1)   # 5-8, year >= 58: 1800s


def test_cpr_without_mod11_is_still_found() -> None:
    # Numbers issued since 2007 need not pass the modulus-11 check: it is only a hint.
    number = "010110-4002"
    assert not cpr_mod11_ok(number.replace("-", ""))
    assert is_valid_cpr(number)
    assert _types(f"Mit CPR-nummer er {number}.") == [("DK_CPR", number)]


def test_cpr_mod11_raises_confidence() -> None:
    with_check = scan("Kunden 211062-5629 ringede.")
    without = scan("Kunden 211062-5628 ringede.")
    assert with_check[0].confidence > without[0].confidence
    assert "mod11" in with_check[0].rule and "mod11" not in without[0].rule


# --- Norway: fødselsnummer and D-number (two modulus-11 check digits) ---

def _no_check_digits(head: str) -> str:
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    k1 = (11 - sum(a * int(b) for a, b in zip(w1, head, strict=True))) % 11
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k2 = (11 - sum(a * int(b) for a, b in zip(w2, head + str(k1), strict=True))) % 11
    return f"{k1}{k2}"


def test_fnr_examples() -> None:
    assert no_kind("15108695088") == "NO_FNR"      # python-stdnum's documented example
    assert no_kind("151086 95088") == "NO_FNR"
    assert no_kind("15108695077") is None          # both check digits wrong
    assert no_kind("15108695087") is None          # second check digit wrong
    assert no_kind("32108695088") is None          # day 32


def test_dnumber_adds_40_to_the_day() -> None:
    head = "551086950"                                 # 15 October 1986 as a D-number
    number = head + _no_check_digits(head)
    if "10" in number[9:]:
        pytest.skip("check digit 10 is never issued")
    assert no_kind(number) == "NO_DNR"
    assert _types(f"Jeg har D-nummer {number}.") == [("NO_DNR", number)]


def test_fnr_found_in_norwegian_text() -> None:
    assert _types("Fødselsnummeret mitt er 151086 95088.") == [("NO_FNR", "151086 95088")]


# --- Sweden: personnummer and samordningsnummer (Skatteverket: YYMMDD-NNNC, Luhn) ---

@pytest.mark.parametrize("number,kind", [
    ("811218-9876", "SE_PNR"),       # the format example YYMMDD-NNNC
    ("8112189876", "SE_PNR"),
    ("19811218-9876", "SE_PNR"),     # YYYYMMDD-NNNC
    ("198112189876", "SE_PNR"),
    ("121212+1212", "SE_PNR"),       # "+" : a hundred years or older
    ("701063-2391", "SE_SAMORD"),    # samordningsnummer: day of birth + 60
    ("19701063-2391", "SE_SAMORD"),
])
def test_swedish_valid(number: str, kind: str) -> None:
    assert se_kind(number) == kind


def test_swedish_plus_separator_moves_a_century() -> None:
    assert se_birth_date("121212+1212") == datetime.date(1912, 12, 12)
    assert se_birth_date("121212-1212") == datetime.date(2012, 12, 12)


@pytest.mark.parametrize("number", [
    "811218-9875",    # Luhn fails
    "811318-9876",    # month 13
    "701093-2391",    # day 93 - 60 = 33
    "811218/9876",    # not a separator
    "81121898",       # too short
])
def test_swedish_invalid(number: str) -> None:
    assert se_kind(number) is None


def test_python_stdnum_rejects_samordningsnummer_but_we_do_not() -> None:
    from stdnum.se import personnummer

    assert not personnummer.is_valid("701063-2391")
    assert _types("Jag har samordningsnummer 701063-2391.") == [("SE_SAMORD", "701063-2391")]


# --- Finland: HETU (DVV: DDMMYYCZZZQ, check character mod 31) ---

@pytest.mark.parametrize("code", ["131052-308T", "010594Y9032", "010594Y9021"])
def test_hetu_valid(code: str) -> None:
    assert is_valid_hetu(code)


@pytest.mark.parametrize("code", ["131052-308U", "311352-308T", "131052G308T", "131052-000T"])
def test_hetu_invalid(code: str) -> None:
    assert not is_valid_hetu(code)


def test_hetu_found() -> None:
    assert _types("Henkilötunnus 131052-308T.") == [("FI_HETU", "131052-308T")]


# --- UK: National Insurance number (HMRC NIM39110 prefix rules) ---

@pytest.mark.parametrize("nino", ["AB 12 34 56 C", "AB123456C", "JG103759A", "ZY 98 76 54 D"])
def test_nino_valid(nino: str) -> None:
    assert is_valid_nino(nino)


@pytest.mark.parametrize("nino", [
    "QQ 12 34 56 C",   # HMRC's own format example: Q is never a prefix letter
    "DA123456A",       # D never first
    "AO123456A",       # O never second
    "BG123456A", "GB123456A", "NK123456A", "KN123456A", "TN123456A", "NT123456A", "ZZ123456A",
    "AB123456E",       # suffix only A-D
    "AB12345C",        # too short
])
def test_nino_invalid(nino: str) -> None:
    assert not is_valid_nino(nino)


def test_nino_found_with_context() -> None:
    found = scan("My National Insurance number is AB 12 34 56 C.")
    assert [(f.type, f.confidence >= 0.9) for f in found] == [("UK_NINO", True)]


# --- Generated values pass the same rules (the corpus relies on it) ---

def test_generated_numbers_are_valid() -> None:
    rng = random.Random(11)
    for _ in range(300):
        assert is_valid_cpr(fakes.fake_cpr(rng))
        assert no_kind(fakes.fake_fnr(rng)) == "NO_FNR"
        assert no_kind(fakes.fake_fnr(rng, dnumber=True)) == "NO_DNR"
        assert se_kind(fakes.fake_pnr(rng)) == "SE_PNR"
        assert se_kind(fakes.fake_pnr(rng, samord=True, layout="YYYYMMDDNNNC")) == "SE_SAMORD"
        assert is_valid_hetu(fakes.fake_hetu(rng))
        assert is_valid_nino(fakes.fake_nino(rng))
