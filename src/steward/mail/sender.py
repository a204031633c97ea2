"""Sending mail through SMTP or into the outbox folder (`data_dir/outbox/*.eml`)."""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from email.utils import format_datetime, make_msgid
from pathlib import Path

from steward.config import Settings
from steward.errors import Unavailable


@dataclass(frozen=True)
class OutboxMessage:
    path: Path
    message_id: str
    to: str
    subject: str
    date: str
    body: str


class Mailer:
    """Built from settings; `send` delivers by SMTP when `smtp_host` is set, else to the outbox."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def build(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.settings.mail_from
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(datetime.now(UTC))
        domain = self.settings.mail_from.rsplit("@", 1)[-1]
        msg["Message-ID"] = make_msgid(domain=domain)
        for k, v in (headers or {}).items():
            msg[k] = v
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
        return msg

    def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        msg = self.build(to=to, subject=subject, text=text, html=html, headers=headers)
        if self.settings.smtp_host:
            self._smtp(msg)
        else:
            self._outbox(msg)
        return str(msg["Message-ID"])

    @contextlib.contextmanager
    def connection(self) -> Iterator[Callable[[EmailMessage], None]]:
        """One SMTP connection for many messages (a batch of a mail run): yields a function
        that sends one built message. Without `smtp_host` it writes to the outbox. A refused
        recipient raises `Unavailable` naming `SMTPRecipientsRefused` and leaves the
        connection usable; a lost connection is reopened once for the next message."""
        if not self.settings.smtp_host:
            yield self._outbox
            return
        holder: list[smtplib.SMTP] = []

        def send(msg: EmailMessage) -> None:
            for attempt in (1, 2):
                try:
                    if not holder:
                        holder.append(self._open())
                    holder[0].send_message(msg)
                    return
                except smtplib.SMTPRecipientsRefused as err:
                    raise Unavailable(
                        "the mail server refused the recipient: SMTPRecipientsRefused") from err
                except (OSError, smtplib.SMTPException) as err:
                    if holder:
                        with contextlib.suppress(OSError, smtplib.SMTPException):
                            holder[0].close()
                        holder.clear()
                    if attempt == 2 or not isinstance(err, smtplib.SMTPServerDisconnected):
                        raise Unavailable(
                            f"the mail server could not be reached: {err.__class__.__name__}"
                        ) from err

        try:
            yield send
        finally:
            if holder:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    holder[0].quit()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=20)
        if s.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user and s.smtp_password:
            smtp.login(s.smtp_user, s.smtp_password)
        return smtp

    def _smtp(self, msg: EmailMessage) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=20) as smtp:
                if s.smtp_starttls and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user and s.smtp_password:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as err:
            raise Unavailable(
                f"the mail server could not be reached: {err.__class__.__name__}"
            ) from err

    def _outbox(self, msg: EmailMessage) -> None:
        # The outbox holds verification codes and addresses in clear: owner-only folder and
        # files (0700/0600), whatever the process umask.
        folder = self.settings.outbox_dir
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_mode & 0o077:
            with contextlib.suppress(OSError):  # not ours: the owner's setting stands
                folder.chmod(0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        ident = str(msg["Message-ID"]).strip("<>").split("@")[0]
        tmp = folder / f".{stamp}-{ident}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(msg))
        tmp.rename(folder / f"{stamp}-{ident}.eml")  # atomic: readers never see half a message


def list_outbox(settings: Settings, *, limit: int = 100) -> list[OutboxMessage]:
    """Newest first."""
    folder = settings.outbox_dir
    if not folder.exists():
        return []
    out: list[OutboxMessage] = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        msg = BytesParser(policy=default).parsebytes(path.read_bytes())
        part = msg.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
        out.append(
            OutboxMessage(
                path,
                str(msg["Message-ID"]),
                str(msg["To"]),
                str(msg["Subject"]),
                str(msg["Date"]),
                body,
            )
        )
    return out
