"""`scan(text) -> list[Finding]`: run the detectors, resolve overlaps, guard the input.

Bad input never raises anything but `UnscannableText` (an `InvalidInput`): bytes that are not
UTF-8 text, text with NUL bytes (binary stored in a text column), text over `max_chars`.
`scan_batch` is for callers that walk many values (database rows): it skips such values and
counts them by reason instead of stopping.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from steward.errors import InvalidInput
from steward.scanner import detectors
from steward.scanner.context import Context
from steward.scanner.findings import NATIONAL_ID_TYPES, Finding

DEFAULT_MIN_CONFIDENCE = 0.5
DEFAULT_MAX_CHARS = 1_000_000  # a support ticket is a few kB; a megabyte is a file, not a note

# On equal confidence the more specific type keeps an overlapping span.
_PRIORITY = {t: 3 for t in NATIONAL_ID_TYPES} | {"IBAN": 2, "CARD": 2, "EMAIL": 2, "PHONE": 1,
                                                   "HEALTH": 0, "ABSENCE": 0}

# The detectors come from the `steward.detectors` entry points (steward.scanner.detectors).


class UnscannableText(InvalidInput):
    """The value cannot be scanned; `reason` is 'binary', 'too_large' or 'not_text'."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason


def as_text(value: object, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The scannable text of a value: str as is, bytes decoded as UTF-8, int as its digits
    (an identity number stored as a number). Raises `UnscannableText` otherwise."""
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if len(raw) > max_chars * 4:
            raise UnscannableText("too_large", f"value of {len(raw)} bytes is over the limit")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UnscannableText("binary", "value is binary data, not UTF-8 text") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise UnscannableText("not_text", f"cannot scan a value of type {type(value).__name__}")
    if len(value) > max_chars:
        raise UnscannableText("too_large", f"text of {len(value)} characters is over the "
                                           f"limit of {max_chars}")
    if "\x00" in value:
        raise UnscannableText("binary", "text holds NUL bytes: binary data, not text")
    return value


def _check_options(types: set[str] | frozenset[str] | None, min_confidence: float) -> None:
    all_types = detectors.known_types()
    if types is not None and not types <= all_types:
        unknown = ", ".join(sorted(set(types) - all_types))
        known = ", ".join(sorted(all_types))
        raise InvalidInput(f"unknown finding type(s): {unknown}; known: {known}")
    if not 0.0 <= min_confidence <= 1.0:
        raise InvalidInput(f"min_confidence must be between 0 and 1, not {min_confidence}")


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the best of overlapping findings (confidence, then type priority, then length),
    returned in text order."""
    ranked = sorted(findings, key=lambda f: (-f.confidence, -_PRIORITY.get(f.type, 0),
                                             f.start - f.end, f.start))
    # Kept findings never overlap, so sorted by start they are sorted by end too: a new one
    # overlaps some kept finding iff it overlaps the last kept one starting before its end.
    starts: list[int] = []
    kept: list[Finding] = []
    for finding in ranked:
        i = bisect.bisect_left(starts, finding.end)
        if i and kept[i - 1].end > finding.start:
            continue
        starts.insert(i, finding.start)
        kept.insert(i, finding)
    return kept


# What `redact` writes: `[DK_CPR]`, `[ABSENCE_2]`, `[EMAIL:1f2e3d4c5b6a7988]`. The tag names
# are words too ("[ABSENCE]" reads as absence wording, "[HEALTH]" as health), so without this
# a second redaction would tag the tags and redaction in place would never settle.
@cache
def _redaction_token() -> re.Pattern[str]:
    types = "|".join(sorted(detectors.known_types()))
    return re.compile(r"\[(?:" + types + r")(?:_[0-9]+|:[0-9a-f]{8,64})?\]")


def _outside_redactions(text: str, candidates: list[Finding]) -> list[Finding]:
    """Candidates that do not overlap a redaction token left by an earlier `redact`."""
    if "[" not in text or not candidates:
        return candidates
    spans = [(m.start(), m.end()) for m in _redaction_token().finditer(text)]
    if not spans:
        return candidates
    starts = [s for s, _ in spans]
    out = []
    for f in candidates:
        i = bisect.bisect_left(starts, f.end)  # tokens starting before the finding's end
        if i and spans[i - 1][1] > f.start:
            continue
        out.append(f)
    return out


def scan(
    text: str | bytes,
    *,
    types: set[str] | frozenset[str] | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> list[Finding]:
    """Sensitive data in `text`, in text order, none overlapping.

    `types` limits the result to those type names (default: every type of the installed detectors);
    `min_confidence` drops weaker findings. Overlaps are resolved over every candidate before
    the filters, so asking for PHONE alone never reports the digits of a CPR number.
    Raises `UnscannableText` for binary or oversized input, `InvalidInput` for bad options.
    """
    _check_options(types, min_confidence)
    text = as_text(text, max_chars=max_chars)
    if not text:
        return []
    ctx = Context(text)
    candidates: list[Finding] = []
    for _, detector in detectors.installed():
        candidates.extend(detector.detect(ctx))
    candidates = _outside_redactions(text, candidates)
    kept = resolve_overlaps(candidates)
    return [f for f in kept
            if f.confidence >= min_confidence and (types is None or f.type in types)]


@dataclass
class BatchResult:
    """Findings per scanned value (by position in the input), and skipped values by reason."""

    findings: dict[int, list[Finding]] = field(default_factory=dict)
    scanned: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def scan_batch(
    values: Iterable[object],
    *,
    types: set[str] | frozenset[str] | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> BatchResult:
    """Scan many values (e.g. a column's rows). None is passed over; values that cannot be
    scanned (binary, too large, not text) are counted in `skipped` by reason."""
    _check_options(types, min_confidence)
    result = BatchResult()
    for index, value in enumerate(values):
        if value is None:
            continue
        try:
            text = as_text(value, max_chars=max_chars)
            found = scan(text, types=types, min_confidence=min_confidence, max_chars=max_chars)
        except UnscannableText as exc:
            result.skipped[exc.reason] += 1
            continue
        result.scanned += 1
        if found:
            result.findings[index] = found
    return result
