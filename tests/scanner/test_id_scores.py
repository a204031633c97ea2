"""What each identity-number rule reports, with what confidence and under which rule name, in
each context that moves it: the layout, a label word before the number, the document's
language, a country named nearby, a label of something else.

The expected confidences are written out by hand from the scoring the scanner documents (a
base for the layout, +0.15 for a CPR's old modulus-11 check, +0.35 for an identity label,
+0.1 for the country's language, +0.2 for its name nearby, never above 0.99); the numbers are
generated valid, or deliberately invalid, and belong to no one. Which are valid comes from
python-stdnum, checked in each test, not from the scanner."""

from __future__ import annotations

import datetime

import pytest
from stdnum import luhn
from stdnum.dk import cpr as stdnum_cpr
from stdnum.fi import hetu as stdnum_hetu
from stdnum.no import fodselsnummer as stdnum_fnr

from steward.scanner import scan
from steward.scanner.context import Context
from steward.scanner.nationalids import (
    detect_national_ids,
    is_valid_cpr,
    is_valid_hetu,
    is_valid_nino,
    no_kind,
    se_birth_date,
    se_kind,
)


def _found(text: str) -> list[tuple[str, str, float, str]]:
    """Every identity finding of the detector itself (before the engine's threshold)."""
    return [
        (f.type, f.excerpt(text), f.confidence, f.rule) for f in detect_national_ids(Context(text))
    ]


# 211062-5629 passes the CPR's modulus-11 check, 211062-5628 does not; neither passes the
# Luhn check of a Swedish number nor the HETU check, so only the CPR reading is in play.
CPR_MOD11, CPR_PLAIN = "211062-5629", "211062-5628"


