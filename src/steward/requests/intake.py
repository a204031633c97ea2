"""Receiving a request from the privacy center, the API, the CLI or an officer.

Nothing about the subject is looked up here: the company's systems are searched only after
the requester is verified, so the work done (and the time taken) is the same for people we
hold data about and for people we do not. The same open request submitted twice (same e-mail
and type) is one request: the existing one is returned, with the same answer to the caller.

Timing: a repeated submission does comparable work to a new one: both take the mail limits,
draw and hash a code (issued, or a throwaway when the limits hold it back) and write audit
events, and the caller renders the code mail even when it does not send it
(`steward.requests.workflow.submit_request`). A new request writes one row and one audit event
more, well under the noise of a web request; an SMTP round trip is the larger difference, and
whether one happens depends on the limits, not on whether the request existed.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.errors import InvalidInput
from steward.policy.models import Policy, Right
from steward.requests import deadlines
from steward.requests.limits import issue_within_limits
from steward.requests.sealing import Sealer
from steward.requests.states import OPEN, State, move, record
from steward.requests.tables import DsrRequest

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL = re.compile(rf"^[^@\s<>\"(),;:\\]+@{_LABEL}(?:\.{_LABEL})+$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OBJECTION_SCOPES = ("direct_marketing", "legitimate_interest")
CHANNELS = ("center", "api", "cli", "officer")
MAX_DETAILS = 5000
OFFICER_CHECKED = "identity checked by an officer (GDPR Art. 12(6))"


@dataclass
class Submission:
    request: DsrRequest
    created: bool
    # A code to e-mail: None for an officer's entry (verified at once) and when the mail
    # limits hold it back (`steward.requests.limits`).
    code: str | None


def clean_email(value: str) -> str:
    email = (value or "").strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidInput("email: a valid e-mail address is needed", field="email")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}".lower()


def _clean_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name or len(name) > 200 or CONTROL.search(name):
        raise InvalidInput("name: give your name (1 to 200 characters)", field="name")
    return name


def _clean_type(policy: Policy, value: str) -> str:
    try:
        right = Right((value or "").strip())
    except ValueError:
        allowed = ", ".join(r.value for r in policy.rights.offered)
        raise InvalidInput(
            f"type: unknown request type {value!r}; choose one of {allowed}", field="type"
        ) from None
    if right not in policy.rights.offered:
        raise InvalidInput(f"type: {right.value} requests are not offered", field="type")
    return right.value


def _clean_country(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    if not code:
        return None
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise InvalidInput(
            "country: a two-letter country code such as DK is needed", field="country"
        )
    return "GB" if code == "UK" else code


def clean_changes(policy: Policy, changes: dict[str, Any] | None) -> dict[str, str | None]:
    """Art. 16 changes as `system.table.field -> new value`, checked against the policy: only
    declared personal fields (or identity columns) may be rectified."""
    out: dict[str, str | None] = {}
    for key, value in (changes or {}).items():
        parts = str(key).split(".")
        if len(parts) != 3:
            raise InvalidInput(f"changes: {key!r} must be system.table.field", field="changes")
        system, table, field = parts
        spec = next((s for s in policy.systems if s.key == system), None)
        tspec = next((t for t in spec.tables if t.name == table), None) if spec else None
        allowed = set()
        if tspec is not None:
            allowed = {f.name for f in tspec.fields} | set(tspec.identity_column_names)
            allowed.discard(tspec.primary_key)
        if field not in allowed:
            raise InvalidInput(
                f"changes: {key!r} is not a personal field the policy declares", field="changes"
            )
        if value is not None and (
            not isinstance(value, str | int | float) or len(str(value)) > 1000
        ):
            raise InvalidInput(
                f"changes: the new value of {key!r} must be short text", field="changes"
            )
        out[key] = None if value is None else str(value)
    return out


def find_open(session: Session, email: str, type_: str) -> DsrRequest | None:
    return session.scalars(
        select(DsrRequest)
        .where(DsrRequest.email == email, DsrRequest.type == type_, DsrRequest.state.in_(OPEN))
        .order_by(DsrRequest.id)
        .limit(1)
    ).first()


def submit(
    session: Session,
    policy: Policy,
    sealer: Sealer,
    *,
    type: str,
    name: str,
    email: str,
    country: str | None = None,
    language: str | None = None,
    details: str | None = None,
    changes: dict[str, Any] | None = None,
    objection_scope: str | None = None,
    channel: str = "center",
    actor: str = "public",
    evidence: str | None = None,
    now: datetime | None = None,
) -> Submission:
    """Validate and record a request; raise InvalidInput naming the bad field.

    `evidence` (officer channel): how the officer verified the person (e.g. "ID checked in
    person"); the request is then verified at once and no code is sent.
    """
    now = now or datetime.now(UTC)
    type_ = _clean_type(policy, type)
    email_ = clean_email(email)
    name_ = _clean_name(name)
    country_ = _clean_country(country)
    lang = (language or "").strip().lower()
    if lang not in policy.policy.languages:
        lang = policy.policy.default_language
    if details is not None and len(details) > MAX_DETAILS:
        raise InvalidInput(f"details: at most {MAX_DETAILS} characters", field="details")
    if CONTROL.search(details or ""):
        details = CONTROL.sub(" ", details or "")
    changes_ = clean_changes(policy, changes)
    if type_ == Right.objection.value:
        objection_scope = objection_scope or "direct_marketing"
        if objection_scope not in OBJECTION_SCOPES:
            raise InvalidInput(
                "objection_scope: direct_marketing or legitimate_interest", field="objection_scope"
            )
    else:
        objection_scope = None
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
    if channel == "officer" and not (evidence or "").strip():
        raise InvalidInput(
            "evidence: say how the person's identity was checked (e.g. 'ID checked in person')",
            field="evidence",
        )

    existing = find_open(session, email_, type_)
    if existing is not None:
        # A fresh code in every open state (not just while awaiting verification): the person
        # submitting again has usually lost the status page, and the code is how they get
        # back to it. It goes only to the address on the request, and only within the mail
        # limits (`steward.requests.limits`); held back, the person's live code keeps
        # working. The caller's answer is the same either way.
        code = None
        mailable = channel != "officer" or existing.state == State.awaiting_verification.value
        if mailable:
            code = issue_within_limits(session, sealer, existing, "verify", now)
        record(session, existing, "duplicate", actor, f"submitted again via {channel}")
        if mailable:
            # Two events, like a new request's `received` and `awaiting_verification`.
            _code_event(session, existing, actor, code)
        return Submission(existing, False, code)

    country_j = deadlines.jurisdiction(policy, country_)
    received_on = deadlines.local_day(policy, country_j, now)
    req = DsrRequest(
        public_id=secrets.token_urlsafe(18),
        type=type_,
        state=State.received.value,
        channel=channel,
        email=email_,
        name=name_,
        country=country_,
        language=lang,
        jurisdiction=country_j,
        details_enc=sealer.seal_text(details or None),
        received_at=now,
        received_on=received_on,
        due_on=deadlines.due_for(received_on, country_j, policy=policy),
        extended=False,
        changes_enc=sealer.seal_text(json.dumps(changes_)) if changes_ else None,
        objection_scope=objection_scope,
        retries=0,
    )
    session.add(req)
    session.flush()
    # The code (within the limits) before the audit events: quota rows are locked before the
    # audit head in every transaction (`steward.requests.limits`).
    code = None if channel == "officer" else issue_within_limits(
        session, sealer, req, "verify", now
    )
    record(
        session,
        req,
        "received",
        actor,
        f"via {channel}",
        details={
            "channel": channel,
            "jurisdiction": country_j,
            "due_on": req.due_on.isoformat(),
            "changes": sorted(changes_),
        },
    )
    if channel == "officer":
        req.verified_at = now
        # Art. 12(6): the officer's words (may hold ID numbers) are kept encrypted on the
        # request only; the audit log says that evidence was given, never what it says.
        req.verification_evidence = OFFICER_CHECKED
        req.evidence_enc = sealer.seal_text((evidence or "").strip()[:500])
        move(
            session,
            req,
            State.verified,
            actor,
            OFFICER_CHECKED,
            evidence_given=True,
            method="officer",
        )
        return Submission(req, True, None)
    move(session, req, State.awaiting_verification, actor)
    if code is None:
        _code_event(session, req, actor, code)
    return Submission(req, True, code)


def _code_event(session: Session, req: DsrRequest, actor: str, code: str | None) -> None:
    if code is None:
        record(session, req, "code_held_back", actor, "verify: mail limit reached")
    else:
        record(session, req, "code_sent", actor, "verify")
