"""Subject references: how the ledger names a person without holding their e-mail address.

- `acct:<id>`      an account id in the company's own systems
- `email:<hex>`    HMAC-SHA256 of the normalized address, keyed with a key derived from the app
                   secret (HKDF-SHA256, info "steward consent subject"): the same address always
                   maps to the same reference, but the ledger alone reveals nothing (Art. 32:
                   pseudonymisation) and cannot be brute-forced offline without the key. The
                   derived key is used for nothing else, so the app secret itself never keys a
                   hash whose outputs are stored. The breach register's recipient hashes are the
                   same digest without the prefix (`email_hasher`).
- `cid:<uuid>`     a browser consent id created by the cookie banner
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from steward.errors import InvalidInput

HKDF_INFO = b"steward consent subject"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEXREF = re.compile(r"^email:[0-9a-f]{64}$")
_ACCT = re.compile(r"^acct:[A-Za-z0-9_.:\-]{1,100}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def normalize_email(email: str) -> str:
    """Trim and lowercase; raise InvalidInput for something that is not an address."""
    value = email.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidInput("a valid e-mail address is needed")
    return value


@lru_cache(maxsize=8)
def _subject_key(secret: str) -> bytes:
    """The 256-bit key for subject references, derived from the app secret (RFC 5869 HKDF;
    no salt: the secret is already a uniformly random key). Cached: filtering a list hashes
    many addresses under the same secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=HKDF_INFO).derive(secret.encode())


def email_hasher(secret: str) -> hmac.HMAC:
    """A fresh HMAC-SHA256 under the derived subject key, not yet fed any address. Feed it a
    normalized address (or `.copy()` it per address when hashing many) and take the hex
    digest: that is the part of `email_ref` after `email:`."""
    return hmac.new(_subject_key(secret), digestmod=hashlib.sha256)


def email_ref(secret: str, email: str) -> str:
    """`email:<HMAC-SHA256(HKDF(secret), normalized address)>`; InvalidInput for a non-address."""
    digest = email_hasher(secret)
    digest.update(normalize_email(email).encode())
    return "email:" + digest.hexdigest()


def new_consent_id() -> str:
    return "cid:" + str(uuid.uuid4())


def cid_ref(consent_id: str) -> str:
    """Validate a browser consent id (with or without the `cid:` prefix)."""
    raw = consent_id[4:] if consent_id.startswith("cid:") else consent_id
    try:
        return "cid:" + str(uuid.UUID(raw))
    except ValueError:
        raise InvalidInput("a consent id is a UUID") from None


def reference(value: str) -> str:
    """A ledger reference as given (`email:<64 hex>`, `acct:…`, `cid:<uuid>` or the bare uuid),
    never an e-mail address: for places where an address must not appear, such as a URL that
    lands in browser history. InvalidInput otherwise."""
    value = value.strip()
    if _HEXREF.match(value) or _ACCT.match(value):
        return value
    if value.startswith("cid:") or _UUID.match(value):
        # A bare UUID is the consent id as the banner keeps it (its cookie holds no prefix).
        return cid_ref(value)
    raise InvalidInput("a subject reference is email:<64 hex digits>, acct:<account id> or a "
                       "consent id (cid:<uuid> or the bare uuid)")


def subject_ref(secret: str, subject: str) -> str:
    """Turn what a caller gives (an e-mail, `acct:…`, `cid:…` or an `email:<hex>` reference)
    into the ledger's subject reference."""
    value = subject.strip()
    if _HEXREF.match(value) or _ACCT.match(value) or value.startswith("cid:") or _UUID.match(value):
        return reference(value)
    if "@" in value:
        return email_ref(secret, value)
    raise InvalidInput(
        "subject must be an e-mail address, acct:<account id>, a consent id (cid:<uuid> or "
        "the bare uuid) or email:<64 hex digits>"
    )
