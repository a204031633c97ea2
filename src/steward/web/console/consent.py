"""Console pages for consent: figures per purpose over time, subject lookup with history and
proof export, the notice versions (snapshots), the ledger's chain check, and the import of
consents given before Steward (a CSV upload, `steward.consent.imports`).

A subject is looked up by a POST form (CSRF-protected): the e-mail address typed in never
appears in a URL, so it stays out of browser history, proxy and server logs (Art. 5(1)(f),
Art. 32). The result and the proof pages are keyed by the ledger reference (`email:<keyed
hash>`, `acct:…`, `cid:…`), which alone identifies no one."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from steward import audit
from steward.consent import figures, imports, ledger, proof, snapshots, state
from steward.consent.purposes import all_purposes
from steward.consent.subjects import reference, subject_ref
from steward.errors import InvalidInput, NotFound
from steward.i18n import gettext as _
from steward.policy.models import Policy
from steward.store.db import transaction
from steward.web.console.consent_chart import svg
from steward.web.console.dashboard import Card
from steward.web.deps import Officer, PolicyDep, SessionDep, SettingsDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/consent", dependencies=[Depends(csrf_protect)])


@router.get("")
def overview(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep,
             days: int = 30, verify: bool = False) -> Response:
    days = min(max(days, 2), 365)
    titles = {p.key: p.title for p in all_purposes(policy)}
    charts = [(s.purpose, titles.get(s.purpose, s.purpose), svg(s, titles.get(s.purpose,
               s.purpose)), sum(s.given), sum(s.declined))
              for s in figures.daily(session, days=days)]
    return render(request, "console/consent/overview.html", {
        "charts": charts, "totals": figures.totals(session), "titles": titles, "days": days,
        "events": figures.event_count(session),
        "verdict": ledger.verify(session) if verify else None,
    })


@router.get("/subject")
def subject(request: Request, user: Officer, session: SessionDep, policy: PolicyDep,
            ref: str = "") -> Response:
    """The lookup form; with `ref` (a ledger reference, never an address) that subject's
    state and history."""
    ref = reference(ref) if ref else ""
    ctx: dict[str, object] = {"ref": ref, "states": {}, "history": []}
    if ref:
        ctx["states"] = {k: state.effective(v) for k, v in state.for_subject(session, ref).items()}
        ctx["history"] = state.history(session, ref)
        ctx["titles"] = {p.key: p.title for p in all_purposes(policy)}
    return render(request, "console/consent/subject.html", ctx)


@router.post("/subject")
def subject_lookup(user: Officer, settings: SettingsDep,
                   q: Annotated[str, Form(max_length=300)] = "") -> Response:
    """Turn what was typed (an address, consent id or account) into its ledger reference and
    show that subject's page, whose URL holds only the reference."""
    ref = subject_ref(settings.resolved_secret_key(), q)
    return RedirectResponse(f"/console/consent/subject?ref={quote(ref, safe=':')}",
                            status_code=303)


@router.get("/proof")
def proof_export(request: Request, user: Officer, session: SessionDep, policy: PolicyDep,
                 ref: str, format: str = "html") -> Response:
    ref = reference(ref)
    doc = proof.export(session, policy, ref)
    audit.append(session, actor=f"user:{user.id}", action="consent.proof_exported",
                 subject_ref=ref, details={"events": len(doc["consent_records"]),
                                           "format": format})
    if format == "json":
        return Response(json.dumps(doc, indent=2, ensure_ascii=False),
                        media_type="application/json", headers={
                            "content-disposition": 'attachment; filename="consent-proof.json"'})
    return render(request, "console/consent/proof.html", {"doc": doc, "ref": ref})


@router.get("/notices")
def notices(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    return render(request, "console/consent/notices.html", {"snaps": snapshots.listing(session)})


@router.get("/notices/{sha}")
def notice(request: Request, user: Viewer, session: SessionDep, sha: str) -> Response:
    snap = snapshots.find(session, sha)
    if snap is None:
        raise NotFound("no notice snapshot with that hash")
    pretty = json.dumps(json.loads(snap.content), indent=2, ensure_ascii=False)
    return render(request, "console/consent/notice.html", {"snap": snap, "pretty": pretty})


@router.get("/import")
def import_form(request: Request, user: Officer) -> Response:
    """The upload form for consents given before Steward, with the file's columns."""
    return render(request, "console/consent/import.html", {
        "report": None, "error": None, "columns": imports.COLUMNS})


@router.post("/import")
async def import_upload(request: Request, user: Officer, policy: PolicyDep,
                        settings: SettingsDep) -> Response:
    """Import an uploaded CSV file (bounded by the upload limit) and show its report: rows
    recorded, rows imported before, rows refused with line numbers and reasons."""
    async with request.form() as form:  # closes the spooled upload afterwards
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _import_error(request, _("Choose a CSV file to import."))
        filename = upload.filename[:200]
        data = await upload.read(settings.upload_limit_bytes + 1)
    if len(data) > settings.upload_limit_bytes:
        return _import_error(request, _("The file is larger than %(n)s bytes.")
                             % {"n": f"{settings.upload_limit_bytes:,}"})
    actor = f"user:{user.id}"
    try:
        with transaction(request.app.state.sessionmaker) as s:
            report = imports.import_csv(s, policy, settings.resolved_secret_key(), data,
                                        recorded_by=actor)
            audit.append(s, actor=actor, action="consent.imported", details={
                "file_sha256": hashlib.sha256(data).hexdigest(), "imported": report.imported,
                "already_imported": report.already, "refused": len(report.refused),
                "events": report.events})
    except InvalidInput as err:
        return _import_error(request, err.detail)
    return render(request, "console/consent/import.html", {
        "report": report, "error": None, "columns": imports.COLUMNS,
        "filename": filename})


def _import_error(request: Request, error: str) -> Response:
    return render(request, "console/consent/import.html", {
        "report": None, "error": error, "columns": imports.COLUMNS}, status_code=422)


def dashboard_cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard provider: consent events and how many subjects currently allow each purpose."""
    totals = figures.totals(session)
    lines = [_("{purpose}: {n} given").format(purpose=k, n=v.get("given", 0))
             for k, v in sorted(totals.items()) if not k.startswith("cookie.")][:6]
    return [Card(_("Consent events"), str(figures.event_count(session)), "/console/consent",
                 note=_("own hash chain"), lines=lines)]
