"""Sensitive-data scanner: pure detectors over free text, and redaction.

The seed policy (§2) promises that CPR numbers, absence reasons and health information
received in support cases are anonymized or deleted when the case closes; this package finds
them (Art. 9 GDPR special categories; Danish Data Protection Act § 11 for CPR numbers) in
Danish, Norwegian, Swedish, Finnish and English text, with no model and nothing downloaded.
Health and absence words are data: `vocabulary/<language>.txt` (format in its README).

API (all pure; no I/O):

- `scan(text, *, types=None, min_confidence=0.5, max_chars=1_000_000) -> list[Finding]`
  Findings in text order, never overlapping. `text` may be str or UTF-8 bytes. Raises
  `UnscannableText` (an `InvalidInput` with `.reason` 'binary' | 'too_large' | 'not_text')
  for binary or oversized input, `InvalidInput` for an unknown type or a bad confidence.
- `scan_batch(values, ...) -> BatchResult`: many values (e.g. rows); None is passed over,
  unscannable values are counted in `BatchResult.skipped` by reason instead of raising.
- `Finding(type, start, end, confidence, rule)`: frozen; `finding.excerpt(text)` gives the
  matched characters. It holds no personal data itself, so it is safe to log.
- `redact(text, findings, operator="tag", *, key=None, mask_char="*") -> str` with
  operators `mask` (`******-****`), `tag` (`[DK_CPR]`), `hash` (`[DK_CPR:<HMAC-SHA-256>]`,
  needs `key`, ≥ 16 bytes) and `pseudonym` (`[DK_CPR_1]`, consistent within the text).
- `scan_and_redact(text, operator, ...) -> Redaction(text, findings)`.

Types (`ALL_TYPES`): DK_CPR, NO_FNR, NO_DNR, SE_PNR, SE_SAMORD, FI_HETU, UK_NINO, EMAIL,
PHONE, IBAN, CARD, HEALTH, ABSENCE. `rule` names what fired, e.g. `dk_cpr.date+mod11+context`.

How: cheap candidate regexes (compiled once), then validation (python-stdnum for dates and
check digits, `phonenumbers` metadata for phone plans, where validity raises confidence and
shape plus a phone word is enough), then context: a label word before a
number raises confidence ("CPR:", "personnummer"), a label of something else suppresses it
("Ordre", "faktura", "tlf"), and the document's language and country words settle numbers
whose layouts collide (a 10-digit CPR can also be a valid Swedish personnummer).
`corpus.generate_corpus(n, seed=...)` makes labeled fictional tickets for tests and demos;
`fakes` makes generated-valid numbers.
"""

from steward.scanner.engine import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MIN_CONFIDENCE,
    BatchResult,
    UnscannableText,
    scan,
    scan_batch,
)
from steward.scanner.findings import ALL_TYPES, NATIONAL_ID_TYPES, Finding
from steward.scanner.redact import Operator, Redaction, redact, scan_and_redact

__all__ = [
    "ALL_TYPES",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_MIN_CONFIDENCE",
    "NATIONAL_ID_TYPES",
    "BatchResult",
    "Finding",
    "Operator",
    "Redaction",
    "UnscannableText",
    "redact",
    "scan",
    "scan_and_redact",
    "scan_batch",
]
