"""ManualConnector: a system nobody can connect (a spreadsheet, a paper archive, a tool
without an API), searched and changed by its owner.

Declared in the policy as `connector: manual` with `url: mailto:<owner's address>`. Each
operation of a request (search, erase, rectify, restrict) becomes a task mailed to the owner
with a signed link to a page where they record what they found or did (optionally with a
file, encrypted at rest). Until they answer, the system is *not searched* (GDPR Art. 15(1))
and the request waits; each retry of the request mails a reminder once `REMIND_AFTER` has
passed. Their answer becomes the system's records, so the answer letter includes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from steward.connectors._tasked import TaskedConnector
from steward.connectors.tasks import SystemTask, due_reminder
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.mail.sender import Mailer
from steward.policy.models import SystemSpec

# Marked for the catalogs: the task page shows them in the reader's language.
WHAT = {
    "search": N_("look for the records of one person (GDPR Art. 15: access request)"),
    "erase": N_("erase the records of one person (GDPR Art. 17: erasure request)"),
    "rectify": N_("correct one record (GDPR Art. 16: rectification request)"),
    "restrict": N_("restrict the processing of one person's records (GDPR Art. 18)"),
}


def task_link(base_url: str, mac: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/system-tasks/{token}.{mac}"


class ManualConnector(TaskedConnector):
    kind: ClassVar[str] = "manual"

    def __init__(self, system: SystemSpec, *, url: str, env: Mapping[str, str] | None = None,
                 base_dir: Path | None = None) -> None:
        if not url.startswith("mailto:") or "@" not in url:
            raise InvalidInput(f"system {system.key!r}: a manual system's url is "
                               f"mailto:<the owner's e-mail address>")
        super().__init__(system, url=url, env=env, base_dir=base_dir)
        self.owner = url.removeprefix("mailto:").strip()

    def link(self, task: SystemTask) -> str:
        return task_link(self.ledger.settings.base_url, link_mac(self.ledger, task.token),
                         task.token)

    def deliver(self, task: SystemTask, payload: Mapping[str, Any], new: bool) -> None:
        now = datetime.now(UTC)
        if not new and not due_reminder(task, now):
            return
        reminder = task.sent_at is not None
        subject = ("Reminder: " if reminder else "") + \
            f"Privacy request: please answer for {self.system.name}"
        text = (
            f"A privacy request reached {self.system.name}, which Steward cannot search by "
            f"itself. Please {WHAT[task.op]}.\n\n"
            f"Open this link to see what to look for and to record what you found or did:\n"
            f"{self.link(task)}\n\n"
            "The request stays open until you answer: the law counts a system nobody "
            "searched as not searched (GDPR Art. 15(1)), and the answer is due within one "
            "month of the request (Art. 12(3)).\n"
        )
        Mailer(self.ledger.settings).send(to=self.owner, subject=subject, text=text)
        self.ledger.mark_sent(task.id, ok=True)

    def waiting_text(self, task: SystemTask) -> str:
        return (f"waiting for the owner of {self.system.key} to answer its {task.op} task "
                f"(GDPR Art. 15(1): not searched until then)")


def link_mac(ledger: Any, token: str) -> str:
    return str(ledger.sealer.mac("system-task-link", token))[:32]
