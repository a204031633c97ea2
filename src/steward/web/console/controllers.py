"""The controllers the company serves (Art. 28(3)(e), Art. 30(2)): each one's scope in the
systems processed for it, its API keys (admins make and revoke them; a new key is shown once)
and its assisted requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from steward.errors import StewardError
from steward.policy.models import Policy
from steward.policy.tenancy import scope_lines, served
from steward.processors import apikeys
from steward.requests.tables import DsrRequest
from steward.web.console import desk
from steward.web.deps import Admin, PolicyDep, SessionDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/controllers", dependencies=[Depends(csrf_protect)])


def _page(
    request: Request, session: Any, policy: Policy, *, status: int = 200, **extra: object
) -> Response:
    keys = apikeys.listing(session)
    requests = list(
        session.scalars(
            select(DsrRequest)
            .where(DsrRequest.controller.is_not(None))
            .order_by(DsrRequest.id.desc())
            .limit(200)
        )
    )
    controllers = [
        {
            "key": s.key,
            "name": s.controller.name,
            "role": s.role.key,
            "scope": scope_lines(policy, s.key),
            "assistance_days": s.controller.assistance_days,
            "keys": [k for k in keys if k.controller == s.key],
            "requests": [r for r in requests if r.controller == s.key],
        }
        for s in served(policy)
    ]
    return render(
        request,
        "console/controllers.html",
        {"controllers": controllers, "states": desk.state_labels(), **extra},
        status_code=status,
    )


@router.get("")
def controllers_page(
    request: Request, user: Viewer, session: SessionDep, policy: PolicyDep
) -> Response:
    return _page(request, session, policy)


@router.post("/{controller}/keys")
def create_key(
    request: Request,
    controller: str,
    user: Admin,
    session: SessionDep,
    policy: PolicyDep,
    name: Annotated[str, Form(max_length=120)] = "admin",
) -> Response:
    try:
        row, key = apikeys.create(
            session, policy, controller=controller, name=name, actor=f"user:{user.id}"
        )
    except StewardError as err:
        return _page(request, session, policy, error=err.detail, status=err.status)
    # Shown once, to the admin who hands it to the controller's admin.
    return _page(request, session, policy, created=row.prefix, created_for=controller, new_key=key)


@router.post("/keys/{prefix}/revoke")
def revoke_key(
    request: Request, prefix: str, user: Admin, session: SessionDep, policy: PolicyDep
) -> Response:
    try:
        apikeys.revoke(session, prefix, actor=f"user:{user.id}")
    except StewardError as err:
        return _page(request, session, policy, error=err.detail, status=err.status)
    return _page(request, session, policy, revoked=prefix)
