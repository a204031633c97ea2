"""The privacy center's request pages: the form, code verification, the status page (only
after verification in this browser) and the single-use download.

Nothing about the person is looked up before verification; an unknown person gets the same
pages, and after verification the same answer shape ("we hold no data about you").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from steward.errors import InvalidInput, NotFound
from steward.policy.identities import accepted_types
from steward.policy.models import IdentityKind
from steward.requests import delivery, notifications, queries, workflow
from steward.requests.deadlines import clock_for
from steward.requests.verification import Check, explain
from steward.store.db import transaction
from steward.web.api.requests import run_if_ready
from steward.web.deps import PUBLIC, render
from steward.web.security import client_id, csrf_protect

router = APIRouter(prefix="/privacy", dependencies=[Depends(csrf_protect), PUBLIC])
VERIFIED = "dsr_verified"


def _limit(request: Request, bucket: str) -> None:
    s = request.app.state.settings
    request.app.state.limiter.hit(bucket, client_id(request), limit=s.rate_limit_per_minute)


def _page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    policy = request.app.state.policy
    lang = ctx.get("lang") or policy.policy.default_language
    if lang not in policy.policy.languages:
        lang = policy.policy.default_language
    base = {
        "policy": policy,
        "lang": lang,
        "note": delivery.note(policy, lang),
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


def _verified(request: Request, public_id: str) -> bool:
    return public_id in request.session.get(VERIFIED, [])


@router.get("/requests")
def form(request: Request, lang: str | None = None) -> Response:
    return _page(request, "form.html", {"values": {}, "error": None, "lang": lang})


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
        (key[len("identity_"):], str(value)[:200])
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
            {"values": values, "error": err.detail, "lang": language},
            status=422,
        )
    return RedirectResponse(f"/privacy/requests/verify?r={out.public_id}", status_code=303)


@router.get("/requests/verify")
def verify_page(request: Request, r: str = "") -> Response:
    return _page(request, "verify.html", {"public_id": r, "error": None, "purpose": "verify"})


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
    if result is not Check.ok or out is None:
        return _page(
            request,
            "verify.html",
            {"public_id": public_id, "error": explain(result), "purpose": "verify"},
            status=422,
        )
    request.session[VERIFIED] = [*request.session.get(VERIFIED, [])[-9:], public_id]
    await run_in_threadpool(run_if_ready, request.app, out)
    return RedirectResponse(f"/privacy/requests/{public_id}", status_code=303)


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
    return RedirectResponse(f"/privacy/requests/verify?r={public_id}", status_code=303)


@router.get("/requests/{public_id}")
def status(request: Request, public_id: str) -> Response:
    if not _verified(request, public_id):
        # Someone arriving from a mail link, on another device or after the session ended:
        # nothing was mailed yet, so the page offers to send a code (same page for any id).
        return _page(
            request, "verify.html", {"public_id": public_id, "error": None, "purpose": "return"}
        )
    st = request.app.state
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        clock = clock_for(st.policy, req)
        letter = workflow.sealer_for(st.settings).open_text(req.letter)
        pkg = delivery.current_package(s, req)
        view = queries.as_dict(req, st.policy)
        telling = bool(notifications.outstanding(s, req.id))
    return _page(
        request,
        "status.html",
        {
            "req": view,
            "telling_recipients": telling,
            "clock": clock,
            "letter": letter,
            "package": pkg is not None,
            "lang": req.language,
            "error": None,
        },
    )


@router.post("/requests/{public_id}/download-code")
async def download_code(request: Request, public_id: str) -> Response:
    _limit(request, "dsr-submit")
    if not _verified(request, public_id):
        return RedirectResponse(f"/privacy/requests/{public_id}", status_code=303)
    st = request.app.state
    await run_in_threadpool(
        workflow.resend_code, st.sessionmaker, st.settings, st.policy, public_id, "download"
    )
    return _page(
        request, "verify.html", {"public_id": public_id, "error": None, "purpose": "download"}
    )


@router.post("/requests/{public_id}/download")
async def download(
    request: Request, public_id: str, code: Annotated[str, Form(max_length=40)]
) -> Response:
    """A fresh code proves the person again; then a single-use, short-lived link."""
    _limit(request, "dsr-verify")
    if not _verified(request, public_id):
        return RedirectResponse(f"/privacy/requests/{public_id}", status_code=303)
    st = request.app.state
    result, _ = await run_in_threadpool(
        workflow.verify_code, st.sessionmaker, st.settings, st.policy, public_id, code, "download"
    )
    if result is not Check.ok:
        return _page(
            request,
            "verify.html",
            {"public_id": public_id, "error": explain(result), "purpose": "download"},
            status=422,
        )
    with transaction(st.sessionmaker) as s:
        req = workflow.by_public_id(s, public_id)
        token = delivery.grant_download(s, workflow.sealer_for(st.settings), req)
    return RedirectResponse(f"/privacy/download/{token}", status_code=303)


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
