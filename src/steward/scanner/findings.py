"""The result type every detector returns, and the names of the types it can carry."""

from __future__ import annotations

from dataclasses import dataclass

NATIONAL_ID_TYPES: frozenset[str] = frozenset(
    {"DK_CPR", "NO_FNR", "NO_DNR", "SE_PNR", "SE_SAMORD", "FI_HETU", "UK_NINO"}
)
CONTACT_TYPES: frozenset[str] = frozenset({"EMAIL", "PHONE"})
FINANCE_TYPES: frozenset[str] = frozenset({"IBAN", "CARD"})
WORDING_TYPES: frozenset[str] = frozenset({"HEALTH", "ABSENCE"})
ALL_TYPES: frozenset[str] = NATIONAL_ID_TYPES | CONTACT_TYPES | FINANCE_TYPES | WORDING_TYPES


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of sensitive data found in a text.

    `start`/`end` are character offsets into the scanned text (`text[start:end]`),
    `confidence` is in [0, 1], `rule` names the rule that fired (e.g. `dk_cpr.context`).
    The finding deliberately does not hold the matched value, so that logging a finding
    never logs personal data; use `excerpt(text)` to get it back.
    """

    type: str
    start: int
    end: int
    confidence: float
    rule: str

    def excerpt(self, text: str) -> str:
        """The matched characters of `text` (the same text that was scanned)."""
        return text[self.start : self.end]

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end


def clamp(confidence: float) -> float:
    """Keep a computed confidence inside [0, 0.99]: no rule is ever certain."""
    return round(max(0.0, min(0.99, confidence)), 2)
