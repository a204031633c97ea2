"""Finding notifiers: every notifier, ours included, comes from the `steward.notifiers`
entry-point group, exactly as a third party's would.

A third-party package declares, in its pyproject.toml:

    [project.entry-points."steward.notifiers"]
    ticket = "acme_steward.ticket:TicketNotifier"

and a policy then says `notify: {channel: ticket, ...}` for a recipient.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points

from steward.config import Settings
from steward.errors import InvalidInput
from steward.notifiers.base import Notifier

GROUP = "steward.notifiers"


def available() -> dict[str, EntryPoint]:
    """Notifier name -> entry point, for every installed notifier."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def notifier_for(
    channel: str, *, settings: Settings, env: Mapping[str, str] | None = None
) -> Notifier:
    """A ready notifier for `channel`; InvalidInput listing the known names otherwise."""
    eps = available()
    if channel not in eps:
        known = ", ".join(sorted(eps)) or "(none installed)"
        raise InvalidInput(f"unknown notification channel {channel!r}; known: {known}")
    cls: type[Notifier] = eps[channel].load()
    return cls(settings=settings, env=env)
