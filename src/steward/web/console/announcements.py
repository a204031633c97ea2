"""New purposes announced before their processing starts (GDPR Art. 13(3), Art. 14(4)): the
countdown to each start date, who will and who will not be told, and the send and retry
buttons. The mail run is queued as the job runner's `announcements.send` task (run by the
in-process worker or by `steward worker` processes); without a job runner it runs after the
response. Either way it goes in committed batches, and the periodic retry finishes it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse, Response

from steward.config import Settings
from steward.errors import StewardError
from steward.i18n import gettext as _
from steward.policy.models import Policy
from steward.publication import announcements as ann
from steward.store.db import as_utc, transaction
from steward.web.deps import Officer, PolicyDep, SessionDep, SettingsDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/announcements", dependencies=[Depends(csrf_protect)])


def countdown(starts_at: datetime | None, now: datetime | None = None) -> str:
    """"starts in N days" / "started" / "not set" for the console."""
    if starts_at is None:
        return _("not set: nobody has been told yet, the purpose is blocked")
    now = now or datetime.now(UTC)
    left = as_utc(starts_at) - now
    if left.total_seconds() <= 0:
        return _("started")
    days, rest = divmod(int(left.total_seconds()), 86400)
    return _("starts in {days} day(s) {hours} hour(s)").format(days=days, hours=rest // 3600)


@router.get("")
def index(request: Request, user: Viewer, session: SessionDep) -> Response:
    rows = [(a, countdown(a.starts_at), ann.counts(session, a.id)) for a in ann.listing(session)]
    return render(request, "console/announcements/index.html", {"rows": rows})


@router.get("/{announcement_id}")
def page(request: Request, announcement_id: int, user: Viewer, session: SessionDep,
         settings: SettingsDep, policy: PolicyDep) -> Response:
    a = ann.get(session, announcement_id)
    known = {p.key for p in policy.purposes}
    plan = ann.plan(settings, policy, a.purpose) if a.purpose in known else None
    return render(request, "console/announcements/page.html", {
        "a": a, "countdown": countdown(a.starts_at), "counts": ann.counts(session, a.id),
        "plan": plan, "title": policy.text(policy.purpose(a.purpose).title)
        if a.purpose in known else a.purpose,
        "error": request.session.pop("announcement_error", None)})


def _back(request: Request, announcement_id: int, error: str | None = None) -> Response:
    if error:  # in the session, not the URL: nobody can forge it in a link
        request.session["announcement_error"] = error
    return RedirectResponse(f"/console/announcements/{announcement_id}", status_code=303)


@router.post("/{announcement_id}/send")
def send(request: Request, announcement_id: int, user: Officer, policy: PolicyDep,
         settings: SettingsDep, background: BackgroundTasks) -> Response:
    sm = request.app.state.sessionmaker
    try:
        with transaction(sm) as s:
            ann.start(s, announcement_id, actor=user.email)
    except StewardError as err:
        return _back(request, announcement_id, err.detail)
    _queue(request, background, settings, policy, announcement_id)
    return _back(request, announcement_id)


def _queue(request: Request, background: BackgroundTasks, settings: Settings, policy: Policy,
           announcement_id: int) -> None:
    tasks = request.app.state.extras.get("jobs")
    if tasks is not None and tasks.send_announcement is not None:
        tasks.send_announcement(announcement_id)
        return
    background.add_task(ann.run, request.app.state.sessionmaker, settings, policy,
                        announcement_id)


@router.post("/{announcement_id}/retry")
def retry(request: Request, announcement_id: int, user: Officer, policy: PolicyDep,
          settings: SettingsDep, background: BackgroundTasks) -> Response:
    sm = request.app.state.sessionmaker
    with transaction(sm) as s:
        if ann.get(s, announcement_id).status != ann.SENDING:
            return _back(request, announcement_id, "Nothing to retry: every mail went out.")
        ann.reset_failed(s, announcement_id)
    _queue(request, background, settings, policy, announcement_id)
    return _back(request, announcement_id)
