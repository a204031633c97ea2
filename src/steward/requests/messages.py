"""A secure message thread per request (seed §4 "it may be necessary to ask for additional
information from you", §8 "an ordinary email is NOT considered as secure communication").

The officer writes from the console: a plain message, or a question that asks the person for
identification or for clarification of the request's scope (GDPR Art. 12(6)); such a question
records a wait (`steward.requests.pauses`), which stops the clock where the jurisdiction says
so (UK GDPR Art. 12A; in the EU the statutory date stands, EDPB Guidelines 01/2022). The
person reads and answers in the privacy center after verifying; their reply ends the wait.
Texts are encrypted with the app key; attachments are checked (size, kind by name and content)
before anything is stored, encrypted in the data folder, and deleted with the request's data
(`purge`). Mails say only that a message is waiting, with a link: never its content. A closed
request's thread is read-only on both sides.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.config import Settings
from steward.errors import Conflict, InvalidInput, NotFound, Unavailable
from steward.i18n import gettext as _
from steward.i18n import language
from steward.mail import Mailer
from steward.policy.models import Policy
from steward.requests import pauses
from steward.requests.assisted_texts import controller_name
from steward.requests.packages import DOWNLOAD_DAYS
from steward.requests.states import CLOSED, record, ref
from steward.requests.tables import DsrAttachment, DsrEvent, DsrMessage, DsrRequest
from steward.store.db import as_utc, transaction
from steward.store.sealing import Sealer

OFFICER = "officer"
SUBJECT = "subject"
# Message kinds the officer chooses from, and the wait each records (Art. 12(6)).
KINDS: dict[str, str | None] = {
    "message": None,
    "identification": "identification",
    "clarification": "clarification",
}
MAX_TEXT = 5000
# Kinds of attachment by file extension: the media type, and how the content must begin.
_KNOWN: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
_EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg"}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def allowed_kinds(settings: Settings) -> list[str]:
    return [k for k in (t.strip().lower() for t in settings.attachment_types.split(",")) if k]


def check_attachment(settings: Settings, upload: Upload) -> str:
    """The media type of an acceptable attachment; InvalidInput (nothing stored) for an empty,
    oversized or unsupported file, or one whose content is not what its name says."""
    limit = settings.attachment_limit_bytes
    kinds = allowed_kinds(settings)
    names = ", ".join(k.upper() for k in kinds)
    if not upload.data:
        raise InvalidInput(_("The attached file is empty."), field="attachment")
    if len(upload.data) > limit:
        raise InvalidInput(
            _("The attached file is too large: at most %(mb)s MB.") % {"mb": f"{limit / 2**20:g}"},
            field="attachment",
        )
    ext = Path(upload.filename).suffix.lower().lstrip(".")
    kind = _EXTENSIONS.get(ext)
    if kind is None or kind not in kinds or kind not in _KNOWN:
        raise InvalidInput(
            _("This kind of file cannot be attached; allowed: %(kinds)s.") % {"kinds": names},
            field="attachment",
        )
    media_type, starts = _KNOWN[kind]
    if not upload.data.startswith(starts):
        raise InvalidInput(
            _("The attached file is not a valid %(kind)s file.") % {"kind": kind.upper()},
            field="attachment",
        )
    return media_type


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "attachment"
    keep = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name)
    return keep[-120:]


def _store(sealer: Sealer, data_dir: Path, data: bytes) -> str:
    """Encrypt and write; written under a temporary name and renamed (a kill leaves no half
    file under the real name). Returns the stored name."""
    name = f"{secrets.token_hex(16)}.bin"
    folder = _folder(data_dir)
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(sealer.seal(data))
    tmp.rename(folder / name)
    return name


def is_closed(req: DsrRequest) -> bool:
    return req.state in CLOSED


def post(
    session: Session,
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    req: DsrRequest,
    *,
    author: str,
    actor: str,
    text: str,
    kind: str = "message",
    upload: Upload | None = None,
    now: datetime | None = None,
) -> DsrMessage:
    """Add a message to the thread. Everything is checked before anything is written: a closed
    request (Conflict), an empty or too long text, an unknown kind, a bad attachment
    (InvalidInput). An officer's question records a wait (Art. 12(6)); the person's reply ends
    an open one (the day it arrived restarts a UK clock)."""
    now = now or datetime.now(UTC)
    if is_closed(req):
        raise Conflict(_("This request is closed: its messages can be read but not answered."))
    if author not in (OFFICER, SUBJECT):
        raise InvalidInput("author: officer or subject", field="author")
    if kind not in KINDS or (author == SUBJECT and kind != "message"):
        raise InvalidInput(f"kind: one of {', '.join(KINDS)}", field="kind")
    body = (text or "").strip()
    if not body:
        raise InvalidInput(_("Write a message."), field="text")
    if len(body) > MAX_TEXT:
        raise InvalidInput(
            _("The message is too long: at most %(n)s characters.") % {"n": MAX_TEXT},
            field="text",
        )
    media_type = check_attachment(settings, upload) if upload is not None else None
    msg = DsrMessage(
        request_id=req.id,
        at=now,
        author=author,
        actor=actor,
        kind=kind,
        body_enc=sealer.seal_text(body) or "",
    )
    session.add(msg)
    session.flush()
    if upload is not None and media_type is not None:
        stored = _store(sealer, settings.data_dir, upload.data)
        session.add(
            DsrAttachment(
                message_id=msg.id,
                request_id=req.id,
                filename=_safe_name(upload.filename),
                media_type=media_type,
                size=len(upload.data),
                stored=stored,
            )
        )
        session.flush()
    wait = KINDS[kind]
    open_wait = pauses.open_pause(session, req)
    if author == OFFICER and wait is not None and open_wait is None:
        pauses.ask(session, policy, req, wait, actor, note="asked in the message thread", now=now)
    elif author == SUBJECT and open_wait is not None:
        pauses.answered(session, policy, req, "subject", now=now)
    # The timeline and the audit trail say that a message went, never what it says.
    record(
        session,
        req,
        "message_sent" if author == OFFICER else "message_received",
        actor,
        details={"kind": kind, "attachment": upload is not None},
        at=now,
    )
    return msg


def thread(session: Session, sealer: Sealer, req: DsrRequest) -> list[dict[str, Any]]:
    """The messages of a request, oldest first, decrypted, with their attachments."""
    msgs = session.scalars(
        select(DsrMessage).where(DsrMessage.request_id == req.id).order_by(DsrMessage.id)
    ).all()
    files: dict[int, list[dict[str, Any]]] = {}
    for a in session.scalars(
        select(DsrAttachment).where(DsrAttachment.request_id == req.id).order_by(DsrAttachment.id)
    ):
        files.setdefault(a.message_id, []).append(
            {
                "id": a.id,
                "filename": a.filename,
                "size": a.size,
                "media_type": a.media_type,
                "deleted": a.deleted_at is not None,
            }
        )
    return [
        {
            "id": m.id,
            "at": as_utc(m.at),
            "author": m.author,
            "actor": m.actor,
            "kind": m.kind,
            "text": sealer.open_text(m.body_enc),
            "read": m.read_at is not None,
            "notice_sent": m.notice_sent_at is not None,
            "notice_error": m.notice_error,
            "attachments": files.get(m.id, []),
        }
        for m in msgs
    ]


def mark_read(session: Session, req: DsrRequest, reader: str, now: datetime | None = None) -> int:
    """Mark the other side's unread messages read by `reader` (officer or subject)."""
    now = now or datetime.now(UTC)
    other = SUBJECT if reader == OFFICER else OFFICER
    n = 0
    for m in session.scalars(
        select(DsrMessage).where(
            DsrMessage.request_id == req.id,
            DsrMessage.author == other,
            DsrMessage.read_at.is_(None),
        )
    ):
        m.read_at = now
        n += 1
    return n


