"""The officer's side of a request's secure message thread: write (a plain message, or ask for
identification or clarification, GDPR Art. 12(6)), optionally with one attachment, and open the
person's attachments. Shown on the request page (`console/requests/_messages.html`); officers
act, every form is CSRF-protected, every opened file is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.auth.tables import User
from steward.auth.users import Role
from steward.config import Settings
from steward.errors import Conflict, InvalidInput
from steward.requests import messages, workflow
from steward.requests.tables import DsrRequest
from steward.store.db import transaction
from steward.web.api.requests import actor
from steward.web.deps import Officer, SessionDep
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/requests", dependencies=[Depends(csrf_protect)])


def context(session: Session, settings: Settings, req: DsrRequest, user: User) -> dict[str, Any]:
    """What the request page's thread partial needs; the person's messages count as read once
    an officer has seen them."""
    thread = messages.thread(session, workflow.sealer_for(settings), req)
    unread = messages.unread(session, req, messages.OFFICER)
    if Role(user.role).allows(Role.officer):
        messages.mark_read(session, req, messages.OFFICER)
    return {
        "thread": thread,
        "thread_unread": unread,
        "thread_closed": messages.is_closed(req),
        "thread_kinds": ", ".join(k.upper() for k in messages.allowed_kinds(settings)),
        "thread_limit_mb": f"{settings.attachment_limit_bytes / 2**20:g}",
    }


def _back(req_id: int, msg: str | None = None) -> Response:
    suffix = f"?msg={msg}" if msg else ""
    return RedirectResponse(f"/console/requests/{req_id}{suffix}#messages", status_code=303)


@router.post("/{req_id}/messages")
async def write(
    request: Request,
    user: Officer,
    req_id: int,
    text: Annotated[str, Form(max_length=messages.MAX_TEXT * 2)] = "",
    kind: Annotated[str, Form(max_length=20)] = "message",
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Send a message to the person; the mail says only that it is waiting. A question asking
    for identification or clarification records the wait (a UK clock stops)."""
    st = request.app.state
    upload = None
    if attachment is not None and attachment.filename:
        data = await attachment.read(st.settings.attachment_limit_bytes + 1)
        upload = messages.Upload(attachment.filename, data)

    def post() -> int:
        with transaction(st.sessionmaker) as s:
            req = workflow.by_ref(s, str(req_id))
            msg = messages.post(
                s,
                st.settings,
                st.policy,
                workflow.sealer_for(st.settings),
                req,
                author=messages.OFFICER,
                actor=actor(user),
                text=text,
                kind=kind,
                upload=upload,
            )
            return msg.id

    try:
        message_id = await run_in_threadpool(post)
    except (InvalidInput, Conflict) as err:
        return _back(req_id, err.detail)
    sent = await run_in_threadpool(
        messages.notify, st.sessionmaker, st.settings, st.policy, message_id
    )
    if not sent:
        return _back(
            req_id,
            "the message is saved, but the mail server is unavailable: "
            "the person has not been told yet",
        )
    return _back(req_id)


@router.get("/{req_id}/messages/files/{attachment_id}")
def attachment_file(
    request: Request, user: Officer, session: SessionDep, req_id: int, attachment_id: int
) -> Response:
    st = request.app.state
    req = workflow.by_ref(session, str(req_id))
    name, media_type, data = messages.attachment(
        session, workflow.sealer_for(st.settings), st.settings, req, attachment_id, actor(user)
    )
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
