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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from steward.errors import InvalidInput
from steward.policy.identities import accepted_types
from steward.policy.models import IdentityKind, Policy, Right
from steward.requests import deadlines
from steward.requests import identities as idents
from steward.requests.identities import EMAIL, clean_email
from steward.requests.limits import issue_within_limits
from steward.requests.states import OPEN, State, move, record
from steward.requests.tables import DsrRequest
from steward.store.sealing import Sealer

__all__ = ["EMAIL", "Submission", "clean_email", "submit"]

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OBJECTION_SCOPES = ("direct_marketing", "legitimate_interest")
CHANNELS = ("center", "api", "cli", "officer")
# Art. 12(3): how the request reached the controller; the month runs from its receipt.
RECEIVED_VIA = ("web", "email", "post", "phone", "in_person")
# A clock a few minutes fast on the entering machine is not a request "from the future".
CLOCK_SKEW = timedelta(minutes=5)
MAX_DETAILS = 5000
OFFICER_CHECKED = "identity checked by an officer (GDPR Art. 12(6))"

IdentityInput = Mapping[str, Iterable[str]] | Iterable[tuple[str, str]]


@dataclass
class Submission:
    request: DsrRequest
    created: bool
    # A code to e-mail: None for an officer's entry (verified at once) and when the mail
    # limits hold it back (`steward.requests.limits`).
    code: str | None


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
            allowed -= set(tspec.key_columns)
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