def test_the_cpr_examples_are_what_the_tables_assume() -> None:
    for number, mod11 in ((CPR_MOD11, True), (CPR_PLAIN, False)):
        digits = number.replace("-", "")
        # 7th digit 5 with year 62: the 1800s (cpr.dk)
        assert stdnum_cpr.get_birth_date(digits) == datetime.date(1862, 10, 21)
        assert (stdnum_cpr.checksum(digits) == 0) is mod11
        assert not luhn.is_valid(digits)
        assert not stdnum_hetu.is_valid(number, allow_temporary=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The layout: with a separator 0.5, a bare run of ten digits 0.4; the check adds 0.15.
        (CPR_MOD11, [("DK_CPR", CPR_MOD11, 0.65, "dk_cpr.date+mod11")]),
        (CPR_PLAIN, [("DK_CPR", CPR_PLAIN, 0.5, "dk_cpr.date")]),
        ("2110625629", [("DK_CPR", "2110625629", 0.55, "dk_cpr.date+mod11")]),
        ("2110625628", [("DK_CPR", "2110625628", 0.4, "dk_cpr.date")]),
        ("211062 5628", [("DK_CPR", "211062 5628", 0.5, "dk_cpr.date")]),
        # A CPR label or a general identity label: +0.35 and "+context".
        (f"CPR: {CPR_PLAIN}", [("DK_CPR", CPR_PLAIN, 0.85, "dk_cpr.date+context")]),
        (f"Personnummer {CPR_PLAIN}", [("DK_CPR", CPR_PLAIN, 0.85, "dk_cpr.date+context")]),
        (f"{CPR_PLAIN} (CPR)", [("DK_CPR", CPR_PLAIN, 0.85, "dk_cpr.date+context")]),
        # Danish text +0.1; "Danmark" nearby +0.2.
        (
            f"Hej, jeg har ikke fået svar. Kunden har {CPR_PLAIN}.",
            [("DK_CPR", CPR_PLAIN, 0.6, "dk_cpr.date")],
        ),
        (f"Kunden bor i Danmark, {CPR_PLAIN}", [("DK_CPR", CPR_PLAIN, 0.7, "dk_cpr.date")]),
        # A phone word does not suppress a number written with a dash, only a run of digits.
        (f"tlf {CPR_MOD11}", [("DK_CPR", CPR_MOD11, 0.65, "dk_cpr.date+mod11")]),
        ("tlf 2110625629", []),
        ("tlf 211062 5629", []),
        # Labels of other things suppress any layout.
        (f"Ordre {CPR_MOD11}", []),
        ("Ordre 2110625629", []),
        # "+" is the Swedish separator of the over-hundreds, never a CPR's.
        ("211062+5629", []),
        # Labelled as another country's identity, a number failing that country's checks is a
        # mistyped number of that country, not a CPR.
        (f"Samordningsnummer {CPR_MOD11}", []),
        (f"Henkilötunnus {CPR_MOD11}", []),
        (f"D-nummer {CPR_MOD11}", []),
    ],
)
def test_cpr_scores(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert _found(text) == expected


def _luhn_ok(digits: str) -> bool:
    """The Luhn check written out (ISO/IEC 7812-1 Annex B), independent of the scanner."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_a_cpr_born_today_is_found_and_one_born_tomorrow_is_not() -> None:
    # cpr.dk: century from the 7th digit; 4 with a year 00-36 means the 2000s.
    today = datetime.date.today()
    for born, found in ((today, True), (today + datetime.timedelta(days=1), False)):
        # A serial number whose ten digits fail the Luhn check, so that the same digits are
        # never also a valid Swedish personnummer (on some days "-4000" is one).
        number = next(
            n for n in (f"{born:%d%m%y}-40{i:02d}" for i in range(10))
            if not _luhn_ok(n.replace("-", ""))
        )
        assert stdnum_cpr.get_birth_date(number.replace("-", "")) == born
        assert is_valid_cpr(number) is found
        # (Its digits may read as a Swedish or Finnish number too, depending on the day.)
        cprs = [f[:2] for f in _found(f"CPR: {number}") if f[0] == "DK_CPR"]
        assert cprs == ([("DK_CPR", number)] if found else [])


def test_is_valid_cpr_takes_the_day_to_compare_with() -> None:
    number = "010110-4002"  # 1 January 2010
    assert is_valid_cpr(number, today=datetime.date(2010, 1, 1))
    assert not is_valid_cpr(number, today=datetime.date(2009, 12, 31))
    assert is_valid_cpr("010110 4002")
    assert is_valid_cpr("0101104002")
    # Only "-" or " " separates; only ASCII digits count, in the serial number too (python-
    # stdnum reads the date from the first seven characters alone).
    for wrong in (
        "010110/4002",
        "010110X4002",
        "010110--4002",
        "01011040021",
        "01O1104002",
        "0101104X02",
        "٠١٠١١٠٤٠٠٢",
        "010110",
        "01011",
        "",
    ):
        assert not is_valid_cpr(wrong), wrong


# --- Sweden: Skatteverket's YYMMDD-NNNC, YYMMDD+NNNC (aged 100 or more), YYYYMMDDNNNC ---

PNR, SAMORD = "811218-9876", "701063-2391"  # 18 Dec 1981; coordination number of 3 Oct 1970


def test_the_swedish_examples_are_what_the_tables_assume() -> None:
    for number in (PNR, SAMORD, "121212+1212"):
        assert luhn.is_valid(number.replace("-", "").replace("+", ""))
    # Day 81 and day 70 cannot be a CPR's day.
    for number in (PNR, SAMORD):
        with pytest.raises(Exception):  # noqa: B017, PT011 - stdnum's ValidationError
            stdnum_cpr.get_birth_date(number.replace("-", ""))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The layout: with "-" 0.55, a bare run 0.45, "+" 0.65.
        (PNR, [("SE_PNR", PNR, 0.55, "se_pnr.date+luhn")]),
        ("8112189876", [("SE_PNR", "8112189876", 0.45, "se_pnr.date+luhn")]),
        ("121212+1212", [("SE_PNR", "121212+1212", 0.65, "se_pnr.date+luhn")]),
        (SAMORD, [("SE_SAMORD", SAMORD, 0.55, "se_samord.date+luhn")]),
        ("811218 9876", [("SE_PNR", "811218 9876", 0.55, "se_pnr.date+luhn")]),
        # Its own label, or an identity label: +0.35 and "+context".
        (f"Svenskt personnummer {PNR}", [("SE_PNR", PNR, 0.9, "se_pnr.date+luhn+context")]),
        (f"Personnummer {PNR}", [("SE_PNR", PNR, 0.9, "se_pnr.date+luhn+context")]),
        (
            f"Samordningsnummer {SAMORD}",
            [("SE_SAMORD", SAMORD, 0.9, "se_samord.date+luhn+context")],
        ),
        # A personnummer label covers a samordningsnummer, not the other way round.
        (
            f"Svenskt personnummer {SAMORD}",
            [("SE_SAMORD", SAMORD, 0.9, "se_samord.date+luhn+context")],
        ),
        (f"Samordningsnummer {PNR}", [("SE_PNR", PNR, 0.55, "se_pnr.date+luhn")]),
        # Swedish text +0.1; "Sverige" nearby +0.2.
        (
            f"Hej, jag har inte fått svar. Numret är {PNR}.",
            [("SE_PNR", PNR, 0.65, "se_pnr.date+luhn")],
        ),
        (f"Sverige: {PNR}", [("SE_PNR", PNR, 0.75, "se_pnr.date+luhn")]),
        (f"Ordre {PNR}", []),
        ("tlf 8112189876", []),
    ],
)
def test_swedish_scores(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert _found(text) == expected


def test_a_number_both_a_cpr_and_a_personnummer_goes_to_the_better_reading() -> None:
    # 121212-1212: 12 December 1912 as a CPR (7th digit 1: the 1900s), 12 December 2012 as a
    # personnummer, Luhn-valid, without the CPR's modulus-11 check.
    number = "121212-1212"
    assert stdnum_cpr.get_birth_date("1212121212") == datetime.date(1912, 12, 12)
    assert stdnum_cpr.checksum("1212121212") != 0
    assert _found(number) == [("SE_PNR", number, 0.55, "se_pnr.date+luhn")]  # 0.55 > 0.5
    assert _found(f"Hej, jeg har ikke fået svar. Kunden har {number}.") == [
        ("DK_CPR", number, 0.6, "dk_cpr.date")
    ]  # 0.6 > 0.55
    assert _found(f"CPR: {number}") == [("DK_CPR", number, 0.85, "dk_cpr.date+context")]
    # A samordningsnummer after a CPR label stays a CPR too, in any language.
    assert _found("CPR: 030572-3314") == [("DK_CPR", "030572-3314", 0.85, "dk_cpr.date+context")]
    assert _found(f"Sverige: {number}") == [("SE_PNR", number, 0.75, "se_pnr.date+luhn")]


def test_on_equal_confidence_the_documents_language_decides() -> None:
    # 121212-0339: a CPR of 12 December 1912 with the modulus-11 check, and a Luhn-valid
    # personnummer of 12 December 2012. In Danish text that names Sweden, both readings score
    # 0.75 (CPR 0.5 + 0.15 check + 0.1 Danish; personnummer 0.55 + 0.2 Sweden named).
    number = "121212-0339"
    digits = number.replace("-", "")
    assert stdnum_cpr.checksum(digits) == 0 and luhn.is_valid(digits)
    text = f"Hej, jeg har ikke fået svar. Min kollega i Sverige har {number}."
    assert _found(text) == [("DK_CPR", number, 0.75, "dk_cpr.date+mod11")]
    assert _found(f"Min kollega i Sverige har {number}.") == [
        ("SE_PNR", number, 0.75, "se_pnr.date+luhn")
    ]


def test_a_centenarians_plus_is_read_as_a_century_earlier() -> None:
    # Folkbokföringslagen § 18: from the year one turns 100, "+" replaces "-". 31 December of
    # this year, a hundred years ago: with "-" it would be a birthday still to come.
    year = datetime.date.today().year
    head = f"{year % 100:02d}1231123"
    number = head[:6] + "+" + head[6:] + luhn.calc_check_digit(head)
    assert se_birth_date(number) == datetime.date(year - 100, 12, 31)
    # (In some years the same characters are a valid HETU of the 1800s too: "+" is its sign.)
    swedish = [f for f in _found(number) if f[0] != "FI_HETU"]
    assert swedish == [("SE_PNR", number, 0.65, "se_pnr.date+luhn")]


def test_a_samordningsnummer_near_the_word_danmark_stays_a_cpr() -> None:
    # 030166-4850: as YYMMDD the coordination number of 6 January 2003 (day 66 - 60); as
    # DDMMYY, 3 January 1966, and it passes the CPR's modulus-11 check too.
    number = "030166-4850"
    assert stdnum_cpr.checksum(number.replace("-", "")) == 0
    assert _found(number) == [("SE_SAMORD", number, 0.55, "se_samord.date+luhn")]
    assert _found(f"Min kollega i Danmark har {number}") == [
        ("DK_CPR", number, 0.85, "dk_cpr.date+mod11")
    ]


def _pnr12(date: str, serial: str = "123") -> str:
    """A Luhn-valid YYYYMMDDNNNC (the check digit over the last nine digits, Skatteverket)."""
    return date + serial + luhn.calc_check_digit(date[2:] + serial)


def test_twelve_digit_scores() -> None:
    assert _found("19811218-9876") == [("SE_PNR", "19811218-9876", 0.6, "se_pnr.12digit+luhn")]
    assert _found("198112189876") == [("SE_PNR", "198112189876", 0.5, "se_pnr.12digit+luhn")]
    assert _found("Personnummer 19811218-9876") == [
        ("SE_PNR", "19811218-9876", 0.95, "se_pnr.12digit+luhn")
    ]
    assert _found("Personnummer 198112189876") == [
        ("SE_PNR", "198112189876", 0.85, "se_pnr.12digit+luhn")
    ]
    assert _found("19701063-2391") == [
        ("SE_SAMORD", "19701063-2391", 0.6, "se_samord.12digit+luhn")
    ]
    assert _found("Svenskt personnummer 19701063-2391") == [
        ("SE_SAMORD", "19701063-2391", 0.95, "se_samord.12digit+luhn")
    ]
    assert _found("Hej, jag har inte fått svar. Numret är 19811218-9876.") == [
        ("SE_PNR", "19811218-9876", 0.7, "se_pnr.12digit+luhn")
    ]
    assert _found("Samordningsnummer 19701063-2391") == [
        ("SE_SAMORD", "19701063-2391", 0.95, "se_samord.12digit+luhn")
    ]
    assert _found("Ordre 19811218-9876") == []
    # The same twelve digits with the separator anywhere but after the date are no layout
    # Skatteverket writes.
    assert se_kind("198112189876") == "SE_PNR"
    assert _found("1981121-89876") == []
    assert _found("198112-189876") == []
    assert _found("tlf 198112189876") == []
    # Born in the 1800s: still a personnummer, and the 12-digit form says so.
    old = _pnr12("18950101")
    assert _found(old) == [("SE_PNR", old, 0.5, "se_pnr.12digit+luhn")]
    assert se_birth_date(old) == datetime.date(1895, 1, 1)


def test_a_recent_twelve_digit_date_reads_as_a_timestamp_unless_labelled() -> None:
    # Born 14 years ago or less, YYYYMMDD-NNNN is more often a log line's YYYYMMDD-HHMM.
    year = datetime.date.today().year
    young, older = _pnr12(f"{year - 14}0101"), _pnr12(f"{year - 15}0101")
    assert _found(young) == [("SE_PNR", young, 0.25, "se_pnr.12digit+luhn")]
    dashed = young[:8] + "-" + young[8:]
    assert _found(dashed) == [("SE_PNR", dashed, 0.35, "se_pnr.12digit+luhn")]
    assert _found(older) == [("SE_PNR", older, 0.5, "se_pnr.12digit+luhn")]
    assert _found(f"Personnummer {young}") == [("SE_PNR", young, 0.85, "se_pnr.12digit+luhn")]
    assert scan(young) == []


def test_swedish_birth_date_limits() -> None:
    # Skatteverket's registers start in the 19th century; nobody is born in the future.
    assert se_birth_date(_pnr12("18700101")) == datetime.date(1870, 1, 1)
    assert se_birth_date(_pnr12("18691231")) is None
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    assert se_birth_date(_pnr12(f"{today:%Y%m%d}")) == today
    assert se_birth_date(_pnr12(f"{tomorrow:%Y%m%d}")) is None
    # Samordningsnummer: day of birth + 60, so day 61 is the 1st and day 60 is no day.
    assert se_birth_date(_pnr12("19700161")) == datetime.date(1970, 1, 1)
    assert se_kind(_pnr12("19700161")) == "SE_SAMORD"
    assert se_kind(_pnr12("19700131")) == "SE_PNR"
    assert se_birth_date(_pnr12("19700160")) is None
    assert se_birth_date(_pnr12("19700100")) is None
    # Every layout of the same person, and layouts that are none of them.
    ten = _pnr12("19811218")[2:]
    for layout in (
        ten,
        ten[:6] + "-" + ten[6:],
        "19" + ten,
        "19" + ten[:6] + "-" + ten[6:],
        ten[:6] + " " + ten[6:],
        "19" + ten[:6] + " " + ten[6:],
    ):
        assert se_birth_date(layout) == datetime.date(1981, 12, 18), layout
    for wrong in (
        ten[:6] + "/" + ten[6:],
        ten[:6] + "X" + ten[6:],
        "19" + ten[:6] + "X" + ten[6:],
        ten + "0",
        ten[1:],
        "1" + ten,
        "١" + ten[1:],
        ten[:5] + "-" + ten[5:],
    ):
        assert se_birth_date(wrong) is None, wrong


# --- Norway: Skatteetaten's fødselsnummer and D-number (day + 40), two mod-11 checks ---

FNR, DNR = "15108695088", "41018610017"  # python-stdnum's example; a D-number of 1 Jan 1986


def test_the_norwegian_examples_are_what_the_tables_assume() -> None:
    assert stdnum_fnr.is_valid(FNR) and stdnum_fnr.is_valid(DNR)
    assert stdnum_fnr.get_birth_date(DNR) == datetime.date(1986, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FNR, [("NO_FNR", FNR, 0.7, "no_fnr.date+mod11x2")]),
        ("151086 95088", [("NO_FNR", "151086 95088", 0.7, "no_fnr.date+mod11x2")]),
        (DNR, [("NO_DNR", DNR, 0.7, "no_dnr.date+mod11x2")]),
        (f"D-nummer {DNR}", [("NO_DNR", DNR, 0.99, "no_dnr.date+mod11x2+context")]),
        (f"Personnummer {FNR}", [("NO_FNR", FNR, 0.99, "no_fnr.date+mod11x2+context")]),
        (f"Fødselsnummer {FNR}", [("NO_FNR", FNR, 0.99, "no_fnr.date+mod11x2+context")]),
        (
            f"Hei, jeg har ikke fått svar. Nummeret er {FNR}.",
            [("NO_FNR", FNR, 0.8, "no_fnr.date+mod11x2")],
        ),
        # An 11-digit run after a phone word or another label is not an identity.
        (f"tlf {FNR}", []),
        ("tlf 151086 95088", []),
        (f"Ordre {FNR}", []),
        ("151086+95088", []),
    ],
)
def test_norwegian_scores(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert _found(text) == expected


def test_the_d_number_starts_at_day_41() -> None:
    assert no_kind(DNR) == "NO_DNR"
    assert no_kind("151086-95088") == "NO_FNR"
    assert no_kind("1510869508") is None


# --- Finland: DVV's DDMMYYCZZZQ ---

HETU_LETTER, HETU_DIGIT = "131052-308T", "131052-5011"  # DVV's example; a check digit "1"


def test_the_finnish_examples_are_what_the_tables_assume() -> None:
    assert stdnum_hetu.is_valid(HETU_LETTER) and stdnum_hetu.is_valid(HETU_DIGIT)
    # As a CPR, 131052-5011 would be born in 2052 (7th digit 5, year 52): no CPR reading.
    assert stdnum_cpr.get_birth_date("1310525011") == datetime.date(2052, 10, 13)
    assert not luhn.is_valid("1310525011")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HETU_LETTER, [("FI_HETU", HETU_LETTER, 0.85, "fi_hetu.date+mod31")]),
        (HETU_LETTER.lower(), [("FI_HETU", HETU_LETTER.lower(), 0.85, "fi_hetu.date+mod31")]),
        ("010594Y9032", [("FI_HETU", "010594Y9032", 0.85, "fi_hetu.date+mod31")]),
        # DDMMYY-NNNC with a check digit is also a CPR's layout: 0.55, +0.1 in Swedish text
        # (Finland's Swedish speakers write it, Danes do not write Swedish).
        (HETU_DIGIT, [("FI_HETU", HETU_DIGIT, 0.55, "fi_hetu.date+mod31")]),
        (
            f"Hej, jag har inte fått svar. Numret är {HETU_DIGIT}.",
            [("FI_HETU", HETU_DIGIT, 0.65, "fi_hetu.date+mod31")],
        ),
        (f"Henkilötunnus {HETU_DIGIT}", [("FI_HETU", HETU_DIGIT, 0.9, "fi_hetu.date+mod31")]),
        (f"Personnummer {HETU_DIGIT}", [("FI_HETU", HETU_DIGIT, 0.9, "fi_hetu.date+mod31")]),
        (f"Finland: {HETU_DIGIT}", [("FI_HETU", HETU_DIGIT, 0.75, "fi_hetu.date+mod31")]),
        ("131052-308U", []),
        ("131052-308T0", []),
        ("131052-308T-", []),
    ],
)
def test_finnish_scores(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert _found(text) == expected


def test_temporary_hetu_numbers_count() -> None:
    # Individual numbers 900-999 are temporary ones (DVV); python-stdnum accepts them only
    # when asked to.
    assert not stdnum_hetu.is_valid("010594Y9032")
    assert is_valid_hetu("010594Y9032") and is_valid_hetu("010594y9032")


# --- UK: HMRC NIM39110 ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AB 12 34 56 C", [("UK_NINO", "AB 12 34 56 C", 0.7, "uk_nino.prefix")]),
        ("AB123456C", [("UK_NINO", "AB123456C", 0.7, "uk_nino.prefix")]),
        ("ab123456c", [("UK_NINO", "ab123456c", 0.4, "uk_nino.prefix")]),
        ("Ab123456C", [("UK_NINO", "Ab123456C", 0.4, "uk_nino.prefix")]),
        ("AB123456c", [("UK_NINO", "AB123456c", 0.4, "uk_nino.prefix")]),
        (
            "National Insurance: AB 12 34 56 C",
            [("UK_NINO", "AB 12 34 56 C", 0.95, "uk_nino.prefix")],
        ),
        ("ID number AB 12 34 56 C", [("UK_NINO", "AB 12 34 56 C", 0.95, "uk_nino.prefix")]),
        (
            "Please check this: AB 12 34 56 C",
            [("UK_NINO", "AB 12 34 56 C", 0.75, "uk_nino.prefix")],
        ),
        ("Ref AB 12 34 56 C", []),
        ("AB 12 34 56 E", []),
        ("XAB 12 34 56 C", []),
    ],
)
def test_nino_scores(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("letter", "DFIQUV")
def test_nino_letters_never_first(letter: str) -> None:
    assert not is_valid_nino(f"{letter}A123456A")


@pytest.mark.parametrize("letter", "DFIOQUV")
def test_nino_letters_never_second(letter: str) -> None:
    assert not is_valid_nino(f"A{letter}123456A")


@pytest.mark.parametrize(
    "nino", ["XA123456A", "AX123456B", "OA123456C", "ab 12 34 56 d", "CE123456D", "ZY123456A"]
)
def test_nino_allocatable(nino: str) -> None:
    assert is_valid_nino(nino)


@pytest.mark.parametrize(
    "nino",
    [
        "ÅB123456C",
        "AÅ123456C",
        "1B123456C",
        "A1123456C",
        "AB1234567C",
        "AB12345XC",
        "ABX23456C",
        "AB123456X",
        "AB123456",
        "AB 12 34 56 CC",
    ],
)
def test_nino_malformed(nino: str) -> None:
    assert not is_valid_nino(nino)


def test_no_digits_no_identity_numbers() -> None:
    assert _found("My National Insurance number is on the letter.") == []


def test_a_rejected_nino_does_not_hide_the_next_one() -> None:
    # QQ 12 34 56 C is HMRC's own format example (Q is never a prefix letter); "Ref" makes the
    # next one a reference. Neither stops the number after it.
    for text in ("Not QQ 12 34 56 C but AB 12 34 56 C", "Ref AB 12 34 56 C; mine: CE 12 34 56 D"):
        assert [f[1] for f in _found(text)] == [text[-13:]], text


def test_a_rejected_hetu_does_not_hide_the_next_one() -> None:
    text = f"Not 131052-308U but {HETU_LETTER}"
    assert _found(text) == [("FI_HETU", HETU_LETTER, 0.85, "fi_hetu.date+mod31")]
