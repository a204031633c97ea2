"""Generated-valid identity numbers and contact data for fictional people.

Every value passes the same validation the detectors apply (dates, centuries, check digits)
and belongs to no one known: the numbers are drawn at random from a seeded `random.Random`.
Used by the labeled test corpus, the benchmark and the `steward demo` data generator.
"""

from __future__ import annotations

import datetime
import random

import phonenumbers
from stdnum import iban, luhn
from stdnum.dk import cpr
from stdnum.no import fodselsnummer

FIRST_NAMES = {
    "da": ("Jens", "Mette", "Søren", "Lærke", "Anders", "Sofie", "Mads", "Ida"),
    "no": ("Ola", "Kari", "Håkon", "Ingrid", "Lars", "Sigrid", "Eirik", "Nora"),
    "sv": ("Anna", "Erik", "Maja", "Oskar", "Elin", "Johan", "Saga", "Nils"),
    "en": ("Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Jack", "Freya"),
}
LAST_NAMES = {
    "da": ("Testesen", "Prøvesen", "Eksempelsen", "Fiktivsen"),
    "no": ("Nordmann", "Prøvestad", "Eksempelrud", "Fiktivsen"),
    "sv": ("Testsson", "Exempelberg", "Provström", "Fiktivsson"),
    "en": ("Example", "Sample", "Placeholder", "Fictional"),
}
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")  # RFC 2606


def birth_date(rng: random.Random, first: int = 1935, last: int = 2006) -> datetime.date:
    start = datetime.date(first, 1, 1).toordinal()
    return datetime.date.fromordinal(rng.randint(start, datetime.date(last, 12, 31).toordinal()))


def fake_cpr(rng: random.Random, *, born: datetime.date | None = None, dashed: bool = True,
             mod11: bool | None = None) -> str:
    """A CPR number DDMMYY-SSSS whose 7th digit gives the right century (cpr.dk table).
    People born before 2007 mostly have a modulus-11-valid number; `mod11` forces it."""
    born = born or birth_date(rng)
    yy = born.year % 100
    if born.year < 1937:
        firsts = "0123"
    elif born.year < 2000:
        firsts = "01234" + "9"
    else:
        firsts = "4" + ("9" if yy <= 36 else "") + ("5678" if yy <= 57 else "")
    if mod11 is None:
        mod11 = born.year < 2007 and rng.random() < 0.85
    while True:
        head = born.strftime("%d%m%y") + rng.choice(firsts) + f"{rng.randint(0, 99):02d}"
        if mod11:
            weights = (4, 3, 2, 7, 6, 5, 4, 3, 2)
            check = (-sum(w * int(d) for w, d in zip(weights, head, strict=True))) % 11
            if check == 10:
                continue
            number = head + str(check)
        else:
            number = head + str(rng.randint(0, 9))
        if cpr.get_birth_date(number) == born:
            return number[:6] + "-" + number[6:] if dashed else number


def fake_fnr(rng: random.Random, *, dnumber: bool = False, sep: str = "") -> str:
    """A Norwegian fødselsnummer (or D-number: day + 40) with both mod-11 check digits."""
    while True:
        born = birth_date(rng)
        if born.year < 2000:
            individual = rng.randint(0, 499)
        else:
            individual = rng.randint(500, 999)
        day = born.day + (40 if dnumber else 0)
        head = f"{day:02d}{born:%m%y}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(head)
        if len(k1) != 1:
            continue
        k2 = fodselsnummer.calc_check_digit2(head + k1)
        if len(k2) != 1:
            continue
        number = head + k1 + k2
        if fodselsnummer.is_valid(number):
            return number[:6] + sep + number[6:]


