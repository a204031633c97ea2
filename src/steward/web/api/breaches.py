"""JSON API for the breach register (GDPR Arts. 33-34). Viewers read; officers act. Session
callers send the CSRF token in the X-CSRF-Token header. Errors are RFC 9457 problems."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from steward.breaches import affected, assessment, export, notices, notifications, register
from steward.breaches.inputs import AssessmentInput, BreachInput, NotificationInput
from steward.store.db import transaction
from steward.web.deps import Officer, PolicyDep, SessionDep, Viewer
from steward.web.security import csrf_protect

router = APIRouter(prefix="/api/breaches", tags=["breaches"],
                   dependencies=[Depends(csrf_protect)])


def _download(data: bytes | str, media: str, filename: str) -> Response:
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@router.get("")
def list_(user: Viewer, session: SessionDep, policy: PolicyDep,
          status: str | None = None) -> list[dict[str, Any]]:
    """The register, newest awareness first, each with its 72-hour clock and tasks."""
    return [export.breach_dict(session, policy, b, full=False)
            for b in register.list_breaches(session, status=status)]


@router.post("", status_code=201)
def create(body: BreachInput, user: Officer, session: SessionDep,
           policy: PolicyDep) -> dict[str, Any]:
    """Register a breach (Art. 33(5)); the 72-hour clock runs from `aware_at`."""
    row = register.register_breach(session, policy, body, actor=user.email)
    return export.breach_dict(session, policy, row)


@router.get("/export")
def export_(user: Viewer, session: SessionDep, policy: PolicyDep,
            format: str = Query("json", pattern="^(json|csv)$")) -> Response:
    """The whole register as CSV or JSON."""
    return _download(*export.export_register(session, policy, format))


@router.get("/{breach_id}")
def get(breach_id: int, user: Viewer, session: SessionDep, policy: PolicyDep) -> dict[str, Any]:
    return export.breach_dict(session, policy, register.get_breach(session, breach_id))


@router.put("/{breach_id}")
def update(breach_id: int, body: BreachInput, user: Officer, session: SessionDep,
           policy: PolicyDep) -> dict[str, Any]:
    """Edit a breach; the earlier state is kept as a version."""
    row = register.update_breach(session, policy, breach_id, body, actor=user.email)
    return export.breach_dict(session, policy, row)


@router.get("/{breach_id}/versions")
def versions(breach_id: int, user: Viewer, session: SessionDep) -> list[dict[str, Any]]:
    register.get_breach(session, breach_id)
    return [{"version": v.version, "at": v.at.isoformat(), "actor": v.actor, "change": v.change,
             "data": v.data} for v in register.versions(session, breach_id)]


@router.post("/{breach_id}/assessment")
def assess(breach_id: int, body: AssessmentInput, user: Officer, session: SessionDep,
           policy: PolicyDep) -> dict[str, Any]:
    """Record the risk assessment; it decides the tasks (Arts. 33-34)."""
    row = assessment.assess(session, policy, breach_id, body, actor=user.email)
    return export.breach_dict(session, policy, row)


@router.post("/{breach_id}/notifications", status_code=201)
def notify(breach_id: int, body: NotificationInput, user: Officer, session: SessionDep,
           policy: PolicyDep) -> dict[str, Any]:
    """Record a notification sent (initial or supplement, Art. 33(4))."""
    n = notifications.record_notification(session, policy, breach_id, body, actor=user.email)
    return export.notification_dict(n)


@router.post("/{breach_id}/close")
def close(breach_id: int, user: Officer, session: SessionDep,
          policy: PolicyDep) -> dict[str, Any]:
    row = assessment.close_breach(session, policy, breach_id, actor=user.email)
    return export.breach_dict(session, policy, row)


@router.get("/{breach_id}/notice")
def notice(breach_id: int, user: Viewer, session: SessionDep, policy: PolicyDep,
           authority: str | None = None, phase: str = Query("initial",
                                                            pattern="^(initial|supplement)$"),
           format: str = Query("md", pattern="^(md|txt|json)$")) -> Response:
    """The Art. 33 notification for `authority` (default: the lead authority)."""
    row = register.get_breach(session, breach_id)
    country = (authority or policy.controller.lead_authority).upper()
    n = notices.authority_notice(policy, row, country, phase=phase)
    name = f"breach-{row.id}-notice-{country.lower()}"
    if format == "json":
        return _download(n.to_json(), "application/json", f"{name}.json")
    if format == "txt":
        return _download(n.to_text(), "text/plain; charset=utf-8", f"{name}.txt")
    return _download(n.to_markdown(), "text/markdown; charset=utf-8", f"{name}.md")


@router.get("/{breach_id}/letter")
def letter(breach_id: int, user: Viewer, session: SessionDep, policy: PolicyDep,
           lang: str | None = None) -> dict[str, str]:
    """The Art. 34 letter to people, in `lang` where the policy has it."""
    row = register.get_breach(session, breach_id)
    subject, text = notices.subject_letter(policy, row, lang)
    return {"language": notices.letter_language(policy, lang), "subject": subject, "text": text}


@router.post("/{breach_id}/affected")
async def lookup(breach_id: int, body: affected.Selection, request: Request,
                 user: Officer) -> dict[str, Any]:
    """Count the people and records a selection touches; the counts feed the register."""
    st = request.app.state

    base_dir, policy_dir = affected.system_dirs(st.settings)

    def run() -> dict[str, Any]:
        found = affected.find_affected(st.policy, body,
                                       secret=st.settings.resolved_secret_key(),
                                       base_dir=base_dir, policy_dir=policy_dir)
        with transaction(st.sessionmaker) as s:
            affected.record_lookup(s, breach_id, body, found, actor=user.email)
        return found.summary()

    return await run_in_threadpool(run)


@router.post("/{breach_id}/letters")
async def letters(breach_id: int, body: affected.Selection, request: Request,
                  user: Officer) -> dict[str, Any]:
    """Send the Art. 34 letter to the people selected (once per person and breach)."""
    st = request.app.state

    base_dir, policy_dir = affected.system_dirs(st.settings)

    def run() -> dict[str, Any]:
        with transaction(st.sessionmaker) as s:
            out = affected.send_letters(s, st.settings, st.policy, breach_id, body,
                                        actor=user.email, base_dir=base_dir,
                                        policy_dir=policy_dir)
        return out.__dict__

    return await run_in_threadpool(run)
