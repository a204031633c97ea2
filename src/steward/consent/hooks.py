"""Telling other capabilities that a consent decision was recorded.

Listeners come from the `steward.consent_listeners` entry-point group, Steward's own exactly
like a third party's (retention re-plans the rules whose condition reads the purpose):

    [project.entry-points."steward.consent_listeners"]
    retention = "steward.retention.consentlink:on_consent_change"

A listener is called as `fn(session, policy, purpose_key)` in the ledger writer's transaction,
after the event and the state row are written; it receives no subject reference, so nothing
about the person travels beyond the ledger. A listener that raises aborts the write (it is in
the same transaction): listeners keep to small bookkeeping in Steward's store.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points

from sqlalchemy.orm import Session

from steward.policy.models import Policy

GROUP = "steward.consent_listeners"
Listener = Callable[[Session, Policy, str], None]


@cache
def listeners() -> tuple[Listener, ...]:
    """Every installed listener, loaded once per process."""
    return tuple(ep.load() for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name))


def changed(session: Session, policy: Policy, purpose: str) -> None:
    """A decision for `purpose` was recorded in `session`'s transaction."""
    for listener in listeners():
        listener(session, policy, purpose)
