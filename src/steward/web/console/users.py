"""Console users (admin only): list, create with a role, disable and re-enable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from steward.auth.users import create_user, generate_password, list_users, set_disabled
from steward.errors import StewardError
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


@router.post("/{user_id}/disable")
def disable(user_id: int, user: Admin, session: SessionDep) -> Response:
    set_disabled(session, user_id=user_id, disabled=True, actor=f"user:{user.id}")
    return RedirectResponse("/console/users", status_code=303)


@router.post("/{user_id}/enable")
def enable(user_id: int, user: Admin, session: SessionDep) -> Response:
    set_disabled(session, user_id=user_id, disabled=False, actor=f"user:{user.id}")
    return RedirectResponse("/console/users", status_code=303)
