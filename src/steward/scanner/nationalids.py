"""Nordic and UK national identity numbers: cheap candidate regexes, then real validation.

In: a prepared `Context`. Out: `Finding`s of type DK_CPR, NO_FNR, NO_DNR, SE_PNR, SE_SAMORD,
FI_HETU or UK_NINO. Dates, centuries and check digits are validated with python-stdnum where it
covers the number; Swedish samordningsnummer (which stdnum rejects) and the UK NINO are
checked here.
"""

from __future__ import annotations

import datetime
import re

from stdnum import luhn
from stdnum.dk import cpr
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

from steward.scanner.context import ID_LABELS, Context
from steward.scanner.findings import Finding, clamp

# A number glued to letters, another number, a "+" (phone prefix), a "/" or "-" run, or a
# decimal point belongs to something else (a phone number, a date range, an amount). The
# look-behinds sit after the first digit so that the engine can skip to digits in C.
_LEFT = r"[0-9](?<![\w+\-/][0-9])(?<![0-9][.,][0-9])"
_RIGHT = r"(?![\w/])(?!-[0-9])(?![.,][0-9])"
# Every all-digit layout at once: DDMMYY-SSSS / YYMMDD-NNNC (6+4), DDMMYY IIIKK (6+5) and
# YYYYMMDD-NNNC (8+4), each with or without its separator.
DIGITS_RE = re.compile(_LEFT + r"[0-9]{5,7}[-+ ]?[0-9]{4,5}" + _RIGHT)
HETU_RE = re.compile(_LEFT + r"[0-9]{5}[-+A-FU-Ya-fu-y][0-9]{3}[0-9A-Ya-y](?![\w-])")
NINO_RE = re.compile(r"(?<!\w)([A-Za-z]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([A-Da-d])(?!\w)")
_NINO_HINT_RE = re.compile(r"[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]")  # cheap pre-check

CONTEXT_BONUS = 0.35
LANGUAGE_BONUS = 0.1
COUNTRY_BONUS = 0.2
_SUPPRESSING = frozenset({"NEG", "PHONE"})  # a bare number after these is not an identity


def _suppressed(label: str | None, sep: str) -> bool:
    """Whether the label before a candidate says it is something else: an order, invoice or
    other reference always; a phone word only for a run of digits, since nobody writes a
    phone number as `030572-3314` ("mitt nummer är 030572-3314" is an identity number)."""
    return label == "NEG" or (label == "PHONE" and sep in ("", " "))


# HMRC National Insurance Manual NIM39110: D, F, I, Q, U, V are never used in a prefix, O
# never as its second letter, and BG, GB, KN, NK, NT, TN, ZZ are not allocated.
_NINO_BAD_FIRST = frozenset("DFIQUV")
_NINO_BAD_SECOND = frozenset("DFIOQUV")
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def cpr_birth_date(digits: str) -> datetime.date | None:
    """Birth date of a 10-digit CPR (century from the 7th digit), None if not a valid date."""
    try:
        return cpr.get_birth_date(digits)
    except (ValidationError, ValueError):
        return None


def is_valid_cpr(number: str, *, today: datetime.date | None = None) -> bool:
    """DDMMYY-SSSS with a real date, not in the future. The modulus-11 check is not required:
    CPR numbers without it have been issued since 2007 (cpr.dk)."""
    if len(number) == 11 and number[6] in "- ":
        number = number[:6] + number[7:]
    digits = number
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    born = cpr_birth_date(digits)
    return born is not None and born <= (today or datetime.date.today())


def cpr_mod11_ok(digits: str) -> bool:
    """The pre-2007 weighted modulus-11 check: only a hint that a number is a CPR."""
    return cpr.checksum(digits) == 0


def se_birth_date(number: str) -> datetime.date | None:
    """Birth date of a Swedish personnummer or samordningsnummer (day + 60), written
    YYMMDD-NNNC, YYMMDD+NNNC (aged 100 or more) or YYYYMMDDNNNC; None if not valid."""
    compact = number.replace(" ", "")
    sep = "-"
    if len(compact) in (11, 13) and compact[-5] in "+-":
        sep = compact[-5]
        compact = compact[:-5] + compact[-4:]
    if len(compact) not in (10, 12) or not compact.isascii() or not compact.isdigit():
        return None
    if not luhn.is_valid(compact[-10:]):
        return None
    date_part = compact[:-4]
    day = int(date_part[-2:])
    if day > 60:  # samordningsnummer: Skatteverket adds 60 to the day of birth
        date_part = date_part[:-2] + f"{day - 60:02d}"
    try:
        if len(date_part) == 8:
            born = datetime.date(int(date_part[:4]), int(date_part[4:6]), int(date_part[6:]))
        else:
            born = personnummer.get_birth_date(date_part + sep + compact[-4:])
    except (ValidationError, ValueError):
        return None
    return born if datetime.date(1870, 1, 1) <= born <= datetime.date.today() else None


