"""Foundation API: health, the policy summary, the Art. 30 export, the audit verdict, and a
server-rendered API reference at /api/docs (no CDN scripts: nothing loads from outside)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from steward import audit
from steward.policy.ropa import (
    CONTROLLER_FIELDS,
    PROCESSOR_FIELDS,
    export_rows,
    ropa_processor_rows,
    ropa_rows,
)
from steward.web.deps import PUBLIC, Admin, PolicyDep, SessionDep, Viewer, render

router = APIRouter(prefix="/api", tags=["foundation"])
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/health", dependencies=[PUBLIC])
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/docs", dependencies=[PUBLIC], include_in_schema=False)
def docs(request: Request) -> Response:
    spec: dict[str, Any] = request.app.openapi()
    ops = [
        {"method": m.upper(), "path": p, "summary": op.get("summary", ""),
         "description": op.get("description", "")}
        for p, methods in sorted(spec.get("paths", {}).items())
        for m, op in methods.items()
    ]
    return render(request, "api_docs.html", {"ops": ops, "spec": spec})


@router.get("/policy")
def policy_summary(user: Viewer, policy: PolicyDep) -> dict[str, Any]:
    """The loaded policy's identity and sizes."""
    return {
        "id": policy.policy.id, "version": policy.policy.version,
        "effective": policy.policy.effective.isoformat(),
        "controller": policy.controller.name,
        "purposes": [p.key for p in policy.purposes],
        "activities": [a.key for a in policy.processing_activities],
        "systems": [s.key for s in policy.systems],
    }


@router.get("/ropa")
def ropa(
    user: Viewer, policy: PolicyDep,
    format: str = Query("json", pattern="^(json|csv|xlsx)$"),
    role: str = Query("controller", pattern="^(controller|processor)$"),
) -> Response:
    """The Art. 30 record as JSON, CSV or Excel (Art. 30(1) as controller, 30(2) as processor)."""
    if role == "controller":
        data = export_rows(ropa_rows(policy), CONTROLLER_FIELDS, format)
    else:
        data = export_rows(ropa_processor_rows(policy), PROCESSOR_FIELDS, format)
    media = MEDIA[format]
    filename = f"art30-{role}-{policy.policy.id}.{format}"
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@router.get("/audit/verify")
def audit_verify(user: Admin, session: SessionDep) -> dict[str, Any]:
    """Recompute the audit chain (admin only)."""
    v = audit.verify(session)
    return {"ok": v.ok, "checked": v.checked, "first_broken": v.first_broken, "reason": v.reason}
