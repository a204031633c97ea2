"""The officer's processor register (GDPR Art. 28): processors and sub-processors with their
DPAs, the activities listing them (Art. 30(1)(d)), DPA alerts, dated changes, and the Art. 30(2)
record as processor. Viewers read; officers record changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from steward.errors import InvalidInput, StewardError
from steward.i18n import gettext as _
from steward.policy.models import Policy
from steward.processors.alerts import controller_dpa_alerts, dpa_alerts
from steward.processors.export import export_register
from steward.processors.inputs import ChangeInput, ChangeKind
from steward.processors.record import export_processor_record, processor_record
from steward.processors.register import changes, record_change, register
from steward.processors.subnotices import objections as subprocessor_notices
from steward.store.db import transaction
from steward.web.console.dashboard import Card
from steward.web.deps import Officer, PolicyDep, SessionDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/processors", dependencies=[Depends(csrf_protect)])


def cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard: processors in the register and their DPA alerts."""
    entries = register(session, policy)
    today = datetime.now(UTC).date()
    alerts = dpa_alerts(entries, today) + controller_dpa_alerts(policy, today)
    bad = [a for a in alerts if a.level == "bad"]
    active = [e for e in entries if e.active]
    tone = "bad" if bad else ("warn" if alerts else "ok")
    return [Card(_("Processors"), str(len(active)), "/console/processors", tone=tone,
                 note=_("{n} DPA alert(s) (Art. 28(3))").format(n=len(alerts)) if alerts
                 else _("DPAs in order (Art. 28(3))"),
                 lines=[f"{a.name}: {a.words()}" for a in alerts[:3]])]


def _page(request: Request, session: Session, policy: Policy, error: str | None = None,
          v: dict[str, Any] | None = None, status: int = 200) -> Response:
    entries = register(session, policy)
    return render(
        request, "console/processors/index.html", {
            "entries": entries, "alerts": dpa_alerts(entries, datetime.now(UTC).date())
            + controller_dpa_alerts(policy, datetime.now(UTC).date()),
            "changes": changes(session), "record": processor_record(session, policy),
            "kinds": [k.value for k in ChangeKind], "error": error, "v": v or {},
            "policy": policy, "today": datetime.now(UTC).date(),
            "cat_names": {c.key: policy.text(c.name) for c in policy.data_categories},
            "act_names": {a.key: policy.text(a.name) for a in policy.processing_activities},
            "system_names": {s.key: policy.text(s.name) for s in policy.systems},
            "notices": subprocessor_notices(session),
            }, status_code=status)


@router.get("")
def index(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    return _page(request, session, policy)


@router.post("/changes")
async def add_change(request: Request, user: Officer, policy: PolicyDep) -> Response:
    form = await request.form()
    st = request.app.state
    v = {k: form.get(k) for k in form.keys()}
    try:
        values: dict[str, Any] = {k: (val or None) for k, val in v.items()
                                  if k not in ("csrf_token", "data_categories", "systems")}
        for k in ("data_categories", "systems"):
            if form.getlist(k):
                values[k] = form.getlist(k)
        try:
            data = ChangeInput(**values)
        except ValidationError as err:
            first = err.errors()[0]
            raise InvalidInput(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") \
                from None
        with transaction(st.sessionmaker) as s:
            record_change(s, policy, data, actor=user.email)
    except StewardError as err:
        with transaction(st.sessionmaker) as s:
            return _page(request, s, policy, error=err.detail, v=v, status=err.status)
    return RedirectResponse("/console/processors", status_code=303)


@router.get("/export/{fmt}")
def export_(fmt: str, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    """The processor register (with its DPA alerts) as CSV or JSON."""
    data, media, filename = export_register(session, policy, fmt, datetime.now(UTC).date())
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@router.get("/record.{fmt}")
def record(fmt: str, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    """The Art. 30(2) record as CSV, JSON or XLSX."""
    data, media, filename = export_processor_record(session, policy, fmt)
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})
