"""Article references used across Steward, each with a one-line description.

Constants are the exact strings shown to users ("GDPR Art. 12(3)"); `describe` gives the line
that explains them. Policy validation, letters and the console import these rather than typing
article numbers by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from steward.errors import InvalidInput

# Principles and lawfulness
ART_5_1_E = "GDPR Art. 5(1)(e)"
ART_7 = "GDPR Art. 7"
ART_9_2 = "GDPR Art. 9(2)"
# Data-subject rights
ART_12_3 = "GDPR Art. 12(3)"
ART_12_4 = "GDPR Art. 12(4)"
ART_12_5 = "GDPR Art. 12(5)"
ART_12_6 = "GDPR Art. 12(6)"
ART_15 = "GDPR Art. 15"
ART_15_2 = "GDPR Art. 15(2)"
ART_15_4 = "GDPR Art. 15(4)"
ART_16 = "GDPR Art. 16"
ART_17 = "GDPR Art. 17"
ART_17_3_B = "GDPR Art. 17(3)(b)"
ART_17_3_E = "GDPR Art. 17(3)(e)"
ART_18 = "GDPR Art. 18"
ART_19 = "GDPR Art. 19"
ART_20 = "GDPR Art. 20"
ART_21 = "GDPR Art. 21"
ART_21_3 = "GDPR Art. 21(3)"
ART_22 = "GDPR Art. 22"
# Records and breaches
ART_30_1 = "GDPR Art. 30(1)"
ART_30_2 = "GDPR Art. 30(2)"
ART_33_1 = "GDPR Art. 33(1)"
ART_33_3 = "GDPR Art. 33(3)"
ART_33_4 = "GDPR Art. 33(4)"
ART_33_5 = "GDPR Art. 33(5)"
ART_34 = "GDPR Art. 34"
# Time limits and national law
REG_1182_71_ART_3 = "Reg. (EEC, Euratom) 1182/71 Art. 3"
REG_1182_71_ART_3_4 = "Reg. (EEC, Euratom) 1182/71 Art. 3(4)"
UK_GDPR_ART_12A = "UK GDPR Art. 12A"
DK_DPA_11 = "Databeskyttelsesloven § 11"

_DESCRIPTIONS: dict[str, str] = {
    ART_5_1_E: "storage limitation: keep personal data no longer than necessary",
    ART_7: "conditions for consent: proof of consent, withdrawal as easy as giving it",
    ART_9_2: "conditions that allow processing special categories of data (e.g. health)",
    ART_12_3: "answer a request within one month of receipt; extendable by two months, with "
    "notice within the first month",
    ART_12_4: "a refusal states the reasons and the rights to complain and to a judicial remedy",
    ART_12_5: "first copy free; fee or refusal only for manifestly unfounded or excessive requests",
    ART_12_6: "with reasonable doubts about identity, more information may be requested",
    ART_15: "right of access: confirmation, a copy, and the information in 15(1)(a)-(h)",
    ART_15_2: "safeguards for transfers to a third country or international organisation",
    ART_15_4: "the copy must not adversely affect the rights of others (redact third parties)",
    ART_16: "right to rectification",
    ART_17: "right to erasure",
    ART_17_3_B: "erasure exception: a legal obligation, such as bookkeeping",
    ART_17_3_E: "erasure exception: establishment, exercise or defence of legal claims",
    ART_18: "right to restriction: restricted data is only stored",
    ART_19: "recipients are told of rectification, erasure or restriction",
    ART_20: "right to data portability: provided data, consent or contract, automated",
    ART_21: "right to object to processing based on legitimate interests or public task",
    ART_21_3: "objection to direct marketing: stop at once, no balancing",
    ART_22: "automated individual decision-making, including profiling",
    ART_30_1: "the controller's record of processing activities",
    ART_30_2: "the processor's record of processing activities",
    ART_33_1: "notify the supervisory authority within 72 hours of becoming aware of a breach",
    ART_33_3: "content of a breach notification (nature, contact, consequences, measures)",
    ART_33_4: "breach information may be provided in phases",
    ART_33_5: "document every breach, notified or not",
    ART_34: "tell data subjects of a breach likely to result in a high risk",
    REG_1182_71_ART_3: "counting periods: months end on the same date, else the month's last day",
    REG_1182_71_ART_3_4: "a period ending on a Saturday, Sunday or public holiday ends on the "
    "next working day",
    UK_GDPR_ART_12A: "UK time limits: the clock starts on receipt of requested identification "
    "and stops while clarification is awaited (Data (Use and Access) Act 2025)",
    DK_DPA_11: "Danish Data Protection Act: CPR numbers only where law, consent or listed "
    "cases allow; never published",
}

# Art. 6(1): legal bases, letter → short name.
LEGAL_BASES: Mapping[str, str] = MappingProxyType(
    {
        "a": "consent",
        "b": "contract",
        "c": "legal obligation",
        "d": "vital interests",
        "e": "public task",
        "f": "legitimate interests",
    }
)

# Art. 9(2): conditions for special categories, letter → short name.
ART_9_CONDITIONS: Mapping[str, str] = MappingProxyType(
    {
        "a": "explicit consent",
        "b": "employment, social security and social protection law",
        "c": "vital interests where the subject cannot consent",
        "d": "not-for-profit body's legitimate activities",
        "e": "data manifestly made public by the data subject",
        "f": "legal claims or courts acting in their judicial capacity",
        "g": "substantial public interest",
        "h": "preventive or occupational medicine, health or social care",
        "i": "public interest in public health",
        "j": "archiving, research or statistics",
    }
)

# Art. 17(1): grounds for erasure.
ERASURE_GROUNDS: Mapping[str, str] = MappingProxyType(
    {
        "a": "no longer necessary for the purpose",
        "b": "consent withdrawn and no other legal basis",
        "c": "objection under Art. 21",
        "d": "unlawfully processed",
        "e": "erasure required by a legal obligation",
        "f": "data of a child collected for information society services",
    }
)

# Art. 17(3): exceptions to erasure.
ERASURE_EXCEPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "a": "freedom of expression and information",
        "b": "legal obligation or public task",
        "c": "public interest in public health",
        "d": "archiving, research or statistics",
        "e": "legal claims",
    }
)


def legal_basis(letter: str) -> str:
    """'GDPR Art. 6(1)(f)' for 'f'; InvalidInput for letters outside (a)-(f)."""
    return _lettered("GDPR Art. 6(1)", LEGAL_BASES, letter)


def art_9_condition(letter: str) -> str:
    """'GDPR Art. 9(2)(a)' for 'a'; InvalidInput for letters outside (a)-(j)."""
    return _lettered("GDPR Art. 9(2)", ART_9_CONDITIONS, letter)


def erasure_ground(letter: str) -> str:
    return _lettered("GDPR Art. 17(1)", ERASURE_GROUNDS, letter)


def erasure_exception(letter: str) -> str:
    return _lettered("GDPR Art. 17(3)", ERASURE_EXCEPTIONS, letter)


def _lettered(prefix: str, table: Mapping[str, str], letter: str) -> str:
    key = letter.strip().strip("()").lower() if isinstance(letter, str) else ""
    if key not in table:
        raise InvalidInput(
            f"{prefix} has no point {letter!r}; valid: {', '.join(f'({k})' for k in table)}."
        )
    return f"{prefix}({key})"


def _lettered_descriptions() -> dict[str, str]:
    out: dict[str, str] = {}
    for prefix, table in (
        ("GDPR Art. 6(1)", LEGAL_BASES),
        ("GDPR Art. 9(2)", ART_9_CONDITIONS),
        ("GDPR Art. 17(1)", ERASURE_GROUNDS),
        ("GDPR Art. 17(3)", ERASURE_EXCEPTIONS),
    ):
        out.update({f"{prefix}({k})": v for k, v in table.items()})
    return out


def registry() -> dict[str, str]:
    """Every reference Steward knows, constant or lettered point, → description. The specific
    17(3)(b)/(e) lines above win over the generic exception names."""
    return {**_lettered_descriptions(), **_DESCRIPTIONS}


def describe(ref: str) -> str:
    """'GDPR Art. 12(3) — answer a request within one month …' for a known reference.

    Accepts the constants and lettered points (GDPR Art. 6(1)(a)); InvalidInput otherwise.
    """
    known = registry()
    if ref not in known:
        raise InvalidInput(f"Unknown article reference {ref!r}.")
    return f"{ref} — {known[ref]}"
