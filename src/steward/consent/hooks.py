"""Telling other capabilities that a consent decision was recorded, and asking them whether
processing must wait.

Listeners come from the `steward.consent_listeners` entry-point group, Steward's own exactly
like a third party's (retention re-plans the rules whose condition reads the purpose):

    [project.entry-points."steward.consent_listeners"]
    retention = "steward.retention.consentlink:on_consent_change"

A listener is called as `fn(session, policy, purpose_key)` in the ledger writer's transaction,
after the event and the state row are written; it receives no subject reference, so nothing
about the person travels beyond the ledger. A listener that raises aborts the write (it is in
the same transaction): listeners keep to small bookkeeping in Steward's store.

Gates come from the `steward.consent_gates` group: an object (usually a module) with
`not_yet(conn, purpose, ref, at)` and `not_yet_among(conn, purpose, refs, at)`, which return
why processing must wait (a check's `basis`) or None, as the publication's start-date gate does:

    [project.entry-points."steward.consent_gates"]
    announcements = "steward.publication.gate"

The consent checks ask every gate before the ledger; so consent imports no capability that
holds such a rule back, and that capability may use consent freely.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib.metadata import entry_points
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from steward.policy.models import Policy

GROUP = "steward.consent_listeners"
GATES = "steward.consent_gates"
Listener = Callable[[Session, Policy, str], None]
Basis = dict[str, Any]


class Gate(Protocol):
    def not_yet(self, session: Session | Connection, purpose: str, ref: str | None,
                at: datetime, *, policy_version: str | None = None) -> Basis | None: ...

    def not_yet_among(self, session: Session | Connection, purpose: str, refs: list[str],
                      at: datetime, *, policy_version: str | None = None
                      ) -> tuple[Basis | None, dict[str, Basis]]: ...


@cache
def listeners() -> tuple[Listener, ...]:
    """Every installed listener, loaded once per process."""
    return tuple(ep.load() for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name))


def changed(session: Session, policy: Policy, purpose: str) -> None:
    """A decision for `purpose` was recorded in `session`'s transaction."""
    for listener in listeners():
        listener(session, policy, purpose)


@cache
def gates() -> tuple[Gate, ...]:
    """Every installed gate, loaded once per process."""
    return tuple(ep.load() for ep in sorted(entry_points(group=GATES), key=lambda e: e.name))


def not_yet(conn: Session | Connection, purpose: str, ref: str | None,
            at: datetime, *, policy_version: str | None = None) -> Basis | None:
    """The first gate's reason why processing `ref` for `purpose` must wait, or None.
    `policy_version`: the version of the policy the caller runs (a gate may cache by it)."""
    for gate in gates():
        if (basis := gate.not_yet(conn, purpose, ref, at,
                                  policy_version=policy_version)) is not None:
            return basis
    return None


def not_yet_among(conn: Session | Connection, purpose: str, refs: list[str],
                  at: datetime, *, policy_version: str | None = None
                  ) -> tuple[Basis | None, dict[str, Basis]]:
    """(a reason for everyone, or None; the reasons of the refs that must wait), every gate
    asked; the first gate's reason wins."""
    waiting: dict[str, Basis] = {}
    for gate in gates():
        everyone, some = gate.not_yet_among(conn, purpose, refs, at,
                                            policy_version=policy_version)
        if everyone is not None:
            return everyone, {}
        for ref, basis in some.items():
            waiting.setdefault(ref, basis)
    return None, waiting
