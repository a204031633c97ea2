"""The scanner console: where sensitive data lives in the company's systems (the last scan of
each field), policy gaps highlighted; officers start a sampled scan of one system."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.connectors.engines import SystemEngines
from steward.errors import InvalidInput, StewardError
from steward.i18n import gettext as _
from steward.policy.models import Policy
from steward.scanner import reports
from steward.scanner.systems import scan_system
from steward.store.db import transaction
from steward.web.console.dashboard import Card
from steward.web.deps import Officer, PolicyDep, SessionDep, SettingsDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/scanner", dependencies=[Depends(csrf_protect)])

DEFAULT_SAMPLE = 1000
MAX_SAMPLE = 10_000  # the scan runs inside the request: a sample keeps it to seconds


def cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard: policy gaps found by the last scans (read from the store only)."""
    gaps = reports.gap_count(session)
    at = reports.last_scanned(session)
    return [Card(_("Scanner"), _("policy gaps: {n}").format(n=gaps), "/console/scanner",
                 tone="bad" if gaps else ("ok" if at else ""),
                 note=_("last scan {at} UTC").format(at=f"{at:%Y-%m-%d %H:%M}") if at
                 else _("no scan yet"))]


@router.get("")
def index(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    message = request.session.pop("scanner_message", None)
    error = request.session.pop("scanner_error", None)
    rows = reports.latest(session)
    return render(
        request, "console/scanner/index.html", {
            "rows": rows, "gaps": [r for r in rows if r.row.gap], "message": message,
            "error": error, "last": reports.last_scanned(session),
            "systems": [s for s in policy.systems if s.connector == "sql"],
            "default_sample": DEFAULT_SAMPLE, "max_sample": MAX_SAMPLE})


@router.post("/scan")
async def start_scan(request: Request, user: Officer, policy: PolicyDep,
                     settings: SettingsDep) -> Response:
    form = await request.form()
    system = form.get("system")
    raw = form.get("sample")
    engines = SystemEngines.for_settings(settings)
    try:
        if not isinstance(system, str) or not system:
            raise InvalidInput("choose a system to scan")
        try:
            sample = int(raw) if isinstance(raw, str) and raw.strip() else DEFAULT_SAMPLE
        except ValueError:
            raise InvalidInput("the sample must be a whole number of rows") from None
        if not 1 <= sample <= MAX_SAMPLE:
            raise InvalidInput(f"the sample must be between 1 and {MAX_SAMPLE} rows per table")
        result = scan_system(policy, policy.system(system), engines, sample=sample)
        with transaction(request.app.state.sessionmaker) as s:
            reports.save(s, [result], actor=user.email)
        request.session["scanner_message"] = (
            f"Scanned {system}: {sum(t.rows_scanned for t in result.tables)} row(s), "
            f"{len(result.gaps)} policy gap(s).")
    except StewardError as err:
        request.session["scanner_error"] = err.detail
    finally:
        engines.dispose()
    return RedirectResponse("/console/scanner", status_code=303)
