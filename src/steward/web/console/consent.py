"""Console pages for consent: figures per purpose over time, subject lookup with history and
proof export, the notice versions (snapshots), and the ledger's chain check."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from steward import audit
from steward.consent import figures, ledger, proof, snapshots, state
from steward.consent.purposes import all_purposes
from steward.consent.subjects import subject_ref
from steward.errors import NotFound
from steward.policy.models import Policy
from steward.web.console.consent_chart import svg
from steward.web.console.dashboard import Card
from steward.web.deps import Officer, PolicyDep, SessionDep, SettingsDep, Viewer

router = APIRouter(prefix="/console/consent")


def _page(request: Request, name: str, ctx: dict[str, object]) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, f"console/consent/{name}", ctx)


@router.get("")
def overview(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep,
             days: int = 30, verify: bool = False) -> Response:
    days = min(max(days, 2), 365)
    titles = {p.key: p.title for p in all_purposes(policy)}
    charts = [(s.purpose, titles.get(s.purpose, s.purpose), svg(s, titles.get(s.purpose,
               s.purpose)), sum(s.given), sum(s.declined))
              for s in figures.daily(session, days=days)]
    return _page(request, "overview.html", {
        "charts": charts, "totals": figures.totals(session), "titles": titles, "days": days,
        "events": figures.event_count(session),
        "verdict": ledger.verify(session) if verify else None,
    })


@router.get("/subject")
def subject(request: Request, user: Officer, session: SessionDep, policy: PolicyDep,
            settings: SettingsDep, q: str = "") -> Response:
    ref = subject_ref(settings.resolved_secret_key(), q) if q else None
    ctx: dict[str, object] = {"q": q, "ref": ref, "states": {}, "history": []}
    if ref:
        ctx["states"] = {k: state.effective(v) for k, v in state.for_subject(session, ref).items()}
        ctx["history"] = state.history(session, ref)
        ctx["titles"] = {p.key: p.title for p in all_purposes(policy)}
    return _page(request, "subject.html", ctx)


@router.get("/proof")
def proof_export(request: Request, user: Officer, session: SessionDep, policy: PolicyDep,
                 settings: SettingsDep, q: str, format: str = "html") -> Response:
    ref = subject_ref(settings.resolved_secret_key(), q)
    doc = proof.export(session, policy, ref)
    audit.append(session, actor=f"user:{user.email}", action="consent.proof_exported",
                 subject_ref=ref, details={"events": len(doc["consent_records"]),
                                           "format": format})
    if format == "json":
        return Response(json.dumps(doc, indent=2, ensure_ascii=False),
                        media_type="application/json", headers={
                            "content-disposition": 'attachment; filename="consent-proof.json"'})
    return _page(request, "proof.html", {"doc": doc, "q": q})


@router.get("/notices")
def notices(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    return _page(request, "notices.html", {"snaps": snapshots.listing(session)})


@router.get("/notices/{sha}")
def notice(request: Request, user: Viewer, session: SessionDep, sha: str) -> Response:
    snap = snapshots.find(session, sha)
    if snap is None:
        raise NotFound("no notice snapshot with that hash")
    pretty = json.dumps(json.loads(snap.content), indent=2, ensure_ascii=False)
    return _page(request, "notice.html", {"snap": snap, "pretty": pretty})


def dashboard_cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard provider: consent events and how many subjects currently allow each purpose."""
    totals = figures.totals(session)
    lines = [f"{k}: {v.get('given', 0)} given" for k, v in sorted(totals.items())
             if not k.startswith("cookie.")][:6]
    return [Card("Consent events", str(figures.event_count(session)), "/console/consent",
                 note="own hash chain", lines=lines)]