def unread(session: Session, req: DsrRequest, reader: str) -> int:
    other = SUBJECT if reader == OFFICER else OFFICER
    return int(
        session.scalar(
            select(func.count()).where(
                DsrMessage.request_id == req.id,
                DsrMessage.author == other,
                DsrMessage.read_at.is_(None),
            )
        )
        or 0
    )


def attachment(
    session: Session,
    sealer: Sealer,
    settings: Settings,
    req: DsrRequest,
    attachment_id: int,
    actor: str,
) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of an attachment of `req`; NotFound for another
    request's, or one already deleted. Every opening is audited (who, which file; not its
    content)."""
    a = session.get(DsrAttachment, attachment_id)
    if a is None or a.request_id != req.id or a.deleted_at is not None:
        raise NotFound(_("This file is not available any more."))
    data = sealer.open((_folder(settings.data_dir) / a.stored).read_bytes())
    audit.append(
        session,
        actor=actor,
        action="dsr.attachment_opened",
        subject_ref=ref(req),
        details={"attachment": a.id, "bytes": a.size},
    )
    return a.filename, a.media_type, data


def stored_path(settings: Settings, session: Session, attachment_id: int) -> Path:
    """Where an attachment's encrypted file lives (for the operator's checks and tests)."""
    a = session.get_one(DsrAttachment, attachment_id)
    return _folder(settings.data_dir) / a.stored


def _closed_at(session: Session, req: DsrRequest) -> datetime | None:
    if req.completed_at is not None:
        return as_utc(req.completed_at)
    last = session.scalar(select(func.max(DsrEvent.at)).where(DsrEvent.request_id == req.id))
    return as_utc(last) if last is not None else None


def purge(
    session: Session,
    settings: Settings,
    now: datetime | None = None,
    *,
    keep_days: int = DOWNLOAD_DAYS,
) -> int:
    """Delete the attachments of requests closed more than `keep_days` ago (the same window as
    the answer package, `steward.requests.packages.DOWNLOAD_DAYS`): the file goes, the row
    stays with `deleted_at`, and the audit log records it. Returns how many were deleted."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=keep_days)
    rows = session.execute(
        select(DsrAttachment, DsrRequest)
        .join(DsrRequest, DsrRequest.id == DsrAttachment.request_id)
        .where(DsrAttachment.deleted_at.is_(None), DsrRequest.state.in_([s.value for s in CLOSED]))
    ).all()
    n = 0
    for a, req in rows:
        closed = _closed_at(session, req)
        if closed is None or closed > cutoff:
            continue
        (_folder(settings.data_dir) / a.stored).unlink(missing_ok=True)
        a.deleted_at = now
        audit.append(
            session,
            actor="steward",
            action="dsr.attachment_deleted",
            subject_ref=ref(req),
            details={"attachment": a.id},
        )
        n += 1
    return n


