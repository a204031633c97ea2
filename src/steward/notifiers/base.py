"""The notifier contract (GDPR Art. 19).

A notifier class is constructed as `cls(settings=..., env=...)` and its `send(notice, target)`
either tells the recipient now (returns `Outcome(sent=True, ref=...)`), leaves the telling to an
officer (`Outcome(sent=False)`: the officer confirms with a date), or raises `Unavailable` when
the recipient could not be reached now (the send is retried later).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from steward.config import Settings
from steward.policy.models import Notify

# What Art. 19 asks the recipient to do, by request type.
ACTIONS = {
    "erasure": ("GDPR Art. 17", "erase the personal data of this data subject"),
    "rectification": ("GDPR Art. 16", "correct the personal data of this data subject"),
    "restriction": ("GDPR Art. 18", "restrict the processing of this data subject's data"),
}


@dataclass(frozen=True)
class Art19Notice:
    """What a recipient is told. `identities` and `changes` are personal data: they go to the
    recipient and nowhere else (never to logs, errors or the audit log)."""

    request_ref: str  # the request's public id, for the recipient's reply
    right: str  # erasure | rectification | restriction
    controller: str
    recipient: str
    identities: Mapping[str, list[str]]
    changes: Mapping[str, str | None] = field(default_factory=dict)
    # Set when the company tells as `controller`'s processor (Art. 28(3)(e)): its own name.
    processor: str = ""

    @property
    def sender(self) -> str:
        """Who tells the recipient: the controller, or the processor assisting it."""
        return self.processor or self.controller

    @property
    def article(self) -> str:
        return ACTIONS[self.right][0]

    @property
    def action(self) -> str:
        return ACTIONS[self.right][1]

    def as_json(self) -> dict[str, object]:
        return {
            "type": "art19_notification",
            "request": self.request_ref,
            "right": self.right,
            "article": self.article,
            "controller": self.controller,
            **({"processor": self.processor} if self.processor else {}),
            "identities": {k: list(v) for k, v in self.identities.items()},
            "changes": dict(self.changes),
        }


@dataclass(frozen=True)
class Outcome:
    """`sent`: the recipient was told now (`ref`: message id, HTTP status); else an officer
    must tell them and confirm."""

    sent: bool
    ref: str = ""


class Notifier(Protocol):
    """Tells one recipient (see the module docstring)."""

    name: ClassVar[str]

    def __init__(self, *, settings: Settings, env: Mapping[str, str] | None = None) -> None: ...

    def send(self, notice: Art19Notice, target: Notify) -> Outcome: ...
