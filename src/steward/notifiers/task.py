"""TaskNotifier: an officer tells the recipient (by phone, a portal, a ticket) and confirms it
in the console or through the API, with the date it was done. Nothing is sent here: the
notification stays open until confirmed or, with a reason, waived (GDPR Art. 19)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from steward.config import Settings
from steward.notifiers.base import Art19Notice, Outcome
from steward.policy.models import Notify


class TaskNotifier:
    name: ClassVar[str] = "task"

    def __init__(self, *, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        # Nothing is sent: an officer tells the recipient and confirms it with a date.
        self.settings = settings

    def send(self, notice: Art19Notice, target: Notify) -> Outcome:
        return Outcome(sent=False)
