"""Console sign-in and sign-out.

Wrong e-mail and wrong password get the same message and take about the same time (the
password check runs against a dummy hash for unknown accounts); sign-in is rate-limited per
client address and, more loosely, per account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward import audit
from steward.auth.users import authenticate
from steward.errors import TooManyRequests
from steward.store.db import transaction
from steward.web.deps import (
    PUBLIC,
    current_user,
    end_session,
    render,
    start_session,
)
from steward.web.security import client_id, csrf_protect

router = APIRouter(prefix="/console", dependencies=[Depends(csrf_protect)])
FAILED = "The e-mail or password is not right."
ACCOUNT_FACTOR = 4


def _safe_next(target: str | None) -> str:
    # Only local console paths: no open redirect to another site.
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


@router.get("/login", dependencies=[PUBLIC])
def login_page(request: Request, next: str | None = None) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "console/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[PUBLIC])
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    limiter = request.app.state.limiter
    limit = request.app.state.settings.login_attempts_per_minute
    try:
        limiter.hit("login", client_id(request), limit=limit)
        # Per account too, so guesses spread over many addresses (a botnet) still crawl; a
        # looser limit, so that someone else's failures cannot lock the owner out for long.
        limiter.hit("login-account", email.strip().lower(), limit=limit * ACCOUNT_FACTOR)
    except TooManyRequests as err:
        return render(request, "console/login.html",
                      {"next": _safe_next(next), "error": err.detail}, status_code=429)
    # The check's transaction ends before the session record is written (SQLite has one
    # writer at a time).
    with transaction(request.app.state.sessionmaker) as session:
        user = authenticate(session, email=email, password=password)
        if user is not None:
            audit.append(session, actor=f"user:{user.id}", action="console.login",
                         subject_ref=f"user:{user.id}")
    if user is None:
        return render(request, "console/login.html",
                      {"next": _safe_next(next), "error": FAILED}, status_code=401)
    limiter.reset("login", client_id(request))
    # A fresh session on sign-in: a token planted before login is not carried over.
    start_session(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[PUBLIC])
def logout(request: Request) -> Response:
    # The server-side record ends: the cookie, wherever a copy of it went, signs in no more.
    end_session(request)
    return RedirectResponse("/console/login", status_code=303)
