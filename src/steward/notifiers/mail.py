"""MailNotifier: an e-mail to the recipient's privacy contact (`notify.email`), through the
mail sender (SMTP, or the outbox folder when no server is configured)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from steward.config import Settings
from steward.mail import Mailer
from steward.notifiers.base import Art19Notice, Outcome
from steward.policy.models import Notify


def body(notice: Art19Notice) -> str:
    """The message: what changed, for whom, and what the recipient is asked to do."""
    who = f"{notice.controller} tells you under GDPR Art. 19"
    if notice.processor:
        who = (
            f"{notice.processor}, as processor for {notice.controller}, tells you on its "
            "behalf (GDPR Art. 19 and Art. 28(3)(e))"
        )
    lines = [
        f"Dear {notice.recipient},",
        "",
        f"{who} that a data subject's {notice.right} request ({notice.article}) has been "
        f"carried out. Please {notice.action} in every system where you hold it for us, and "
        "pass this on to your own sub-processors (GDPR Art. 28(4)).",
        "",
        "The data subject:",
    ]
    for kind, values in sorted(notice.identities.items()):
        lines += [f"  {kind}: {v}" for v in values]
    if notice.changes:
        lines += ["", "The corrected values:"]
        lines += [
            f"  {field}: {'(removed)' if value is None else value}"
            for field, value in sorted(notice.changes.items())
        ]
    lines += [
        "",
        f"Our reference: {notice.request_ref}. Please confirm by replying to this message.",
        "",
        f"Kind regards,\n{notice.sender}",
    ]
    return "\n".join(lines)


class MailNotifier:
    name: ClassVar[str] = "mail"

    def __init__(self, *, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        self.mailer = Mailer(settings)

    def send(self, notice: Art19Notice, target: Notify) -> Outcome:
        """Raises Unavailable when the mail server is down (the row stays pending)."""
        assert target.email is not None  # the policy model requires it for this channel
        msg_id = self.mailer.send(
            to=target.email,
            subject=f"GDPR Art. 19: {notice.right} carried out (ref. {notice.request_ref})",
            text=body(notice),
        )
        return Outcome(sent=True, ref=msg_id)
