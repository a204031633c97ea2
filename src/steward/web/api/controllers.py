"""The API of the controllers the company serves (GDPR Art. 28(3)(e) assisted requests).

A controller's admin calls it with the key an officer made for that controller
(`Authorization: Bearer sck_...`). Every call sees that controller's requests only: another
controller's request, or an unknown one, is the same 404 problem, and the attempt is filed in
the audit log under the calling controller. A console session is no key: its calls are refused
(403), so a console user never acts in a controller's name by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from steward.errors import Forbidden, NotFound, Unauthorized
from steward.policy.tenancy import find
from steward.processors import apikeys
from steward.requests import assisted
from steward.requests.tables import DsrRequest
from steward.requests.workflow import sealer_for
from steward.store.db import transaction
from steward.web.deps import PolicyDep, Public, SessionDep, SettingsDep, current_user

router = APIRouter(prefix="/api/controllers", tags=["controllers"])
T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    controller: str
    prefix: str

    @property
    def actor(self) -> str:
        return f"controller_key:{self.prefix}"


def caller_for(request: Request, key: str) -> Caller | None:
    """The controller a key speaks for, when the key is live and the policy still serves it."""
    with request.app.state.sessionmaker() as s:
        row = apikeys.verify(s, key)
        if row is None:
            return None
        try:
            find(request.app.state.policy, row.controller)
        except NotFound:
            return None
        return Caller(row.controller, row.prefix)


class ControllerKey(Public):
    """The access rule of this API: no console session (in that sense public), but a live
    controller API key, which names the one controller whose requests the call may see."""

    async def __call__(self, request: Request) -> Caller:  # type: ignore[override]
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            caller = await run_in_threadpool(caller_for, request, auth[7:].strip())
            if caller is None:
                raise Unauthorized("this API needs a live controller API key")
            request.state.user = None
            return caller
        if await run_in_threadpool(current_user, request) is not None:
            raise Forbidden("this API is the controllers' own: call it with a controller API key")
        raise Unauthorized("this API needs a controller API key (Authorization: Bearer sck_...)")


CallerDep = Annotated[Caller, Depends(ControllerKey())]


class AssistedInput(BaseModel):
    """An employee's (data subject's) request, passed on by the controller."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(
        description="access, erasure, rectification or restriction", examples=["access"]
    )
    name: str = Field(description="the person's name", examples=["Alex Example"])
    identities: dict[str, list[str]] = Field(
        description="identifiers the controller holds, by type",
        examples=[{"email": ["alex@example.com"]}],
    )
    received_on: str | None = Field(
        default=None, description="the day the controller received the request (Art. 12(3))"
    )
    details: str | None = None
    changes: dict[str, Any] | None = Field(
        default=None, description="rectification: field -> corrected value"
    )


def _own(
    request: Request,
    caller: Caller,
    public_id: str,
    what: str,
    work: Callable[[Session, DsrRequest], T],
) -> T:
    """`work` on the caller's own request `public_id`, in one transaction. Another
    controller's request, or an unknown one, is filed in the audit log (committed) and is
    the same 404."""
    with transaction(request.app.state.sessionmaker) as s:
        req = assisted.for_controller(s, caller.controller, public_id)
        if req is not None:
            return work(s, req)
        assisted.refuse(s, caller.controller, public_id, caller.actor, what)
    raise NotFound("no such request")


@router.post("/requests", status_code=201)
def submit(
    body: AssistedInput,
    caller: CallerDep,
    session: SessionDep,
    policy: PolicyDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Pass on a data subject's request (Art. 28(3)(e)); searched in this controller's data
    only once an officer approved it, answered to the controller."""
    req = assisted.submit(
        session,
        policy,
        sealer_for(settings),
        controller=caller.controller,
        type=body.type,
        name=body.name,
        identities=body.identities,
        received_on=body.received_on,
        details=body.details,
        changes=body.changes,
        actor=caller.actor,
    )
    return assisted.answer(session, policy, req)


@router.get("/requests")
def listing(caller: CallerDep, session: SessionDep, policy: PolicyDep) -> dict[str, Any]:
    """This controller's requests, newest first."""
    return {
        "controller": caller.controller,
        "requests": [
            assisted.answer(session, policy, r)
            for r in assisted.listing(session, caller.controller)
        ],
    }


@router.get("/requests/{public_id}")
def one(public_id: str, request: Request, caller: CallerDep, policy: PolicyDep) -> dict[str, Any]:
    """One request: its state, both deadlines and, when answered, the report."""
    return _own(
        request, caller, public_id, "status", lambda s, req: assisted.answer(s, policy, req)
    )


@router.get("/requests/{public_id}/report", responses={200: {"content": {"text/plain": {}}}})
def report(public_id: str, request: Request, caller: CallerDep, settings: SettingsDep) -> Response:
    """The answer's report (for an erasure: what was erased and kept, and why)."""

    def text(s: Session, req: DsrRequest) -> str:
        if not req.letter:
            raise NotFound("the request is not answered yet")
        return sealer_for(settings).open_text(req.letter) or ""

    body = _own(request, caller, public_id, "report", text)
    return Response(body, media_type="text/plain; charset=utf-8")


@router.get("/requests/{public_id}/package", responses={200: {"content": {"application/zip": {}}}})
def package(public_id: str, request: Request, caller: CallerDep, settings: SettingsDep) -> Response:
    """The access package (a zip of the rows found in this controller's data)."""
    name, blob = _own(
        request,
        caller,
        public_id,
        "package",
        lambda s, req: assisted.package(
            s, sealer_for(settings), settings.data_dir, req, caller.actor
        ),
    )
    return Response(
        blob,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
