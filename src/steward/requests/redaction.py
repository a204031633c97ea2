"""GDPR Art. 15(4): the copy of the data "shall not adversely affect the rights and freedoms of
others". Free-text fields (`FieldSpec.free_text`: ticket messages, contact notes, CVs) may name
other people; before the package is built, identity numbers, e-mail addresses and phone numbers
in them that are not the subject's own are replaced by a type tag (`[EMAIL]`, `[DK_CPR]`).

The subject's own identities (every value the search found: e-mails, phones, customer and
national identity numbers) stay readable: it is their data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from steward.policy.models import Policy
from steward.scanner import NATIONAL_ID_TYPES, Operator, redact, scan_and_redact
from steward.scanner.engine import UnscannableText
from steward.scanner.findings import CONTACT_TYPES, Finding

TYPES = frozenset(NATIONAL_ID_TYPES | CONTACT_TYPES)
_SEPARATORS = " -.+()/"
WITHHELD = "[withheld: could not be checked for other people's data, GDPR Art. 15(4)]"
PHONE_TAIL = 8  # national numbers: +45 12 34 56 78 and 12345678 are the same phone


def _token(value: str) -> str:
    return "".join(c for c in value if c not in _SEPARATORS).upper()


class OwnIdentities:
    """The subject's identity values, normalised for comparison with what the scanner finds."""

    def __init__(self, values: Iterable[str]) -> None:
        self.emails: set[str] = set()
        self.tokens: set[str] = set()
        for v in values:
            v = str(v).strip()
            if not v:
                continue
            if "@" in v:
                self.emails.add(v.casefold())
            else:
                self.tokens.add(_token(v))
        self.tails = {t[-PHONE_TAIL:] for t in self.tokens if t.isdigit() and len(t) >= 8}

    def owns(self, finding: Finding, text: str) -> bool:
        value = finding.excerpt(text)
        if finding.type == "EMAIL":
            return value.strip().casefold() in self.emails
        token = _token(value)
        if token in self.tokens:
            return True
        return (
            finding.type == "PHONE"
            and token.isdigit()
            and len(token) >= 8
            and token[-PHONE_TAIL:] in self.tails
        )


def own_identities(identity_maps: Iterable[Mapping[str, Iterable[str]]]) -> OwnIdentities:
    return OwnIdentities(v for m in identity_maps for vs in m.values() for v in vs)


def redact_text(text: str, own: OwnIdentities) -> tuple[str, int]:
    """`text` with other people's identifiers tagged; returns (text, how many were tagged).
    A value that cannot be scanned (binary, oversized) is withheld: it cannot be shown to be
    free of other people's data."""
    try:
        result = scan_and_redact(text, Operator.TAG, types=TYPES)
    except UnscannableText:
        return WITHHELD, 1
    others = [f for f in result.findings if not own.owns(f, text)]
    if len(others) == len(result.findings):
        return result.text, len(others)
    return (redact(text, others, Operator.TAG) if others else text), len(others)


def redact_package(
    policy: Policy,
    data: dict[str, dict[str, list[dict[str, Any]]]],
    own: OwnIdentities,
) -> dict[str, int]:
    """Redact the free-text fields of `data` (system -> table -> rows) in place; returns the
    number of identifiers tagged per `system.table` (counts only, no values)."""
    counts: dict[str, int] = {}
    for key, tables in data.items():
        spec = policy.system(key)
        for tspec in spec.tables:
            rows = tables.get(tspec.name)
            fields = [f.name for f in tspec.fields if f.free_text]
            if not rows or not fields:
                continue
            n = 0
            for row in rows:
                for name in fields:
                    value = row.get(name)
                    if isinstance(value, str) and value:
                        row[name], k = redact_text(value, own)
                        n += k
            if n:
                counts[f"{key}.{tspec.name}"] = n
    return counts
