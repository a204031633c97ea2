"""Signed, expiring tokens for the e-mail links (itsdangerous, keyed with the app secret).

Each kind has its own salt, so a token made for one link never works for another. Payloads
hold subject references (never a plain address) and purpose keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from steward.errors import StewardError

MAX_AGE = {
    "confirm": 2 * 24 * 3600,  # double opt-in confirmation: two days
    "preferences": 24 * 3600,  # preference-center link: one day
    "unsubscribe": 400 * 24 * 3600,  # unsubscribe links in mail: a long while
}


class BadToken(StewardError):
    """A link whose signature does not match or that has expired: nothing is changed."""

    status = 400
    title = "Invalid or expired link"


def _serializer(secret: str, kind: str) -> URLSafeTimedSerializer:
    if kind not in MAX_AGE:
        raise ValueError(f"unknown token kind {kind!r}")
    return URLSafeTimedSerializer(secret, salt=f"steward.consent.{kind}")


def make(secret: str, kind: str, payload: dict[str, Any]) -> str:
    return _serializer(secret, kind).dumps(payload)


def maker(secret: str, kind: str) -> Callable[[dict[str, Any]], str]:
    """`make` for many payloads of one kind: the signer is built once (filtering a list signs
    one unsubscribe link per recipient)."""
    return _serializer(secret, kind).dumps


def read(secret: str, kind: str, token: str, *, max_age: int | None = None) -> dict[str, Any]:
    """The payload of a valid token; BadToken (400) when tampered with or expired."""
    try:
        data = _serializer(secret, kind).loads(token, max_age=max_age or MAX_AGE[kind])
    except SignatureExpired:
        raise BadToken("this link has expired; ask for a new one") from None
    except BadSignature:
        raise BadToken("this link is not valid (it may have been altered)") from None
    if not isinstance(data, dict):
        raise BadToken("this link is not valid")
    return data


def digest(token: str) -> str:
    """A short fingerprint of a token for evidence references."""
    return hashlib.sha256(token.encode()).hexdigest()
