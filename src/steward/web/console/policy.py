"""The policy as people read it (the rendered notice) and the Art. 30 record of processing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from steward.policy.render import render_notice
from steward.policy.ropa import (
    CONTROLLER_FIELDS,
    PROCESSOR_FIELDS,
    ropa_processor_rows,
    ropa_rows,
)
from steward.web.deps import PolicyDep, Viewer, render

router = APIRouter(prefix="/console")


@router.get("/policy")
def policy_page(request: Request, user: Viewer, policy: PolicyDep) -> Response:
    return render(
        request,
        "console/policy.html",
        {"notice": Markup(render_notice(policy, fmt="html")), "policy": policy},
    )


@router.get("/policy/ropa")
def ropa_page(request: Request, user: Viewer, policy: PolicyDep) -> Response:
    return render(
        request,
        "console/ropa.html",
        {
            "rows": ropa_rows(policy),
            "processor_rows": ropa_processor_rows(policy),
            # The Art. 30 headings, grouped for reading (the exports keep one column each).
            "labels": dict(CONTROLLER_FIELDS),
            "processor_labels": dict(PROCESSOR_FIELDS),
        },
    )
