"""The privacy center's request pages: the form, code verification, and, once verified, the
request's status, its secure message thread and the download of the answer.

One verification per journey: a right code signs the person in to that request
(`steward.requests.sessions`: a cookie scoped to the request's pages, idle and absolute limits,
revocable in the store), and the status, the messages and the download need nothing more.
Nothing about the person is looked up before verification; an unknown person gets the same
pages, and after verification the same answer shape ("we hold no data about you").
Every text is translatable; the page speaks the request's language (or `?lang=`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from steward import i18n
from steward.errors import Conflict, InvalidInput, NotFound
from steward.policy.identities import accepted_types
from steward.policy.models import IdentityKind
from steward.requests import (
    delivery,
    messages,
    notifications,
    pauses,
    queries,
    sessions,
    workflow,
)
from steward.requests.assisted_texts import controller_name
from steward.requests.deadlines import clock_for
from steward.requests.states import CLOSED
from steward.requests.verification import Check, explain
from steward.store.db import transaction
from steward.web.api.requests import run_if_ready
from steward.web.deps import PUBLIC, render
from steward.web.security import client_id, csrf_protect

router = APIRouter(prefix="/privacy", dependencies=[Depends(csrf_protect), PUBLIC])
COOKIE = "steward_request"


def _limit(request: Request, bucket: str) -> None:
    s = request.app.state.settings
    request.app.state.limiter.hit(bucket, client_id(request), limit=s.rate_limit_per_minute)


def _language(request: Request, fallback: str | None = None) -> str:
    """`?lang=` when the policy offers it, else `fallback` (the request's language), else the
    language chosen for this visit (the cookie, the browser's Accept-Language:
    steward.web.language), else the policy's default language."""
    policy = request.app.state.policy
    offered = policy.policy.languages
    chosen = getattr(request.state, "lang", None)
    for lang in (request.query_params.get("lang"), fallback, chosen):
        if lang and lang in offered:
            return str(lang)
    return str(policy.policy.default_language)


def _with_lang(request: Request, url: str, lang: str) -> str:
    """`url` with `lang=` first in its query when it is not the policy's default language."""
    if lang == request.app.state.policy.policy.default_language:
        return url
    path, _, query = url.partition("?")
    return f"{path}?lang={lang}" + (f"&{query}" if query else "")


def _page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    policy = request.app.state.policy
    lang = ctx.get("lang") or policy.policy.default_language
    if lang not in policy.policy.languages:
        lang = policy.policy.default_language
    with i18n.language(lang):
        return _render(request, name, ctx, status, lang)


def _render(request: Request, name: str, ctx: dict[str, Any], status: int, lang: str) -> Response:
    policy = request.app.state.policy
    req = ctx.get("req")
    # An assisted request's pages are read by the controller's contact (Art. 28(3)(e)).
    assisted = isinstance(req, dict) and bool(req.get("controller"))
    base = {
        "policy": policy,
        "lang": lang,
        "note": delivery.note(policy, lang, assisted=assisted),
        "rights": policy.rights.offered,
        # Other identities the policy accepts, to help find the person's data (Art. 12(6));
        # the e-mail has its own field.
        "identity_types": [
            {"key": t.key, "label": policy.text(t.label, lang), "kind": t.kind.value}
            for t in accepted_types(policy).values()
            if t.kind is not IdentityKind.email
        ],
    }
    return render(request, f"center/requests/{name}", {**base, **ctx}, status_code=status)


def _limits(request: Request) -> sessions.Limits:
    s = request.app.state.settings
    return sessions.Limits(
        idle=timedelta(minutes=s.request_session_idle_minutes),
        absolute=timedelta(minutes=s.request_session_absolute_minutes),
    )


def _cookie_path(public_id: str) -> str:
    return f"/privacy/requests/{public_id}"


def _signed_in(request: Request, public_id: str) -> bool:
    """True when this browser holds a live session on the request (marks it used)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return False
    st = request.app.state
    try:
        with transaction(st.sessionmaker) as s:
            req = workflow.by_public_id(s, public_id)
            return sessions.is_live(
                s, workflow.sealer_for(st.settings), req, cookie, _limits(request)
            )
    except NotFound:
        return False


def _sign_in(request: Request, response: Response, public_id: str) -> Response:
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        value = sessions.open_session(s, workflow.sealer_for(st.settings), req)
    response.set_cookie(
        COOKIE,
        value,
        max_age=st.settings.request_session_absolute_minutes * 60,
        path=_cookie_path(public_id),
        httponly=True,
        samesite="lax",
        secure=st.settings.secure_cookies,
    )
    return response


def _return_page(request: Request, public_id: str) -> Response:
    # Someone arriving from a mail link, on another device or after the session ended:
    # nothing was mailed yet, so the page offers to send a code (same page for any id).
    return _page(
        request,
        "verify.html",
        {"public_id": public_id, "error": None, "purpose": "return", "lang": _language(request)},
    )


@router.get("/requests")
def form(request: Request) -> Response:
    return _page(request, "form.html", {"values": {}, "error": None, "lang": _language(request)})


@router.post("/requests")
async def submit(
    request: Request,
    # Defaults, not required: an empty field comes back as the form with its error (from the
    # domain's validation), not as a bare problem page.
    type: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    country: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
    details: Annotated[str, Form(max_length=10000)] = "",
    objection_scope: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    _limit(request, "dsr-submit")
    st = request.app.state
    values: dict[str, Any] = {
        "type": type,
        "name": name,
        "email": email,
        "country": country,
        "language": language,
        "details": details,
        "objection_scope": objection_scope,
    }
    form = await request.form()
    given = [
        (key[len("identity_") :], str(value)[:200])
        for key, value in form.multi_items()
        if key.startswith("identity_") and str(value).strip()
    ][:10]
    values["identities"] = dict(given)
    try:
        out = await run_in_threadpool(
            workflow.submit_request,
            st.sessionmaker,
            st.settings,
            st.policy,
            type=type,
            name=name,
            email=email,
            identities=given,
            country=country,
            language=language,
            details=details or None,
            objection_scope=objection_scope or None,
            channel="center",
            actor="public",
        )
    except InvalidInput as err:
        return _page(
            request,
            "form.html",
            {"values": values, "error": err.detail, "lang": language or _language(request)},
            status=422,
        )
    lang = _language(request, language)
    return RedirectResponse(
        _with_lang(request, f"/privacy/requests/verify?r={out.public_id}", lang), status_code=303
    )


@router.get("/requests/verify")
def verify_page(request: Request, r: str = "") -> Response:
    return _page(
        request,
        "verify.html",
        {"public_id": r, "error": None, "purpose": "verify", "lang": _language(request)},
    )


@router.post("/requests/verify")
async def verify(
    request: Request,
    public_id: Annotated[str, Form(max_length=60)],
    code: Annotated[str, Form(max_length=40)],
) -> Response:
    _limit(request, "dsr-verify")
    st = request.app.state
    try:
        result, out = await run_in_threadpool(
            workflow.verify_code, st.sessionmaker, st.settings, st.policy, public_id, code
        )
    except NotFound:
        result, out = Check.expired, None
    lang = _language(request)
    if result is not Check.ok or out is None:
        with i18n.language(lang):
            error = explain(result)
        return _page(
            request,
            "verify.html",
            {"public_id": public_id, "error": error, "purpose": "verify", "lang": lang},
            status=422,
        )
    await run_in_threadpool(run_if_ready, request.app, out)
    return _sign_in(
        request, RedirectResponse(f"/privacy/requests/{public_id}", status_code=303), public_id
    )


@router.post("/requests/resend")
async def resend(request: Request, public_id: Annotated[str, Form(max_length=60)]) -> Response:
    _limit(request, "dsr-submit")
    st = request.app.state
    try:
        await run_in_threadpool(
            workflow.resend_code, st.sessionmaker, st.settings, st.policy, public_id
        )
    except NotFound:
        pass  # same answer for an unknown id
    return RedirectResponse(
        _with_lang(request, f"/privacy/requests/verify?r={public_id}", _language(request)),
        status_code=303,
    )


def _status_context(request: Request, public_id: str) -> dict[str, Any]:
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        clock = clock_for(st.policy, req)
        letter = workflow.sealer_for(st.settings).open_text(req.letter)
        pkg = delivery.current_package(s, req)
        view = queries.as_dict(req, st.policy)
        telling = bool(notifications.outstanding(s, req.id))
        waiting = pauses.open_pause(s, req)
        asked = bool(pauses.history(s, req))
        unread = messages.unread(s, req, messages.SUBJECT)
        count = len(messages.thread(s, workflow.sealer_for(st.settings), req))
        lang = req.language
    return {
        "req": view,
        "controller_name": controller_name(st.policy, view["controller"]),
        "telling_recipients": telling,
        "clock": clock,
        "letter": letter,
        "package": pkg is not None,
        "unread": unread,
        "message_count": count,
        "awaiting": waiting.kind if waiting is not None else None,
        "asked": asked,
        "lang": _language(request, lang),
        "error": None,
    }


@router.get("/requests/{public_id}")
def status(request: Request, public_id: str) -> Response:
    if not _signed_in(request, public_id):
        return _return_page(request, public_id)
    return _page(request, "status.html", _status_context(request, public_id))


# --- the message thread --------------------------------------------------------------------


def _thread_page(
    request: Request, public_id: str, *, error: str | None = None, text: str = "", status: int = 200
) -> Response:
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        thread = messages.thread(s, workflow.sealer_for(st.settings), req)
        messages.mark_read(s, req, messages.SUBJECT)
        view = queries.as_dict(req, st.policy)
        closed = req.state in CLOSED
        package = delivery.current_package(s, req) is not None
        lang = req.language
    return _page(
        request,
        "messages.html",
        {
            "req": view,
            "thread": thread,
            "closed": closed,
            "package": package,
            "unread": 0,
            "error": error,
            "text": text,
            "kinds_allowed": ", ".join(k.upper() for k in messages.allowed_kinds(st.settings)),
            "limit_mb": f"{st.settings.attachment_limit_bytes / 2**20:g}",
            "lang": _language(request, lang),
        },
        status=status,
    )


@router.get("/requests/{public_id}/messages")
def thread(request: Request, public_id: str) -> Response:
    if not _signed_in(request, public_id):
        return _return_page(request, public_id)
    return _thread_page(request, public_id)


@router.post("/requests/{public_id}/messages")
async def reply(
    request: Request,
    public_id: str,
    text: Annotated[str, Form(max_length=messages.MAX_TEXT * 2)] = "",
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The person's answer, with at most one attachment; checked whole before anything is
    stored (a bad file: the page again with the error and the text kept)."""
    if not _signed_in(request, public_id):
        return _return_page(request, public_id)
    st = request.app.state
    upload = None
    if attachment is not None and attachment.filename:
        data = await attachment.read(st.settings.attachment_limit_bytes + 1)
        upload = messages.Upload(attachment.filename, data)

    def write() -> int:
        with transaction(st.sessionmaker) as s:
            req = workflow.by_public_id(s, public_id)
            lang = _language(request, req.language)
            with i18n.language(lang):
                msg = messages.post(
                    s,
                    st.settings,
                    st.policy,
                    workflow.sealer_for(st.settings),
                    req,
                    author=messages.SUBJECT,
                    actor="subject",
                    text=text,
                    upload=upload,
                )
            return msg.id

    try:
        message_id = await run_in_threadpool(write)
    except InvalidInput as err:
        return _thread_page(request, public_id, error=err.detail, text=text, status=422)
    except Conflict as err:
        return _thread_page(request, public_id, error=err.detail, text=text, status=409)
    await run_in_threadpool(messages.notify, st.sessionmaker, st.settings, st.policy, message_id)
    return RedirectResponse(
        f"/privacy/requests/{public_id}/messages#m{message_id}", status_code=303
    )


@router.get("/requests/{public_id}/messages/files/{attachment_id}")
def attachment_file(request: Request, public_id: str, attachment_id: int) -> Response:
    _limit(request, "dsr-verify")
    if not _signed_in(request, public_id):
        return _return_page(request, public_id)
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        with i18n.language(_language(request, req.language)):
            name, media_type, data = messages.attachment(
                s, workflow.sealer_for(st.settings), st.settings, req, attachment_id, "subject"
            )
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# --- the download ----------------------------------------------------------------------------


@router.get("/requests/{public_id}/download")
def download_page(request: Request, public_id: str) -> Response:
    """The download page; reloading it shows it again (no code within the session)."""
    if not _signed_in(request, public_id):
        return _return_page(request, public_id)
    return _page(request, "download.html", _status_context(request, public_id))


@router.post("/requests/{public_id}/download")
async def download(request: Request, public_id: str) -> Response:
    """Within the session: a single-use, short-lived link to the package, followed at once."""
    _limit(request, "dsr-verify")
    if not _signed_in(request, public_id):
        return _return_page(request, public_id)
    st = request.app.state
    try:
        with transaction(st.sessionmaker) as s:
            req = workflow.by_public_id(s, public_id)
            token = delivery.grant_download(s, workflow.sealer_for(st.settings), req)
    except NotFound:
        return RedirectResponse(f"/privacy/requests/{public_id}/download", status_code=303)
    return RedirectResponse(f"/privacy/download/{token}", status_code=303)


@router.post("/requests/{public_id}/signout")
def signout(request: Request, public_id: str) -> Response:
    """End this browser's session on the request, here and in the store."""
    st = request.app.state
    # An unknown request is a 404: its id never reaches a cookie path or a redirect.
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        sessions.end(s, workflow.sealer_for(st.settings), req, request.cookies.get(COOKIE))
    response = RedirectResponse(
        _with_lang(request, f"/privacy/requests/{public_id}", _language(request)),
        status_code=303,
    )
    response.delete_cookie(COOKIE, path=_cookie_path(public_id))
    return response


@router.get("/download/{token}")
def fetch(request: Request, token: str) -> Response:
    _limit(request, "dsr-verify")
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        name, blob = delivery.redeem(
            s, workflow.sealer_for(st.settings), st.settings.data_dir, token
        )
    return Response(
        blob,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
