"""Subject references: how the ledger names a person without holding their e-mail address.

- `acct:<id>`      an account id in the company's own systems
- `email:<hex>`    HMAC-SHA256 of the normalized address, keyed with the app secret: the same
                   address always maps to the same reference, but the ledger alone reveals
                   nothing (Art. 32: pseudonymisation) and cannot be brute-forced offline
                   without the key
- `cid:<uuid>`     a browser consent id created by the cookie banner
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

from steward.errors import InvalidInput

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


def email_ref(secret: str, email: str) -> str:
    """`email:<HMAC-SHA256(secret, normalized address)>`."""
    digest = hmac.new(secret.encode(), normalize_email(email).encode(), hashlib.sha256)
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


def subject_ref(secret: str, subject: str) -> str:
    """Turn what a caller gives (an e-mail, `acct:…`, `cid:…` or an `email:<hex>` reference)
    into the ledger's subject reference."""
    value = subject.strip()
    if _HEXREF.match(value) or _ACCT.match(value):
        return value
    if value.startswith("cid:") or _UUID.match(value):
        # A bare UUID is the consent id as the banner keeps it (its cookie holds no prefix).
        return cid_ref(value)
    if "@" in value:
        return email_ref(secret, value)
    raise InvalidInput(
        "subject must be an e-mail address, acct:<account id>, a consent id (cid:<uuid> or "
        "the bare uuid) or email:<64 hex digits>"
    )
