"""Review, then send: an executed request's answer is a draft until an officer sends it.

Executing a request (`steward.requests.execute`) ends in `hold` unless the policy sends that
type without review (`rights.send_without_review`): the result, the sealed copy of the data
and the letter's free fields are stored in `dsr_drafts`, and the request waits in
`awaiting_review`. Nothing reaches the person before `send`: no letter on the status page, no
package to download, no "your answer is ready" mail.

The letter has two free fields an officer may write (`edit`): the greeting line and one
additional paragraph, placed before the statements on complaints and the signature. Every
other sentence of the letter (the findings, the articles, the rights) is rendered from the
policy and cannot be edited, so what the law requires stays in every answer.

`send` happens once: it builds the package with the letter as it now reads, completes the
request and queues the notice; a second send (another tab, a double click, the CLI after the
console) is refused with a Conflict that says when and by whom it was sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.config import Settings
from steward.errors import Conflict, InvalidInput, NotFound
from steward.i18n import current
from steward.policy.models import Policy
from steward.requests import letters, notices, packages
from steward.requests.states import State, move, record, ref
from steward.requests.tables import DsrDraft, DsrRequest
from steward.store.db import transaction
from steward.store.sealing import Sealer

GREETING_MAX = 200
NOTE_MAX = 2000


def review_required(policy: Policy, type_: str) -> bool:
    """True unless the policy sends answers of this request type without review."""
    return type_ not in {r.value for r in policy.rights.send_without_review}


@dataclass(frozen=True)
class FreeFields:
    """The parts of a letter an officer may write; None: the default text."""

    greeting: str | None = None
    note: str | None = None


def checked(greeting: str | None, note: str | None) -> FreeFields:
    """The free fields as typed, trimmed; InvalidInput when they do not fit the letter."""
    g = (greeting or "").strip()
    n = (note or "").replace("\r\n", "\n").strip()
    if "\n" in g:
        raise InvalidInput("greeting: one line (the letter's first line)")
    if len(g) > GREETING_MAX:
        raise InvalidInput(f"greeting: at most {GREETING_MAX} characters")
    if len(n) > NOTE_MAX:
        raise InvalidInput(f"note: at most {NOTE_MAX} characters")
    return FreeFields(g or None, n or None)


def draft_of(session: Session, req: DsrRequest) -> DsrDraft | None:
    return session.scalars(select(DsrDraft).where(DsrDraft.request_id == req.id)).first()


def fields_of(sealer: Sealer, draft: DsrDraft) -> FreeFields:
    return FreeFields(sealer.open_text(draft.greeting_enc), sealer.open_text(draft.note_enc))


def hold(
    session: Session,
    sealer: Sealer,
    req: DsrRequest,
    result: dict[str, Any],
    data: dict[str, Any] | None,
    actor: str,
) -> None:
    """Keep the executed request's answer as a draft (inside the executing transaction)."""
    now = datetime.now(UTC)
    draft = draft_of(session, req)
    if draft is None:
        draft = DsrDraft(request_id=req.id, created_at=now)
        session.add(draft)
    elif draft.sent_at is not None:
        raise Conflict(f"the answer to request {req.public_id} was already sent")
    draft.result_json = json.dumps(result)
    draft.data_enc = None if data is None else sealer.seal_text(json.dumps(data))
    req.result_json = draft.result_json  # counts and keys only: the officer's page shows them
    req.next_retry_at = None
    req.last_error = None
    move(
        session,
        req,
        State.awaiting_review,
        actor,
        "executed: the answer waits for an officer to read and send it",
        found=len(result.get("systems_found") or []),
    )


def edit(session: Session, sealer: Sealer, req: DsrRequest, fields: FreeFields, actor: str) -> None:
    """Save the free fields of a draft not yet sent."""
    draft = _open_draft(session, req)
    draft.greeting_enc = sealer.seal_text(fields.greeting)
    draft.note_enc = sealer.seal_text(fields.note)
    draft.edited_by = actor
    draft.edited_at = datetime.now(UTC)
    # The words may name the person: the timeline says what was edited, not how.
    record(
        session,
        req,
        "draft_edited",
        actor,
        "free fields of the letter edited",
        details={"greeting": fields.greeting is not None, "note": fields.note is not None},
    )


def _open_draft(session: Session, req: DsrRequest) -> DsrDraft:
    draft = draft_of(session, req)
    if draft is None:
        raise NotFound(f"request {req.public_id} has no draft answer")
    if draft.sent_at is not None:
        raise Conflict(
            f"the answer was already sent on {draft.sent_at:%Y-%m-%d %H:%M} UTC by "
            f"{draft.sent_by}; it is never sent twice"
        )
    if req.state != State.awaiting_review.value:
        raise Conflict(f"the request is {req.state}, not awaiting review")
    return draft


