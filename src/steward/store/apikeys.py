"""API keys shown once and stored as a hash: `<tag>_<prefix>_<secret>`.

Keys are 256-bit random values, so a fast hash is enough (no password stretching needed);
lookups go by the non-secret prefix and compare digests in constant time. Each capability
keeps its keys in its own table (`consent_api_keys`, `controller_api_keys`) and its own tag,
so a key of one kind is never accepted as another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class NewKey:
    prefix: str  # the lookup part, not secret (listed, used to revoke)
    key: str  # the whole key: shown once, never stored
    key_hash: str


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def make(tag: str) -> NewKey:
    prefix = secrets.token_hex(6)
    key = f"{tag}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(prefix, key, digest(key))


def prefix_of(key: str, tag: str) -> str | None:
    """The prefix of a key of kind `tag`, or None when `key` is not one."""
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != tag or not parts[1]:
        return None
    return parts[1]


def matches(key_hash: str, key: str) -> bool:
    return hmac.compare_digest(key_hash, digest(key))


K = TypeVar("K", bound="KeyRow")


class KeyRow(Protocol):
    """A key table's row: its non-secret prefix, the key's digest, when it was revoked."""

    prefix: Any
    key_hash: Any
    revoked_at: Any


def active(session: Session, table: type[K], key: str, tag: str) -> K | None:
    """The active (not revoked) row of `table` for `key`, or None: looked up by the prefix,
    then the digest compared in constant time."""
    prefix = prefix_of(key, tag)
    if prefix is None:
        return None
    row = session.scalar(select(table).where(table.prefix == prefix))
    if row is None or row.revoked_at is not None:
        return None
    return row if matches(row.key_hash, key) else None