def parse_received(text: str | None) -> date | datetime | None:
    """`YYYY-MM-DD` (a day) or an ISO date and time (with or without offset; without one it is
    UTC) as typed on the command line, in the API or in the console form."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"received: a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM, got {value[:40]!r}",
            field="received",
        ) from None


def intake_floor(session: Session, policy: Policy) -> date:
    """The earliest receipt date a request may carry: the policy's `intake_floor`, else the
    effective date of the first policy version Steward knows (the controller's policy did not
    exist before it)."""
    if policy.intake_floor is not None:
        return policy.intake_floor
    floor = policy.policy.effective
    # The published versions (`steward.publication`), read by name: requests do not import
    # another capability's tables.
    versions = table("policy_versions", column("effective"))
    first = session.execute(select(func.min(versions.c.effective))).scalar()
    if isinstance(first, str):  # SQLite hands back text from an aggregate
        first = date.fromisoformat(first[:10])
    if isinstance(first, date) and first < floor:
        floor = first
    return floor


def _received(
    session: Session,
    policy: Policy,
    country: str,
    received: date | datetime | None,
    now: datetime,
) -> tuple[datetime, date]:
    """Art. 12(3): the time and day of receipt (the month runs from that day). A date alone
    means noon that day in the jurisdiction's time zone. Never in the future, never before the
    intake floor."""
    if received is None:
        return now, deadlines.local_day(policy, country, now)
    if isinstance(received, datetime):
        at = received if received.tzinfo else received.replace(tzinfo=UTC)
        if at > now + CLOCK_SKEW:
            raise InvalidInput(
                "received: the date and time of receipt is in the future (GDPR Art. 12(3): "
                "the month runs from the day the request arrived)",
                field="received",
            )
        day = deadlines.local_day(policy, country, at)
    else:
        day = received
        tz = policy.authorities[country].timezone if country in policy.authorities else "UTC"
        at = datetime.combine(day, time(12), ZoneInfo(tz)).astimezone(UTC)
        if day > deadlines.local_day(policy, country, now):
            raise InvalidInput(
                "received: the day of receipt is in the future (GDPR Art. 12(3): the month "
                "runs from the day the request arrived)",
                field="received",
            )
        at = min(at, now)
    floor = intake_floor(session, policy)
    if day < floor:
        raise InvalidInput(
            f"received: {day.isoformat()} is before {floor.isoformat()}, the earliest day a "
            "request can have reached this controller (the first policy's effective date or "
            "the policy's intake_floor)",
            field="received",
        )
    return at, day


def _clean_identities(
    policy: Policy, email: str | None, given: IdentityInput | None
) -> tuple[str, dict[str, list[str]]]:
    """The e-mail on the request ('' when none) and every identity given, normalised."""
    pairs: list[tuple[str, str]] = []
    if isinstance(given, Mapping):
        pairs = [(k, v) for k, values in given.items() for v in values]
    elif given is not None:
        pairs = list(given)
    clean = idents.clean_identities(policy, pairs)
    email_ = clean_email(email or "") if (email or "").strip() else ""
    types = accepted_types(policy)
    email_key = next((k for k, t in types.items() if t.kind is IdentityKind.email), None)
    if email_ and email_key is not None:
        values = clean.setdefault(email_key, [])
        if email_ not in values:
            values.insert(0, email_)
    if not email_ and email_key is not None and clean.get(email_key):
        email_ = clean[email_key][0]
    return email_, clean


def submit(
    session: Session,
    policy: Policy,
    sealer: Sealer,
    *,
    type: str,
    name: str,
    email: str | None = None,
    identities: IdentityInput | None = None,
    country: str | None = None,
    language: str | None = None,
    details: str | None = None,
    changes: dict[str, Any] | None = None,
    objection_scope: str | None = None,
    channel: str = "center",
    received: date | datetime | str | None = None,
    received_via: str | None = None,
    actor: str = "public",
    evidence: str | None = None,
    now: datetime | None = None,
) -> Submission:
    """Validate and record a request; raise InvalidInput naming the bad field.

    `identities`: further identities the person gave (type -> values, or (type, value)
    pairs), of the types the policy accepts; each is normalised. A request needs an e-mail
    (the verification code goes there) unless an officer checked the person's identity
    (`evidence`) and an identity the policy lets start a request alone is given.
    `received` / `received_via` (Art. 12(3)): when and how a request reached the controller
    (post, phone, e-mail, in person); by default now, through the web.
    `evidence` (officer channel): how the officer verified the person (e.g. "ID checked in
    person"); the request is then verified at once and no code is sent.
    """
    now = now or datetime.now(UTC)
    type_ = _clean_type(policy, type)
    email_, given = _clean_identities(policy, email, identities)
    if not email_ and (channel != "officer" or not idents.can_start_alone(policy, given)):
        raise InvalidInput("email: a valid e-mail address is needed", field="email")
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
    via = (received_via or "web").strip().lower().replace("-", "_").replace(" ", "_")
    if via not in RECEIVED_VIA:
        raise InvalidInput(
            f"received_via: one of {', '.join(RECEIVED_VIA)}", field="received_via"
        )
    if channel == "officer" and not (evidence or "").strip():
        raise InvalidInput(
            "evidence: say how the person's identity was checked (e.g. 'ID checked in person')",
            field="evidence",
        )
    country_j = deadlines.jurisdiction(policy, country_)
    if isinstance(received, str):
        received = parse_received(received)
    received_at, received_on = _received(session, policy, country_j, received, now)

    existing = find_open(session, email_, type_) if email_ else None
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

    req = DsrRequest(
        public_id=secrets.token_urlsafe(18),
        type=type_,
        state=State.received.value,
        channel=channel,
        received_via=via,
        email=email_,
        name=name_,
        country=country_,
        language=lang,
        jurisdiction=country_j,
        details_enc=sealer.seal_text(details or None),
        received_at=received_at,
        received_on=received_on,
        due_on=deadlines.due_for(received_on, country_j, policy=policy),
        extended=False,
        changes_enc=sealer.seal_text(json.dumps(changes_)) if changes_ else None,
        objection_scope=objection_scope,
        retries=0,
    )
    session.add(req)
    session.flush()
    # Given values are the requester's own only once verified: at once for an officer's
    # check, by the e-mail code otherwise (then the e-mail alone, `workflow.verify_code`).
    idents.record(
        session, sealer, req.id, given, source=idents.GIVEN, verified=channel == "officer"
    )
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
            "received_via": via,
            "received_on": received_on.isoformat(),
            "jurisdiction": country_j,
            "due_on": req.due_on.isoformat(),
            "changes": sorted(changes_),
            # the types given, never the values
            "identity_types": sorted(given),
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