def se_kind(number: str) -> str | None:
    """'SE_PNR', 'SE_SAMORD' or None for a Swedish number in any accepted layout."""
    if se_birth_date(number) is None:
        return None
    digits = "".join(c for c in number if c.isdigit())
    day = int(digits[-6:-4])
    return "SE_SAMORD" if day > 60 else "SE_PNR"


def no_kind(number: str) -> str | None:
    """'NO_FNR' or 'NO_DNR' (day + 40) for a valid Norwegian 11-digit number, else None."""
    digits = fodselsnummer.compact(number)  # without " ", "-" and ":"
    if not fodselsnummer.is_valid(digits):
        return None
    return "NO_DNR" if int(digits[:2]) > 40 else "NO_FNR"


def is_valid_hetu(number: str) -> bool:
    """Finnish HETU: date, century sign and the modulo-31 check character."""
    return hetu.is_valid(number, allow_temporary=True)  # upper-cases it first


def is_valid_nino(number: str) -> bool:
    """UK National Insurance number: two prefix letters by HMRC's rules, six digits, A-D."""
    compact = number.replace(" ", "").upper()
    if len(compact) != 9 or not compact[2:8].isdigit() or compact[8] not in "ABCD":
        return False
    first, second = compact[0], compact[1]
    return (
        first.isalpha()
        and second.isalpha()
        and first.isascii()
        and second.isascii()
        and first not in _NINO_BAD_FIRST
        and second not in _NINO_BAD_SECOND
        and compact[:2] not in _NINO_BAD_PREFIXES
    )


def _bonus(label: str | None, own: tuple[str, ...], languages: frozenset[str], lang: str) -> float:
    extra = CONTEXT_BONUS if label in own or label == "ID" else 0.0
    return extra + (LANGUAGE_BONUS if lang in languages else 0.0)


def _split(raw: str) -> tuple[str, str, str]:
    """(head, separator, tail) of an all-digit candidate."""
    for i, char in enumerate(raw):
        if not char.isdigit():
            return raw[:i], char, raw[i + 1 :]
    if len(raw) == 12:
        return raw[:8], "", raw[8:]
    return raw[:6], "", raw[6:]


def _digits(ctx: Context, today: datetime.date, out: list[Finding]) -> None:
    for m in DIGITS_RE.finditer(ctx.text):
        head, sep, tail = _split(m.group())
        shape = (len(head), len(tail))
        if shape == (6, 4):
            _ten(ctx, m.start(), m.end(), head, sep, tail, today, out)
        elif shape == (6, 5) and sep != "+":
            _eleven(ctx, m.start(), m.end(), head + tail, out)
        elif shape == (8, 4) and head[:2] in ("18", "19", "20"):
            _twelve(ctx, m.start(), m.end(), head, sep, tail, out)


def _ten(
    ctx: Context,
    start: int,
    end: int,
    head: str,
    sep: str,
    tail: str,
    today: datetime.date,
    out: list[Finding],
) -> None:
    label = ctx.label_near(start, end)
    if _suppressed(label, sep):
        return
    digits = head + tail
    options: list[tuple[float, int, str, str]] = []
    country = ctx.country_near(start)
    # A number labelled as another country's identity ("samordningsnummer", "henkilötunnus")
    # that fails that country's checks is a mistyped number of that country, not a CPR.
    foreign = label in ID_LABELS and label not in ("ID", "DK_CPR")
    born = cpr_birth_date(digits) if sep != "+" and not foreign else None
    if born is not None and born <= today:
        conf = 0.5 if sep else 0.4
        rule = "dk_cpr.date"
        if cpr_mod11_ok(digits):
            conf += 0.15
            rule += "+mod11"
        conf += _bonus(label, ("DK_CPR",), ctx.languages, "da")
        conf += COUNTRY_BONUS if country == "DK" else 0.0
        rule += "+context" if label in ("DK_CPR", "ID") else ""
        options.append((conf, "da" in ctx.languages, "DK_CPR", rule))
    kind = se_kind(head + sep + tail)  # " " and "" read as "-"
    if kind is not None:
        conf = (0.55 if sep else 0.45) + (0.1 if sep == "+" else 0.0)
        conf += _bonus(label, (kind, "SE_PNR"), ctx.languages, "sv")
        conf += COUNTRY_BONUS if country == "SE" else 0.0
        rule = ("se_samord" if kind == "SE_SAMORD" else "se_pnr") + ".date+luhn"
        rule += "+context" if label in (kind, "SE_PNR", "ID") else ""
        options.append((conf, "sv" in ctx.languages, kind, rule))
    danish = label == "DK_CPR" or country == "DK" or "da" in ctx.languages
    if kind == "SE_SAMORD" and len(options) == 2 and not danish:
        # A samordningsnummer (Skatteverket: day of birth + 60) that also reads as a CPR date
        # (DDMMYY: "030572" is 3 May 1972 and, as YYMMDD, a coordination number of 2003-05-12)
        # and passes the Luhn check is a Swedish number: its day 61-91 is what marks it, and
        # only one CPR in ten passes the check by chance. In a Danish text, after a CPR label
        # or near the word "Danmark", the CPR reading stays (the language bonus decides).
        options = [o for o in options if o[2] != "DK_CPR"]
    if options:
        conf, _, kind, rule = max(options)
        out.append(Finding(kind, start, end, clamp(conf), rule))


