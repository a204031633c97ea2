"""The audit-log page: newest events first, each as a sentence with the stored event behind a
toggle; filter by action, chain verification on demand."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward import audit
from steward.audit.sentences import actor_name, sentence
from steward.web.console.desk import staff
from steward.web.deps import SessionDep, Viewer, render

router = APIRouter(prefix="/console")
PAGE = 100


@router.get("/audit")
def audit_page(
    request: Request,
    user: Viewer,
    session: SessionDep,
    before: int | None = None,
    action: str | None = None,
    verify: bool = False,
) -> Response:
    events = audit.recent(session, limit=PAGE, before=before, action=action or None)
    verdict = audit.verify(session) if verify else None
    older = events[-1].seq if len(events) == PAGE else None
    names = staff(session)
    rows = [
        {
            "e": e,
            "actor": actor_name(e.actor, names),
            "sentence": sentence(e.action, e.actor, e.details, names=names),
        }
        for e in events
    ]
    return render(
        request,
        "console/audit.html",
        {"rows": rows, "verdict": verdict, "older": older, "action": action or ""},
    )
