"""What the `anonymize` action writes: pseudonyms and generalizations. (Redaction is the
scanner's `steward.scanner.inplace.redact_value`; see `batch.py`.)

Each transform is idempotent — applied to its own output it changes nothing — so a batch that
is repeated after a crash finds no work left and changes no row twice.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from typing import Any

PSEUDONYM_PREFIX = "anon:"
PSEUDONYM_HEX = 20


def anonymize_key(secret: str) -> bytes:
    """The HMAC key for pseudonyms, derived from Steward's secret (never stored with data)."""
    return hmac.new(secret.encode(), b"steward.retention.anonymize", hashlib.sha256).digest()


def pseudonym(value: str, key: bytes, max_length: int | None = None) -> str | None:
    """A consistent pseudonym: the same value gives the same pseudonym under one key, so rows
    can still be counted and grouped; without the key the value cannot be recovered."""
    if value.startswith(PSEUDONYM_PREFIX):
        return value
    digest = hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    out = PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX]
    if max_length is not None and max_length < len(out):
        return None if max_length < len(PSEUDONYM_PREFIX) + 8 else out[:max_length]
    return out


def anonymize_value(value: Any, key: bytes, max_length: int | None = None) -> Any:
    """Text → pseudonym; dates → 1 January of their year (generalization); other values
    (numbers, booleans, bytes) → NULL."""
    if value is None:
        return None
    if isinstance(value, str):
        return pseudonym(value, key, max_length)
    if isinstance(value, datetime):
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, date):
        return value.replace(month=1, day=1)
    return None

