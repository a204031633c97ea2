"""Controllers object to a new sub-processor (Art. 28(2)) through the signed link in their
notice; officers see every notice and who objected. After an objection, or once the window
has closed, the link shows the notice read-only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from steward.errors import Conflict
from steward.processors import subnotices
from steward.web.deps import PUBLIC, ReadSessionDep, SessionDep, Viewer, render

router = APIRouter()


@router.get("/processors/objections/{token}", dependencies=[PUBLIC], include_in_schema=False)
def objection_page(request: Request, token: str, session: SessionDep) -> Response:
    n = subnotices.by_token(session, token)
    return render(request, "center/tasks/objection.html", {"n": n, "error": ""})


@router.post("/processors/objections/{token}", dependencies=[PUBLIC], include_in_schema=False)
def object_to(request: Request, token: str, session: SessionDep,
              note: str = Form("")) -> Response:
    n = subnotices.by_token(session, token)
    try:
        subnotices.record_objection(session, n, note)
    except Conflict as err:  # raised before anything was written
        return render(request, "center/tasks/objection.html", {"n": n, "error": err.detail},
                      status_code=409)
    return render(request, "center/tasks/objection.html", {"n": n, "error": ""})


@router.get("/api/processors/subprocessor-notices")
def notices(user: Viewer, session: ReadSessionDep) -> list[dict[str, Any]]:
    """Each controller told of a new sub-processor (Art. 28(2)) and whether they objected."""
    return [{"controller": n.controller, "role": n.role, "sub_processor": n.sub_processor,
             "sent_at": n.sent_at.isoformat() if n.sent_at else None,
             "objection_deadline": n.objection_deadline.isoformat(),
             "objected": n.objected_at is not None,
             "objected_at": n.objected_at.isoformat() if n.objected_at else None}
            for n in subnotices.objections(session)]
