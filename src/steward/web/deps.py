"""Typed dependencies shared by every route: the store session, the policy, the settings,
the signed-in user and role guards.

Every console/API route declares exactly one access rule: `RoleGuard(role)` or `Public()`.
A test walks the route table and fails for a route that has neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from steward.auth.sessions import SessionStore
from steward.auth.tables import User
from steward.auth.users import Role
from steward.config import Settings
from steward.errors import Forbidden
from steward.policy.models import Policy


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    sm = request.app.state.sessionmaker
    with sm() as session, session.begin():
        yield session


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only transaction (SQLite: never waits for the write lock). Writes fail."""
    sm = request.app.state.read_sessionmaker
    with sm() as session, session.begin():
        yield session


def get_policy(request: Request) -> Policy:
    return request.app.state.policy  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """The template `name` (a path under web/templates) rendered with `context` as an HTML
    response with `status_code`; `request` is passed to the template too."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)


SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
PolicyDep = Annotated[Policy, Depends(get_policy)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def start_session(request: Request, user: User) -> None:
    """A fresh session for `user`: whatever was in the cookie before (a planted token) is
    dropped, and a new server-side record is opened; the cookie carries only its token."""
    request.session.clear()
    request.session["sid"] = request.app.state.sessions.open(user.id)


def end_session(request: Request) -> None:
    """Sign-out: the server-side record ends (a copied cookie is refused from now on) and the
    cookie is emptied."""
    token = request.session.get("sid")
    if isinstance(token, str):
        request.app.state.sessions.end(token)
    request.session.clear()


class NotSignedIn(Exception):
    """Raised for an anonymous visitor of a console page: HTML → redirect to the login page,
    API → 401 problem."""


def current_user(request: Request) -> User | None:
    """The signed-in user of a live session, or None (the cookie is then emptied)."""
    token = request.session.get("sid")
    if not isinstance(token, str):
        if request.session.get("uid") is not None:
            request.session.clear()  # a cookie from before server-side sessions
        return None
    store: SessionStore = request.app.state.sessions
    uid = store.user_of(token)
    if uid is None:
        request.session.clear()
        return None
    sm = request.app.state.sessionmaker
    with sm() as s:
        user: User | None = s.get(User, uid)
        if user is not None:
            s.expunge(user)
    # Only after the read's transaction ended: on SQLite every transaction holds the write
    # lock, so ending the record inside it would wait for itself.
    if user is None or user.disabled:
        store.end(token)
        request.session.clear()
        return None
    return user


class RoleGuard:
    """Dependency: the signed-in user must hold at least `role`."""

    def __init__(self, role: Role) -> None:
        self.role = role

    def __call__(self, request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise NotSignedIn()
        if not Role(user.role).allows(self.role):
            raise Forbidden(f"this needs the {self.role.value} role")
        request.state.user = user
        return user


class Public:
    """Dependency marking a route as open to anyone (the public privacy center, health)."""

    def __call__(self, request: Request) -> None:
        request.state.user = None


Viewer = Annotated[User, Depends(RoleGuard(Role.viewer))]
Officer = Annotated[User, Depends(RoleGuard(Role.officer))]
Admin = Annotated[User, Depends(RoleGuard(Role.admin))]
PUBLIC = Depends(Public())