def _twelve(
    ctx: Context, start: int, end: int, head: str, sep: str, tail: str, out: list[Finding]
) -> None:
    label = ctx.label_near(start, end)
    if _suppressed(label, sep):
        return
    kind = se_kind(head + tail)
    if kind is None:
        return
    conf = (0.6 if sep else 0.5) + _bonus(label, (kind, "SE_PNR"), ctx.languages, "sv")
    if label not in ID_LABELS and int(head[:4]) > datetime.date.today().year - 15:
        # A recent date in YYYYMMDD-NNNN reads more often as a timestamp (YYYYMMDD-HHMM)
        # in a log line than as a young child's personnummer.
        conf -= 0.25
    rule = ("se_samord" if kind == "SE_SAMORD" else "se_pnr") + ".12digit+luhn"
    out.append(Finding(kind, start, end, clamp(conf), rule))


def _eleven(ctx: Context, start: int, end: int, digits: str, out: list[Finding]) -> None:
    label = ctx.label_near(start, end)
    if label in _SUPPRESSING:  # "tlf 15108695088": an 11-digit run may be a phone number
        return
    kind = no_kind(digits)
    if kind is None:
        return
    conf = 0.7 + _bonus(label, ("NO_FNR", "NO_DNR"), ctx.languages, "no")
    rule = ("no_dnr" if kind == "NO_DNR" else "no_fnr") + ".date+mod11x2"
    rule += "+context" if label in ("NO_FNR", "NO_DNR", "ID") else ""
    out.append(Finding(kind, start, end, clamp(conf), rule))


def _hetu(ctx: Context, out: list[Finding]) -> None:
    for m in HETU_RE.finditer(ctx.text):
        code = m.group()
        if not is_valid_hetu(code):
            continue
        start, end = m.span()
        label = ctx.label_near(start, end)
        if code[6] == "-" and code[-1].isdigit():
            # DDMMYY-NNNC with a digit check character is also the layout of a CPR number:
            # one CPR in 31 passes the HETU check, so the layout alone proves little.
            conf = 0.55 + (0.1 if "sv" in ctx.languages else 0.0)
        else:
            conf = 0.85
        conf += CONTEXT_BONUS if label in ("FI_HETU", "ID") else 0.0
        conf += COUNTRY_BONUS if ctx.country_near(start) == "FI" else 0.0
        out.append(Finding("FI_HETU", start, end, clamp(conf), "fi_hetu.date+mod31"))


def _nino(ctx: Context, out: list[Finding]) -> None:
    if _NINO_HINT_RE.search(ctx.text) is None:
        return
    for m in NINO_RE.finditer(ctx.text):
        raw = m.group(0)
        if not is_valid_nino(raw):
            continue
        start, end = m.span()
        label = ctx.label_near(start, end)
        if label == "NEG":
            continue
        letters = raw[:2] + raw[-1]
        conf = 0.7 if letters.isupper() else 0.4  # "ab123456c" is more often a code
        conf += 0.25 if label in ("UK_NINO", "ID") else 0.0
        conf += 0.05 if "en" in ctx.languages else 0.0
        out.append(Finding("UK_NINO", start, end, clamp(conf), "uk_nino.prefix"))


def detect_national_ids(ctx: Context) -> list[Finding]:
    """All national identity numbers in the context's text."""
    out: list[Finding] = []
    text = ctx.text
    if any(c in text for c in "0123456789"):
        _digits(ctx, datetime.date.today(), out)
        _hetu(ctx, out)
        _nino(ctx, out)
    return out
