"""E-mail addresses and phone numbers (Nordic and UK numbering plans, via `phonenumbers`).

In: a prepared `Context`. Out: EMAIL and PHONE findings. Phone candidates come from one cheap
regex; only those shaped like a number of the region are checked, so text full of other
digits costs little.

A phone number is what a person would recognise as one, not only what the national plan has
allocated: a number valid in the plan (`phonenumbers` metadata) scores higher, but a number of
the right length and shape for a Nordic or UK plan is found too when a word names it ("tlf",
"phone", "mobil", "ring"), and Ofcom's ranges reserved for drama and fiction (07700 900xxx,
020 7946 0xxx, ...) count as UK numbers: they are what made-up people in tickets and tests
are given, and a redaction must take them out all the same.
"""

from __future__ import annotations

import re

import phonenumbers

from steward.scanner.context import ID_LABELS, Context
from steward.scanner.findings import Finding, clamp

_LOCAL_RE = re.compile(r"[\w+%'-][\w.+%'-]{0,63}$")
_DOMAIN_RE = re.compile(r"(?:[^\W_][\w-]{0,62}\.)+[^\W\d_]{2,24}(?![\w-])")

# The pattern opens with a plain character class (then checks what stood before it), so the
# engine skips to candidate characters in C: "+45 20 30 40 50", "(08) 123 456", "070-174 06 05".
PHONE_RE = re.compile(
    r"[+(0-9](?<![\w+/.,-].)"
    r"(?:(?<=\+)[1-9][0-9]{0,2}[ .-]?(?:\(0\)[ .-]?)?(?:\(0?[0-9]{1,4}\)[ .-]?)?"
    r"[0-9](?:[ .-]?[0-9]){5,13}"
    r"|(?<=\()0?[0-9]{1,4}\)[ .-]?[0-9](?:[ .-]?[0-9]){5,13}"
    r"|(?<=[0-9])(?:[ .-]?[0-9]){5,13})"
    r"(?![\w])(?![.,-]?[0-9])"
)
# Shapes of other things that phone candidates can take: identity numbers (6-4, 6-5, 8-4),
# dates and grouped amounts.
_NOT_PHONE_RE = re.compile(
    r"[0-9]{6}[- ][0-9]{4,5}|[0-9]{8}-[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}|"
    r"[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2,4}|"
    r"[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|"
    r"(?:19|20)[0-9]{2}-[0-9]{2,6}"  # a year-numbered reference: "2024-5521", "2024-00871"
)
# Ofcom's telephone numbers for drama and fiction (ofcom.org.uk, "Telephone numbers for use
# in TV and radio drama"), as national significant numbers (without the trunk 0).
_OFCOM_FICTION_RE = re.compile(
    r"7700900[0-9]{3}|207946[0-9]{4}|11[3-8]4960[0-9]{3}|1[2-6]14960[0-9]{3}|1214960[0-9]{3}"
    r"|1914980[0-9]{3}|289649[6][0-9]{3}|292018[0][0-9]{3}|1632960[0-9]{3}|3069990[0-9]{3}"
    r"|8081570[0-9]{3}|9098790[0-9]{3}"
)
# Lengths of a national significant number (without trunk prefix) that a person would read
# as a phone number of the region, whether or not the plan has allocated it.
_SHAPE_LENGTHS = {"DK": (8,), "NO": (8,), "SE": (7, 8, 9), "FI": (6, 7, 8, 9, 10), "GB": (10,)}
# Which regions to try, by the shape of the national number: Danish and Norwegian numbers
# are eight digits with no trunk prefix; Swedish, Finnish and UK ones are dialled with 0.
_REGION_LANG = {"DK": "da", "NO": "no", "SE": "sv", "FI": "fi", "GB": "en"}
_EIGHT_DIGIT_REGIONS = ("DK", "NO")
_TRUNK_REGIONS = ("SE", "GB", "FI")


def detect_emails(ctx: Context) -> list[Finding]:
    """EMAIL findings: found from each '@' outwards, so long text without one costs nothing."""
    text = ctx.text
    out: list[Finding] = []
    at = text.find("@")
    while at != -1:
        local = _LOCAL_RE.search(text, max(0, at - 64), at)
        domain = _DOMAIN_RE.match(text, at + 1)
        if local and domain:
            start = local.start()
            while text[start] == ".":
                start += 1
            if start < at:
                out.append(Finding("EMAIL", start, domain.end(), 0.95, "email.syntax"))
        at = text.find("@", at + 1)
    return out


_TYPES = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number",
          "voip", "pager", "uan", "voicemail")
_LAYOUT = str.maketrans("", "", " .-()+")
_COUNTRY_CODES = {"45": "DK", "47": "NO", "46": "SE", "358": "FI", "44": "GB"}


_TypeRule = tuple[re.Pattern[str], frozenset[int]]