def discard(session: Session, req: DsrRequest) -> None:
    """A draft never to be sent (the request was refused instead): its sealed copy of the
    data goes at once; the counts stay for the record."""
    draft = draft_of(session, req)
    if draft is not None and draft.sent_at is None:
        draft.data_enc = None


def letter_for(policy: Policy, req: DsrRequest, result: dict[str, Any], fields: FreeFields) -> str:
    """The letter as the person will read it, in their language."""
    return letters.render_letter(
        policy,
        name=req.name,
        type_=req.type,
        received=req.received_on.isoformat(),
        lang=req.language,
        jurisdiction=req.jurisdiction,
        result=result,
        greeting=fields.greeting,
        note=fields.note,
    )


@dataclass(frozen=True)
class Preview:
    """What the officer reads before sending: the letter and what the package holds."""

    letter: str
    fields: FreeFields
    package: list[dict[str, Any]]  # `letters.package_contents`
    has_package: bool
    sent_at: datetime | None
    sent_by: str | None


def preview(session: Session, sealer: Sealer, policy: Policy, req: DsrRequest) -> Preview | None:
    draft = draft_of(session, req)
    if draft is None:
        return None
    result = json.loads(draft.result_json)
    fields = fields_of(sealer, draft)
    return Preview(
        letter=letter_for(policy, req, result, fields),
        fields=fields,
        package=letters.package_contents(policy, result, current()),  # the officer's
        has_package=draft.data_enc is not None,
        sent_at=draft.sent_at,
        sent_by=draft.sent_by,
    )


def send(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    request_id: int,
    actor: str,
    fields: FreeFields | None = None,
) -> str:
    """Send the draft answer: the letter (with the free fields, saved first when given), the
    package, the "your answer is ready" mail. Once only. Returns the request's new state."""
    sealer = Sealer(settings.resolved_secret_key())
    with transaction(sm) as s:
        # The row lock makes two sends at once wait for each other; the second then finds
        # the draft sent and is refused.
        req = s.scalars(
            select(DsrRequest).where(DsrRequest.id == request_id).with_for_update()
        ).first()
        if req is None:
            raise NotFound("no such request")
        draft = _open_draft(s, req)
        if fields is not None:
            edit(s, sealer, req, fields, actor)
        now = datetime.now(UTC)
        result = json.loads(draft.result_json)
        data = json.loads(sealer.open_text(draft.data_enc) or "null")
        answer(s, settings, policy, sealer, req, result, data, fields_of(sealer, draft), actor)
        draft.sent_at, draft.sent_by = now, actor
        draft.data_enc = None  # the package holds the copy now; the draft keeps none
        record(s, req, "answer_sent", actor, "the officer read the answer and sent it")
        move(s, req, State.completed, actor, "answered")
        notices.queue(req)  # sent below; kept pending (and retried) if the mail server is down
        s.flush()
        s.expunge(req)
    notices.deliver(sm, settings, policy, req)
    return State.completed.value


def answer(
    s: Session,
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    req: DsrRequest,
    result: dict[str, Any],
    data: dict[str, Any] | None,
    fields: FreeFields,
    actor: str,
) -> None:
    """Put the answer where the person finds it: the letter on the request and, for a copy,
    the package (with the same letter). The caller completes the request and queues the
    notice in the same transaction."""
    letter = letter_for(policy, req, result, fields)
    if data is not None:
        info = letters.art15_information(
            policy, result["systems_found"], req.language, req.jurisdiction
        )
        blob = packages.build_zip(
            data,
            info=info,
            letter=letter,
            lang=req.language,
            title=f"{policy.controller.name}: {letters.ARTICLES[req.type]}",
            controller=policy.controller.name,
            none_text=letters.phrase("none", req.language),
            copy_notes=[
                line.removeprefix("  - ")
                for line in letters.copy_lines(policy, result.get("copy") or {}, req.language)
            ],
            portable=result.get("portable"),
        )
        packages.keep(s, sealer, settings.data_dir, req.id, blob)
        audit.append(
            s,
            actor=actor,
            action="dsr.disclosed",
            subject_ref=ref(req),
            details={"exported": result.get("exported", {})},
        )
    req.letter = sealer.seal_text(letter)
    req.result_json = json.dumps(result)
    req.completed_at = datetime.now(UTC)
    req.next_retry_at = None
    req.last_error = None  # a refusal or outage met on the way is over
