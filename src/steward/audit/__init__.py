"""Append-only, hash-chained audit log: `append(session, actor=..., action=...)`, `verify`."""

from steward.audit.chain import Verdict
from steward.audit.log import append, events_for, recent, verify

__all__ = ["Verdict", "append", "events_for", "recent", "verify"]