def _region_rules(region: str) -> tuple[re.Pattern[str], tuple[_TypeRule, ...]]:
    """The `phonenumbers` metadata of a region compiled once: its general pattern, and a
    (pattern, lengths) pair per number type. Same test as `is_valid_number_for_region`,
    without parsing each candidate through the library's pure-Python pipeline."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert meta is not None and meta.general_desc is not None
    general = re.compile(meta.general_desc.national_number_pattern or "(?!)")
    general_lengths = frozenset(meta.general_desc.possible_length or ())
    types = []
    for name in _TYPES:
        desc = getattr(meta, name)
        if desc is not None and desc.national_number_pattern:
            lengths = frozenset(desc.possible_length or ()) or general_lengths
            types.append((re.compile(desc.national_number_pattern), lengths))
    return general, tuple(types)


_RULES = {region: _region_rules(region) for region in _REGION_LANG}


def _valid_national(national: str, region: str) -> bool:
    general, types = _RULES[region]
    if not general.fullmatch(national):
        return False
    return any(len(national) in lengths and pattern.fullmatch(national)
               for pattern, lengths in types)


def _regions(digits: str, languages: frozenset[str]) -> tuple[str, ...]:
    pool = _TRUNK_REGIONS if digits.startswith("0") else (
        _EIGHT_DIGIT_REGIONS if len(digits) == 8 else ())
    return tuple(sorted(pool, key=lambda r: _REGION_LANG[r] not in languages))


def _valid_or_fiction(national: str, region: str) -> bool:
    if region == "GB" and _OFCOM_FICTION_RE.fullmatch(national):
        return True
    return _valid_national(national, region)


def parse_phone(raw: str, languages: frozenset[str] = frozenset()) -> str | None:
    """The region ('DK', 'GB', ...) of a valid phone number written as `raw`, else None.
    International numbers (+CC or 00CC) may be of any region."""
    region, valid = read_phone(raw, languages)
    return region if valid else None


def read_phone(raw: str, languages: frozenset[str] = frozenset()) -> tuple[str | None, bool]:
    """(region, valid) of a number written as `raw`: the region whose plan allocates it
    (valid, Ofcom's fiction ranges included), else the first region whose number it is shaped
    like (not valid), else (None, False)."""
    compact = raw.strip().replace("(0)", "")
    international = compact.startswith(("+", "00"))
    digits = compact.translate(_LAYOUT)
    if international:
        digits = digits[2:] if compact.startswith("00") else digits
        for size in (2, 3):
            region = _COUNTRY_CODES.get(digits[:size])
            if region is not None:
                national = digits[size:]
                if _valid_or_fiction(national, region):
                    return region, True
                return (region if len(national) in _SHAPE_LENGTHS[region] else None), False
        try:  # any other country: the library's full parser
            number = phonenumbers.parse("+" + digits, None)
        except phonenumbers.NumberParseException:
            return None, False
        if phonenumbers.is_valid_number(number):
            return phonenumbers.region_code_for_number(number), True
        return None, False
    if len(digits) < 8:  # shorter national numbers are service numbers or not numbers
        return None, False
    regions = _regions(digits, languages)
    for region in regions:
        national = digits[1:] if region in _TRUNK_REGIONS else digits
        if _valid_or_fiction(national, region):
            return region, True
    for region in regions:
        national = digits[1:] if region in _TRUNK_REGIONS else digits
        if len(national) in _SHAPE_LENGTHS[region]:
            return region, False
    return None, False


def detect_phones(ctx: Context) -> list[Finding]:
    """PHONE findings: numbers of the Nordic and UK plans (any plan with +CC); a number
    outside the plan but of its shape only with a phone word before it."""
    out: list[Finding] = []
    text = ctx.text
    for m in PHONE_RE.finditer(text):
        raw = m.group()
        if _NOT_PHONE_RE.fullmatch(raw):
            continue
        start, end = m.span()
        # Only what stands before a phone number names it; a label after it belongs to
        # the next sentence ("Call me on +45 92 55 14 04. My NI number is ...").
        label = ctx.label_near(start, end, after=False)
        if label == "NEG" or label in ID_LABELS:
            continue
        region, valid = read_phone(raw, ctx.languages)
        if region is None:
            continue
        international = raw.startswith(("+", "00"))
        if international:
            conf, rule = 0.85, "phone.international"
        else:
            conf, rule = 0.45, "phone.national"
            conf += 0.15 if any(c in raw for c in " .-()") else 0.0
            conf += 0.1 if raw.startswith("0") else 0.0  # a trunk prefix: dialled, not filed
            conf += 0.05 if _REGION_LANG.get(region) in ctx.languages else 0.0
        if not valid:
            # Outside the plan: validity raises confidence, it does not decide. Such a
            # number is reported when a word names it ("tlf. 12 34 56 78").
            conf -= 0.3
            rule += "+shape"
        if label == "PHONE":
            conf += 0.35
            rule += "+context"
        out.append(Finding("PHONE", start, end, clamp(conf), rule))
    return out