# --- mails: never the content -------------------------------------------------------------


def thread_link(settings: Settings, public_id: str) -> str:
    return f"{settings.base_url.rstrip('/')}/privacy/requests/{public_id}/messages"


def send_new_message(settings: Settings, policy: Policy, req: DsrRequest) -> None:
    """Tell the person a message is waiting, in their language; the mail holds no content
    (seed §8). Raises Unavailable when mail is down."""
    if req.controller:
        _send_assisted_message(settings, policy, req)
        return
    with language(req.language):
        subject = _("You have a new message about your privacy request")
        text = _(
            "You have a new message from %(controller)s about your privacy request.\n\n"
            "Read it and answer in our privacy center: %(link)s\n"
            "You confirm it is you with a code we e-mail you. For your safety the message "
            "itself is never sent by e-mail."
        ) % {"controller": policy.controller.name, "link": thread_link(settings, req.public_id)}
    Mailer(settings).send(to=req.email, subject=subject, text=text)


def _send_assisted_message(settings: Settings, policy: Policy, req: DsrRequest) -> None:
    """An assisted request's message goes to the controller's contact, who passed the request
    on (GDPR Art. 28(3)(e)): the mail speaks to the controller, not to the data subject."""
    with language(req.language):
        subject = _("A new message about the request you passed on")
        text = _(
            "You have a new message from %(processor)s about the request %(id)s that "
            "%(client)s passed on to us as its processor.\n\n"
            "Read it and answer here: %(link)s\n"
            "You confirm it is you with a code we e-mail to this address. For your safety the "
            "message itself is never sent by e-mail."
        ) % {
            "processor": policy.controller.name,
            "id": req.public_id[:8],
            "client": controller_name(policy, req.controller),
            "link": thread_link(settings, req.public_id),
        }
    Mailer(settings).send(to=req.email, subject=subject, text=text)


def send_reply_notice(settings: Settings, req: DsrRequest) -> bool:
    """Tell the officer (`settings.officer_email`) that the person answered; no content, only
    the console link. False when no officer address is set (the console shows the reply)."""
    if not settings.officer_email:
        return False
    link = f"{settings.base_url.rstrip('/')}/console/requests/{req.id}#messages"
    Mailer(settings).send(
        to=settings.officer_email,
        subject=_("Request %(id)s: the person has answered") % {"id": req.id},
        text=_(
            "A new message from the person on request %(id)s is waiting in the console: "
            "%(link)s\nIt is not copied into this mail."
        )
        % {"id": req.id, "link": link},
    )
    return True


def notify(sm: sessionmaker[Session], settings: Settings, policy: Policy, message_id: int) -> bool:
    """After the message is committed: mail the other side that it is waiting. The outcome is
    kept on the message (sent, or the error the console shows); False when mail is down."""
    with transaction(sm) as s:
        msg = s.get_one(DsrMessage, message_id)
        req = s.get_one(DsrRequest, msg.request_id)
        author = msg.author
        s.expunge(req)
    error: str | None = None
    try:
        if author == OFFICER:
            send_new_message(settings, policy, req)
        else:
            send_reply_notice(settings, req)
    except Unavailable as err:
        error = err.detail[:200]
    with transaction(sm) as s:
        msg = s.get_one(DsrMessage, message_id)
        if error is None:
            msg.notice_sent_at = datetime.now(UTC)
            msg.notice_error = None
        else:
            msg.notice_error = error
    return error is None


def retry_unsent(sm: sessionmaker[Session], settings: Settings, policy: Policy) -> int:
    """Send again every "new message" mail that failed (the job runner calls this); returns
    how many went out now."""
    with transaction(sm) as s:
        ids = s.scalars(
            select(DsrMessage.id)
            .where(DsrMessage.notice_sent_at.is_(None), DsrMessage.notice_error.is_not(None))
            .order_by(DsrMessage.id)
        ).all()
    return sum(notify(sm, settings, policy, message_id) for message_id in ids)
