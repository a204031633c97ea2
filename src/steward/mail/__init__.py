"""Outgoing e-mail: SMTP (STARTTLS, auth) when configured, else an outbox folder the console
shows. `send(...)` returns the message id. Nothing personal beyond what the message needs goes
out: requests and downloads are answered through the privacy center, never by plain mail."""

from steward.mail.sender import Mailer, OutboxMessage, list_outbox

__all__ = ["Mailer", "OutboxMessage", "list_outbox"]
