"""JSON API for the processor register (GDPR Art. 28) and the Art. 30(2) record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from steward.processors.alerts import dpa_alerts
from steward.processors.export import export_register
from steward.processors.inputs import ChangeInput
from steward.processors.record import export_processor_record
from steward.processors.register import changes, record_change, register
from steward.web.deps import Officer, PolicyDep, SessionDep, Viewer
from steward.web.security import csrf_protect

router = APIRouter(prefix="/api/processors", tags=["processors"],
                   dependencies=[Depends(csrf_protect)])


@router.get("")
def list_(user: Viewer, session: SessionDep, policy: PolicyDep) -> dict[str, Any]:
    """Processors and sub-processors with their DPAs, activities and alerts."""
    entries = register(session, policy)
    alerts = dpa_alerts(entries, datetime.now(UTC).date())
    return {"processors": [e.to_dict() for e in entries],
            "alerts": [a.__dict__ for a in alerts]}


@router.get("/export")
def export_(user: Viewer, session: SessionDep, policy: PolicyDep,
            format: str = Query("json", pattern="^(json|csv)$")) -> Response:
    """The processor register, each entry with its DPA alerts, as CSV or JSON."""
    data, media, filename = export_register(session, policy, format, datetime.now(UTC).date())
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@router.get("/changes")
def list_changes(user: Viewer, session: SessionDep) -> list[dict[str, Any]]:
    return [{"id": c.id, "processor_key": c.processor_key,
             "sub_processor_key": c.sub_processor_key, "kind": c.kind,
             "effective": c.effective.isoformat(), "fields": c.fields, "note": c.note,
             "recorded_by": c.recorded_by} for c in changes(session)]


@router.post("/changes", status_code=201)
def add_change(body: ChangeInput, user: Officer, session: SessionDep,
               policy: PolicyDep) -> dict[str, Any]:
    """Record a change (a sub-processor added or removed, a DPA renewed), with its date."""
    row = record_change(session, policy, body, actor=user.email)
    return {"id": row.id, "kind": row.kind, "effective": row.effective.isoformat()}


@router.get("/record")
def processor_record(user: Viewer, session: SessionDep, policy: PolicyDep,
                     format: str = Query("json", pattern="^(json|csv|xlsx)$")) -> Response:
    """The Art. 30(2) record (the company acting as a processor) as JSON, CSV or XLSX."""
    data, media, filename = export_processor_record(session, policy, format)
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})
