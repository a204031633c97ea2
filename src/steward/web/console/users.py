"""Console users (admin only): list, create with a role, change roles, disable and re-enable,
sign a user out everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from steward import audit
from steward.auth.users import (
    create_user,
    generate_password,
    get_user,
    list_users,
    set_disabled,
    set_role,
)
from steward.errors import StewardError
from steward.store.db import transaction
from steward.web.deps import Admin, SessionDep, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/users", dependencies=[Depends(csrf_protect)])


def _page(request: Request, session: SessionDep, *, status: int = 200,
          **extra: object) -> Response:
    return render(request, "console/users.html", {"users": list_users(session), **extra},
                  status_code=status)


@router.get("")
def users_page(request: Request, user: Admin, session: SessionDep) -> Response:
    return _page(request, session)


@router.post("")
def add_user(
    request: Request, user: Admin, session: SessionDep,
    email: Annotated[str, Form(max_length=254)], role: Annotated[str, Form()],
) -> Response:
    password = generate_password()
    try:
        created = create_user(session, email=email, password=password, role=role,
                              actor=f"user:{user.id}")
    except StewardError as err:
        return _page(request, session, error=err.detail, status=err.status)
    # The one-time password is shown once, to the admin who hands it over.
    return _page(request, session, created=created.email, password=password)


def _change(request: Request, user_id: int, change: Callable[[Session], object],
            *, end_sessions: bool) -> Response:
    """Apply `change` in its own transaction, then end the user's sessions (after the commit:
    the session store may be another database)."""
    try:
        with transaction(request.app.state.sessionmaker) as s:
            change(s)
    except StewardError as err:
        with request.app.state.sessionmaker() as s:
            return _page(request, s, error=err.detail, status=err.status)
    if end_sessions:
        request.app.state.sessions.end_all(user_id)
    return RedirectResponse("/console/users", status_code=303)


@router.post("/{user_id}/disable")
def disable(request: Request, user_id: int, user: Admin) -> Response:
    return _change(request, user_id, lambda s: set_disabled(
        s, user_id=user_id, disabled=True, actor=f"user:{user.id}"), end_sessions=True)


@router.post("/{user_id}/enable")
def enable(request: Request, user_id: int, user: Admin) -> Response:
    return _change(request, user_id, lambda s: set_disabled(
        s, user_id=user_id, disabled=False, actor=f"user:{user.id}"), end_sessions=False)


@router.post("/{user_id}/role")
def change_role(request: Request, user_id: int, user: Admin,
                role: Annotated[str, Form(max_length=20)]) -> Response:
    return _change(request, user_id, lambda s: set_role(
        s, user_id=user_id, role=role, actor=f"user:{user.id}"), end_sessions=True)


@router.post("/{user_id}/sessions/end")
def sign_out_everywhere(request: Request, user_id: int, user: Admin) -> Response:
    """End every session of a user (a lost laptop, a shared password): they sign in again."""
    def record(s: Session) -> None:
        get_user(s, user_id)
        audit.append(s, actor=f"user:{user.id}", action="user.sessions_ended",
                     subject_ref=f"user:{user_id}")

    return _change(request, user_id, record, end_sessions=True)
