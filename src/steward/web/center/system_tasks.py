"""The pages and the callback that answer tasks of manual and webhook systems.

`/system-tasks/{token}.{mac}` is the signed link mailed to a manual system's owner: it shows
what to look for and takes their answer (with an optional file, encrypted at rest); once
answered it is read-only. `/api/v1/system-tasks/{token}/callback` takes a webhook's signed
answer; a bad signature, a stale timestamp or a replay is refused (401/409), written to the
audit log, and changes nothing.
"""

from __future__ import annotations

import hmac
import json

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from steward.audit.log import append
from steward.connectors.manual import WHAT
from steward.connectors.tasks import Answer, Ledger, SystemTask, by_token, record_answer
from steward.connectors.webhook import check_signature
from steward.errors import Conflict, InvalidInput, NotFound, StewardError, Unauthorized
from steward.notifiers.http import SIGNATURE, TIMESTAMP
from steward.store.sealing import Sealer
from steward.web.deps import PUBLIC, SessionDep, SettingsDep, render
from steward.web.problems import problem

router = APIRouter()


def _task(session: SessionDep, sealer: Sealer, link: str) -> SystemTask:
    token, _, mac = link.partition(".")
    expected = sealer.mac("system-task-link", token)[:32]
    if not mac or not hmac.compare_digest(mac, expected):
        raise NotFound("no such task")
    task = by_token(session, token)
    if task.kind != "manual":
        raise NotFound("no such task")
    return task


def _page(request: Request, sealer: Sealer, task: SystemTask, link: str,
          error: str = "") -> Response:
    payload = json.loads(sealer.open_text(task.payload_sealed) or "{}")
    answer = None
    if task.answer_sealed is not None:
        answer = json.loads(sealer.open_text(task.answer_sealed) or "{}")
    return render(request, "center/tasks/task.html", {
        "task": task, "what": WHAT[task.op], "link": link, "error": error,
        "identities": payload.get("identities") or {}, "changes": payload.get("changes") or {},
        "answer": answer,
    }, status_code=422 if error else 200)


@router.get("/system-tasks/{link}", dependencies=[PUBLIC], include_in_schema=False)
def task_page(request: Request, link: str, session: SessionDep,
              settings: SettingsDep) -> Response:
    sealer = Sealer(settings.resolved_secret_key())
    return _page(request, sealer, _task(session, sealer, link), link)


@router.post("/system-tasks/{link}", dependencies=[PUBLIC], include_in_schema=False)
async def task_answer(request: Request, link: str, session: SessionDep,
                      settings: SettingsDep, found: str = Form(""), note: str = Form(""),
                      changed: str = Form("0"),
                      file: UploadFile | None = File(None)) -> Response:
    sealer = Sealer(settings.resolved_secret_key())
    task = _task(session, sealer, link)
    if found not in ("yes", "no"):
        return _page(request, sealer, task, link, "Say whether you found records.")
    try:
        count = int(changed or "0")
    except ValueError:
        return _page(request, sealer, task, link, "The number of records changed is a number.")
    data = await file.read() if file is not None and file.filename else None
    try:
        answer = Answer.from_json({"found": found == "yes", "note": note.strip(),
                                   "changed": count})
        record_answer(session, sealer, task, answer, file_name=file.filename if data and file
                      else None, file_data=data, actor=f"owner:{task.system}")
    except (InvalidInput, Conflict) as err:  # raised before anything was written
        return _page(request, sealer, task, link, err.detail)
    return _page(request, sealer, task, link)


@router.post("/api/v1/system-tasks/{token}/callback", dependencies=[PUBLIC])
async def webhook_callback(request: Request, token: str, session: SessionDep,
                           settings: SettingsDep) -> Response:
    """A webhook system's signed answer to one of its events."""
    import os

    body = await request.body()
    try:
        task = by_token(session, token)
        if task.kind != "webhook":
            raise NotFound("no such task")
        key = os.environ.get(task.key_env or "", "").strip().encode()
        if not key:
            raise Unauthorized("the key this callback is checked with is not configured")
        check_signature(key, request.headers.get(TIMESTAMP, ""), body,
                        request.headers.get(SIGNATURE, ""))
        if task.state == "done":
            raise Conflict("this task was already answered: a replayed callback is refused")
        try:
            data = json.loads(body)
        except ValueError:
            raise InvalidInput("the callback's body is not JSON") from None
        if not isinstance(data, dict) or data.get("task") != token:
            raise InvalidInput("the callback names another task")
        answer = Answer.from_json(data)
        record_answer(session, Ledger.sealer_for(settings), task, answer,
                      actor=f"webhook:{task.system}")
    except StewardError as err:  # raised before the answer was written: the task is unchanged
        # Logged without the body: it may hold personal data.
        append(session, actor="webhook", action="system_task.callback_refused",
               details={"why": err.detail, "status": err.status})
        return problem(err.status, err.title, err.detail, request)
    return JSONResponse({"task": token, "state": "done"})
