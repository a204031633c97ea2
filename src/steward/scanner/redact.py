"""Redaction operators over findings: mask, type tag, keyed hash, consistent pseudonym.

`redact(text, findings, operator)` is pure: the same inputs give the same output. The keyed
hash (HMAC-SHA-256) lets two records holding the same identity number still be joined after
redaction without the number being recoverable by anyone who lacks the key; the pseudonym
(`[DK_CPR_1]`, `[EMAIL_2]`) keeps a document readable ("the same person as above").
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from steward.errors import InvalidInput
from steward.scanner.engine import DEFAULT_MAX_CHARS, DEFAULT_MIN_CONFIDENCE, scan
from steward.scanner.findings import NATIONAL_ID_TYPES, Finding

MIN_KEY_BYTES = 16
HASH_HEX_CHARS = 16  # 64 bits: enough to join on, short enough to read


class Operator(StrEnum):
    MASK = "mask"
    TAG = "tag"
    HASH = "hash"
    PSEUDONYM = "pseudonym"


_SEPARATORS = " -.+()/"


def normalize(finding_type: str, value: str) -> str:
    """The value stripped of layout, so "211062-5629" and "2110625629" hash alike; words
    (HEALTH, ABSENCE) and e-mail addresses compare case-insensitively."""
    if finding_type in NATIONAL_ID_TYPES or finding_type in {"PHONE", "IBAN", "CARD"}:
        return "".join(c for c in value if c not in _SEPARATORS).upper()
    return value.casefold()


def _mask(value: str, mask_char: str) -> str:
    # Keep separators and spaces so the text keeps its shape ("******-****").
    return "".join(c if c in _SEPARATORS or c.isspace() else mask_char for c in value)


def _hash(finding_type: str, value: str, key: bytes) -> str:
    data = f"{finding_type}\x1f{normalize(finding_type, value)}".encode("utf-8", "surrogatepass")
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:HASH_HEX_CHARS]


def _operator(operator: Operator | str, key: bytes | None, mask_char: str) -> Operator:
    try:
        op = Operator(operator)
    except ValueError:
        known = ", ".join(o.value for o in Operator)
        raise InvalidInput(f"unknown redaction operator {operator!r}; known: {known}") from None
    if op is Operator.HASH and (key is None or len(key) < MIN_KEY_BYTES):
        raise InvalidInput(f"the hash operator needs a key of at least {MIN_KEY_BYTES} bytes")
    if op is Operator.MASK and len(mask_char) != 1:
        raise InvalidInput("mask_char must be exactly one character")
    return op


def redact(
    text: str,
    findings: Iterable[Finding],
    operator: Operator | str = Operator.TAG,
    *,
    key: bytes | None = None,
    mask_char: str = "*",
) -> str:
    """`text` with every finding's span replaced by the operator's output.

    - mask: each character but separators becomes `mask_char` (same length);
    - tag: `[DK_CPR]`;
    - hash: `[DK_CPR:1f2e3d4c5b6a7988]`, HMAC-SHA-256 under `key` (at least 16 bytes) of the
      normalized value;
    - pseudonym: `[DK_CPR_1]`, numbered by first appearance; one value keeps its number
      throughout the document.
    Overlapping findings are resolved first-come (as `scan` never returns overlaps, this only
    matters for hand-made lists). Raises `InvalidInput` for an unknown operator, a missing or
    short key, a bad mask character, or a span outside the text.
    """
    op = _operator(operator, key, mask_char)
    ordered = sorted(findings, key=lambda f: (f.start, f.end))
    pseudonyms: dict[tuple[str, str], str] = {}
    counters: dict[str, int] = {}
    parts: list[str] = []
    cursor = 0
    for finding in ordered:
        if finding.start < 0 or finding.end > len(text) or finding.start >= finding.end:
            raise InvalidInput(f"finding span {finding.start}:{finding.end} is outside a text "
                               f"of {len(text)} characters")
        if finding.start < cursor:
            continue
        value = text[finding.start : finding.end]
        if op is Operator.MASK:
            replacement = _mask(value, mask_char)
        elif op is Operator.TAG:
            replacement = f"[{finding.type}]"
        elif op is Operator.HASH:
            assert key is not None
            replacement = f"[{finding.type}:{_hash(finding.type, value, key)}]"
        else:
            ident = (finding.type, normalize(finding.type, value))
            if ident not in pseudonyms:
                counters[finding.type] = counters.get(finding.type, 0) + 1
                pseudonyms[ident] = f"[{finding.type}_{counters[finding.type]}]"
            replacement = pseudonyms[ident]
        parts.append(text[cursor : finding.start])
        parts.append(replacement)
        cursor = finding.end
    parts.append(text[cursor:])
    return "".join(parts)


@dataclass(frozen=True)
class Redaction:
    """What `scan_and_redact` returns: the redacted text and the findings it replaced
    (spans refer to the original text)."""

    text: str
    findings: tuple[Finding, ...]


def scan_and_redact(
    text: str | bytes,
    operator: Operator | str = Operator.TAG,
    *,
    types: set[str] | frozenset[str] | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_chars: int = DEFAULT_MAX_CHARS,
    key: bytes | None = None,
    mask_char: str = "*",
) -> Redaction:
    """`scan` then `redact` in one call. Raises what either raises (options are checked
    before scanning)."""
    _operator(operator, key, mask_char)
    findings = scan(text, types=types, min_confidence=min_confidence, max_chars=max_chars)
    source = text if isinstance(text, str) else text.decode("utf-8")
    return Redaction(redact(source, findings, operator, key=key, mask_char=mask_char),
                     tuple(findings))
