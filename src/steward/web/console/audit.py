"""The audit-log page: newest events first, filter by action, chain verification on demand."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward import audit
from steward.web.deps import SessionDep, Viewer, render

router = APIRouter(prefix="/console")
PAGE = 100


@router.get("/audit")
def audit_page(
    request: Request, user: Viewer, session: SessionDep,
    before: int | None = None, action: str | None = None, verify: bool = False,
) -> Response:
    events = audit.recent(session, limit=PAGE, before=before, action=action or None)
    verdict = audit.verify(session) if verify else None
    older = events[-1].seq if len(events) == PAGE else None
    return render(
        request, "console/audit.html",
        {"events": events, "verdict": verdict, "older": older, "action": action or ""},
    )
