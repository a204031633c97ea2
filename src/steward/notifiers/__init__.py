"""Notifiers: how recipients are told of a rectification, erasure or restriction (GDPR Art. 19).

Every notifier, ours included, comes from the `steward.notifiers` entry-point group, exactly as
a third party's would (see `registry.py`). A policy names one per recipient in its `notify:`
block; `steward.requests.notifications` keeps one row per recipient and request and sends it.
"""

from steward.notifiers.base import Art19Notice, Notifier, Outcome

__all__ = ["Art19Notice", "Notifier", "Outcome"]
