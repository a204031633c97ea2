"""Keys derived from the app secret: Fernet encryption for what a request holds at rest
(details, changes, letters, packages) and HMAC hashes for codes, tokens and subject lookups.

Keys are derived with HKDF-SHA256 from `Settings.resolved_secret_key()`, one per use (`info`),
so a leaked hash key never decrypts a package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from steward.errors import Conflict


@lru_cache(maxsize=32)
def _derive(secret: str, info: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"steward-requests", info=info.encode()
    ).derive(secret.encode())


class Sealer:
    """Encrypt/decrypt and keyed hashing for one app secret."""

    def __init__(self, secret: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, "fernet:v1")))
        self._mac = _derive(secret, "hmac:v1")

    def seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def open(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as err:
            raise Conflict(
                "stored data could not be decrypted: was the secret key changed?"
            ) from err

    def seal_text(self, text: str | None) -> str | None:
        return None if text is None else self.seal(text.encode()).decode("ascii")

    def open_text(self, token: str | None) -> str | None:
        return None if token is None else self.open(token.encode("ascii")).decode()

    def mac(self, *parts: str) -> str:
        """HMAC-SHA256 of the parts (unit-separated), hex."""
        msg = "\x1f".join(parts).encode()
        return hmac.new(self._mac, msg, hashlib.sha256).hexdigest()


def value_hash(value: object) -> str:
    """A short fingerprint of a value for the audit log (Art. 16: old and new values are
    proven by hash, never written in clear)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]