def fake_pnr(rng: random.Random, *, samord: bool = False, layout: str = "YYMMDD-NNNC") -> str:
    """A Swedish personnummer (or samordningsnummer: day + 60), Luhn check on YYMMDDNNN.
    Layouts as Skatteverket writes them: YYMMDD-NNNC, YYYYMMDD-NNNC, YYYYMMDDNNNC,
    YYMMDDNNNC; `+` for people aged 100 or more in the 10-digit form."""
    born = birth_date(rng)
    day = born.day + (60 if samord else 0)
    head = f"{born:%y%m}{day:02d}{rng.randint(0, 999):03d}"
    number = head + luhn.calc_check_digit(head)
    century = f"{born.year // 100}"
    sep = "+" if datetime.date.today().year - born.year >= 100 else "-"
    return {
        "YYMMDD-NNNC": number[:6] + sep + number[6:],
        "YYMMDDNNNC": number,
        "YYYYMMDD-NNNC": century + number[:6] + "-" + number[6:],
        "YYYYMMDDNNNC": century + number,
    }[layout]


def fake_hetu(rng: random.Random) -> str:
    """A Finnish HETU DDMMYYCZZZQ: century sign, individual number 002-899, check character."""
    born = birth_date(rng)
    sign = rng.choice("-YXWVU") if born.year < 2000 else rng.choice("ABCDEF")
    individual = rng.randint(2, 899)
    body = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}{sign}{individual:03d}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[
        int(body) % 31]


def fake_nino(rng: random.Random, *, spaced: bool = True) -> str:
    """A UK National Insurance number with an allocatable prefix (HMRC NIM39110)."""
    firsts = "ABCEGHJKLMNOPRSTWXYZ"
    seconds = "ABCEGHJKLMNPRSTWXYZ"
    while True:
        prefix = rng.choice(firsts) + rng.choice(seconds)
        if prefix not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            break
    digits = f"{rng.randint(0, 999999):06d}"
    suffix = rng.choice("ABCD")
    if spaced:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return prefix + digits + suffix


_BBAN = {"DK": "n14", "NO": "n11", "SE": "n20", "FI": "n14", "GB": "a4n14"}


def fake_iban(rng: random.Random, country: str = "DK", *, grouped: bool = True) -> str:
    """A valid IBAN of DK, NO, SE, FI or GB with a random account."""
    while True:
        spec = _BBAN[country]
        letters = int(spec[1]) if spec.startswith("a") else 0
        n = int(spec.split("n")[1])
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(letters))
        bban += "".join(str(rng.randint(0, 9)) for _ in range(n))
        number = country + iban.calc_check_digits(country + "00" + bban) + bban
        if iban.is_valid(number):
            return iban.format(number) if grouped else number


def fake_card(rng: random.Random, *, grouped: bool = True) -> str:
    """A Luhn-valid 16-digit Visa, Mastercard or Dankort-like number (no real account)."""
    prefix = rng.choice(("4", "51", "52", "53", "54", "55", "5019"))
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(15 - len(prefix)))
    number = body + luhn.calc_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if grouped else number


_PHONE_STARTS = {"DK": ("2", "3", "4", "5", "6", "7", "8", "9"), "NO": ("4", "9"),
                 "SE": ("070", "072", "073", "076", "08", "031", "040"), "FI": ("040", "050"),
                 "GB": ("07", "020", "0161", "0113")}
_PHONE_LENGTHS = {"DK": 8, "NO": 8, "SE": 10, "FI": 10, "GB": 11}


def fake_phone(rng: random.Random, region: str = "DK", *, layout: str = "national") -> str:
    """A valid number of the region's plan, written 'national' (grouped as the region does),
    'international' (+CC ...) or 'plain' (digits only)."""
    while True:
        start = rng.choice(_PHONE_STARTS[region])
        digits = start + "".join(
            str(rng.randint(0, 9)) for _ in range(_PHONE_LENGTHS[region] - len(start)))
        number = phonenumbers.parse(digits, region)
        if phonenumbers.is_valid_number_for_region(number, region):
            break
    if layout == "international":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if layout == "plain":
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def fake_name(rng: random.Random, language: str) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])


def fake_email(rng: random.Random, first: str, last: str) -> str:
    local = f"{first}.{last}".lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "a"), ("ö", "o")):
        local = local.replace(a, b)
    return f"{local}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"
