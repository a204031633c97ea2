"""The outbox page: mail Steward sent while no SMTP server is configured (the demo reads the
verification codes here). Officers only: codes in it prove a subject's identity."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward.mail import list_outbox
from steward.web.deps import Officer, render

router = APIRouter(prefix="/console")


@router.get("/outbox")
def outbox(request: Request, user: Officer) -> Response:
    messages = list_outbox(request.app.state.settings, limit=100)
    return render(
        request,
        "console/outbox.html",
        {"messages": messages, "smtp": bool(request.app.state.settings.smtp_host)},
    )
