"""Work Steward hands to people or to the company's own code for systems it cannot reach.

A `manual` system (a spreadsheet, a paper archive) is searched and changed by its owner: a
`SystemTask` is mailed to them with a signed link, and the request waits for their answer. A
`webhook` system is searched and changed by the company's code: the task is posted to it as a
signed event, and the request waits for its signed callback. Either way, until the answer
arrives the system counts as *not searched* (GDPR Art. 15(1): no answer is not "no data"), so
the request stays open.

One task per (system, operation, subject): the subject is known here only by a keyed hash of
its identities (`digest`); the identities themselves, the answer and any file are sealed
(encrypted at rest) and shown only to the task's owner and in the request's answer.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.config import Settings
from steward.connectors.tables import SystemTask as SystemTask
from steward.errors import Conflict, NotFound, Unavailable
from steward.store.db import as_utc, make_engine, make_sessionmaker, transaction
from steward.store.sealing import Sealer

OPS = ("search", "erase", "rectify", "restrict")
REMIND_AFTER = timedelta(days=2)  # an open manual task is mailed again this long after
MAX_FILE_BYTES = 10 * 1024 * 1024


class Awaiting(Unavailable):
    """A system's answer has not arrived yet (its owner, or the company's webhook): the
    request waits for it. During a search it is recorded as *not searched* (Art. 15(1))."""


@dataclass(frozen=True)
class Answer:
    """What the owner (or the webhook) reported: `found` records (rows of what was found, as
    the owner wrote them), a free `note`, and for changes how many records were changed."""

    found: bool
    note: str = ""
    records: tuple[dict[str, Any], ...] = ()
    changed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"found": self.found, "note": self.note, "records": list(self.records),
                "changed": self.changed}

    @classmethod
    def from_json(cls, data: Any) -> Answer:
        from steward.errors import InvalidInput

        if not isinstance(data, dict) or not isinstance(data.get("found"), bool):
            raise InvalidInput("an answer is a JSON object with `found` (true or false)")
        records = data.get("records") or []
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise InvalidInput("`records` must be a list of JSON objects")
        changed = data.get("changed") or 0
        if not isinstance(changed, int) or isinstance(changed, bool) or changed < 0:
            raise InvalidInput("`changed` must be a whole number, 0 or more")
        note = data.get("note") or ""
        if not isinstance(note, str) or len(note) > 5000:
            raise InvalidInput("`note` must be text of at most 5000 characters")
        return cls(found=data["found"], note=note, records=tuple(records), changed=changed)


def settings_from(env: Mapping[str, str]) -> Settings:
    """Steward's settings as the connector's environment gives them (the store, the secret,
    the base URL, mail)."""
    if env is os.environ:
        return Settings()
    prefix = "STEWARD_"
    known = set(Settings.model_fields)
    values = {k[len(prefix):].lower(): v for k, v in env.items()
              if k.startswith(prefix) and k[len(prefix):].lower() in known}
    return Settings.model_validate(values)


class Ledger:
    """The tasks of one Steward store, for the manual and webhook connectors."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sealer = Sealer(settings.resolved_secret_key())
        self._engine = make_engine(settings.database_url)
        self.sm: sessionmaker[Session] = make_sessionmaker(self._engine)

    @staticmethod
    def sealer_for(settings: Settings) -> Sealer:
        return Sealer(settings.resolved_secret_key())

    def close(self) -> None:
        self._engine.dispose()

    def digest(self, system: str, op: str, payload: Mapping[str, Any]) -> str:
        return self.sealer.mac("system-task", system, op, json.dumps(payload, sort_keys=True))

    def get_or_open(self, system: str, kind: str, op: str, payload: Mapping[str, Any],
                    *, key_env: str | None = None) -> tuple[SystemTask, bool]:
        """The task for this subject and operation (detached), and whether it is new."""
        digest = self.digest(system, op, payload)
        with transaction(self.sm) as s:
            task = s.scalars(select(SystemTask).where(
                SystemTask.system == system, SystemTask.op == op,
                SystemTask.digest == digest)).first()
            new = task is None
            if task is None:
                task = SystemTask(
                    token=secrets.token_urlsafe(24), system=system, kind=kind, op=op,
                    digest=digest, state="open", created_at=datetime.now(UTC), attempts=0,
                    key_env=key_env,
                    payload_sealed=self.sealer.seal_text(json.dumps(payload, sort_keys=True)),
                )
                s.add(task)
                s.flush()
            s.expunge(task)
        return task, new

    def payload(self, task: SystemTask) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.sealer.open_text(task.payload_sealed) or "{}")
        return data

    def answer(self, task: SystemTask) -> Answer | None:
        if task.state != "done" or task.answer_sealed is None:
            return None
        return Answer.from_json(json.loads(self.sealer.open_text(task.answer_sealed) or "{}"))

    def mark_sent(self, task_id: int, *, ok: bool, error: str = "",
                  retry_in: timedelta | None = None) -> None:
        with transaction(self.sm) as s:
            task = s.get_one(SystemTask, task_id)
            task.attempts += 1
            now = datetime.now(UTC)
            if ok:
                task.sent_at = now
                task.last_error = None
                task.next_attempt_at = None
            else:
                task.last_error = error[:300]
                task.next_attempt_at = now + (retry_in or timedelta(minutes=1))


# --- answering (the owner's page, the webhook's callback) ----------------------------------


def by_token(session: Session, token: str) -> SystemTask:
    task = session.scalars(select(SystemTask).where(SystemTask.token == token)).first()
    if task is None:
        raise NotFound("no such task")
    return task


def record_answer(session: Session, sealer: Sealer, task: SystemTask, answer: Answer, *,
                  file_name: str | None = None, file_data: bytes | None = None,
                  actor: str) -> None:
    """Store the answer (sealed) and close the task. A task already answered is read-only:
    Conflict, nothing changed."""
    from steward.audit.log import append

    if task.state == "done":
        raise Conflict("this task was already answered; its answer can no longer be changed")
    if file_data is not None and len(file_data) > MAX_FILE_BYTES:
        from steward.errors import InvalidInput

        raise InvalidInput(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    task.answer_sealed = sealer.seal_text(json.dumps(answer.to_json(), sort_keys=True))
    if file_data:
        task.file_name = (file_name or "file")[-200:]
        task.file_sealed = sealer.seal(file_data)
    task.state = "done"
    task.answered_at = datetime.now(UTC)
    append(session, actor=actor, action="system_task.answered",
           subject_ref=f"system:{task.system}",
           details={"task": task.id, "op": task.op, "found": answer.found,
                    "file": bool(file_data)})


def due_reminder(task: SystemTask, now: datetime) -> bool:
    sent = as_utc(task.sent_at)
    return task.state == "open" and (sent is None or now - sent >= REMIND_AFTER)
