"""IBANs and payment card numbers.

In: a prepared `Context`. Out: IBAN findings (country length and ISO 7064 mod 97-10 via
python-stdnum) and CARD findings (Luhn plus a known issuer prefix).
"""

from __future__ import annotations

import re

from stdnum import iban, luhn

from steward.scanner.context import Context
from steward.scanner.findings import Finding, clamp

# Both open with a character class and check what stood before it afterwards, so the engine
# skips to candidate characters in C instead of testing a look-behind everywhere.
IBAN_RE = re.compile(r"[A-Z](?<![\w][A-Z])[A-Z][0-9]{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![\w])")
CARD_RE = re.compile(r"[0-9](?<![\w+/.,-][0-9])(?:[ -]?[0-9]){11,18}(?![\w])(?![.,-]?[0-9])")

# Issuer prefixes (IIN ranges) of the card schemes seen in the Nordics and the UK: Visa,
# Mastercard (51-55 and 2221-2720), American Express, Dankort/Maestro, Discover, JCB, Diners.
_CARD_PREFIX_RE = re.compile(
    r"4|5[1-5]|222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720|3[47]|50|5[6-9]|6[0-9]"
    r"|35(?:2[89]|[3-8][0-9])|3(?:0[0-5]|[689])"
)


def is_valid_iban(value: str) -> bool:
    return iban.is_valid(value)


def is_valid_card(value: str) -> bool:
    """13-19 digits, a known issuer prefix and a correct Luhn check digit."""
    digits = value.replace(" ", "").replace("-", "")
    return (
        13 <= len(digits) <= 19
        and digits.isascii()
        and digits.isdigit()
        and _CARD_PREFIX_RE.match(digits) is not None
        and luhn.is_valid(digits)
    )


def detect_ibans(ctx: Context) -> list[Finding]:
    """IBAN findings; a candidate that ran on into a following word is shortened group by
    group until it validates ("DK50 0040 0440 1162 43 OK")."""
    out: list[Finding] = []
    text = ctx.text
    m = IBAN_RE.search(text)
    while m is not None:
        groups = m.group().split()
        found = None
        while len("".join(groups)) >= 15:  # Norway's, the shortest IBAN, has 15 characters
            candidate = " ".join(groups)
            if is_valid_iban(candidate):
                found = Finding("IBAN", m.start(), m.start() + len(candidate), 0.95, "iban.mod97")
                break
            groups.pop()
        if found is not None:
            out.append(found)
            m = IBAN_RE.search(text, found.end)
        else:
            # The candidate may have started inside an unrelated code; an IBAN can begin
            # within it ("HL527166A GB62 QRUA ...").
            m = IBAN_RE.search(text, m.start() + 1)
    return out


# What stands before the digits of an IBAN ("DK91 6718 ..."): digits after it are the account
# number, which passes the card checks about one time in ten when the IBAN itself does not.
_IBAN_HEAD_RE = re.compile(r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4})*? ?$")


def detect_cards(ctx: Context) -> list[Finding]:
    """CARD findings: grouped as printed on cards, or a plain run after a card word."""
    out: list[Finding] = []
    for m in CARD_RE.finditer(ctx.text):
        raw = m.group()
        if not is_valid_card(raw):
            continue
        start, end = m.span()
        if _IBAN_HEAD_RE.search(ctx.text, max(0, start - 40), start):
            continue  # the tail of a (mistyped) IBAN, not a card
        label = ctx.label_near(start, end)
        if label == "NEG":
            continue
        conf = 0.75 if (" " in raw or "-" in raw) else 0.6
        rule = "card.luhn+iin"
        if label == "CARD":
            conf += 0.2
            rule += "+context"
        out.append(Finding("CARD", start, end, clamp(conf), rule))
    return out
