"""A request's identity values: checked and normalised on intake, stored encrypted, and read
back for the search.

Values are normalised by their type's kind (`steward.policy.models.IdentityKind`): e-mails
trimmed and lower-cased, phones to E.164 (`phonenumbers`, with the type's or the controller's
country for numbers without a country code), national identity numbers validated by country
(`python-stdnum`), other values trimmed (and matched against the type's pattern).

Stored values are `given` (with the request) or `discovered` (found in the company's systems
during the search). Only verified values start a search (Art. 15(4): never search on an
identifier the requester has not been shown to own); discovered values are the subject's own,
so an access copy keeps them readable and redacts everyone else's (Art. 15(4)).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.errors import InvalidInput
from steward.policy.identities import accepted_types
from steward.policy.models import IdentityKind, IdentityType, Policy
from steward.requests.tables import DsrIdentity
from steward.store.sealing import Sealer

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL = re.compile(rf"^[^@\s<>\"(),;:\\]+@{_LABEL}(?:\.{_LABEL})+$")
MAX_VALUE = 200
GIVEN, DISCOVERED = "given", "discovered"


def clean_email(value: str, field: str = "email") -> str:
    email = (value or "").strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidInput(f"{field}: a valid e-mail address is needed", field=field)
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}".lower()


def _phone(value: str, country: str, field: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            f"{field}: not a valid phone number (write it with its country code, e.g. +45, "
            f"or as a {country} number)",
            field=field,
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _national_id(value: str, country: str, field: str) -> str:
    from stdnum.exceptions import ValidationError
    from stdnum.util import get_cc_module

    module = get_cc_module(country.lower(), "personalid")
    if module is None:
        raise InvalidInput(f"{field}: no national identity number check for {country}")
    try:
        return str(module.validate(value))
    except ValidationError:
        raise InvalidInput(
            f"{field}: not a valid {country} national identity number", field=field
        ) from None


def normalise(policy: Policy, kind: str, value: str) -> str:
    """The canonical form of one identity value; InvalidInput names the type when the value is
    bad or the type is not one the policy accepts. The message never repeats the value."""
    types = accepted_types(policy)
    key = (kind or "").strip()
    field = f"identity.{key}" if key else "identity"
    if key not in types:
        raise InvalidInput(
            f"{field}: unknown identity type; the policy accepts {', '.join(types)}", field=field
        )
    return normalise_as(types[key], value, policy.controller.address.country)


def normalise_as(spec: IdentityType, value: str, default_country: str) -> str:
    field = f"identity.{spec.key}"
    text = " ".join(str(value or "").split())
    if not text or len(text) > MAX_VALUE:
        raise InvalidInput(f"{field}: give a value (1 to {MAX_VALUE} characters)", field=field)
    if spec.kind is IdentityKind.email:
        return clean_email(text, field)
    if spec.kind is IdentityKind.phone:
        return _phone(text, spec.country or default_country, field)
    if spec.kind is IdentityKind.national_id:
        return _national_id(text, spec.country or default_country, field)
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        raise InvalidInput(f"{field}: not in the form the policy expects", field=field)
    return text


def clean_identities(
    policy: Policy, pairs: Iterable[tuple[str, str]]
) -> dict[str, list[str]]:
    """Normalise `(type, value)` pairs into type -> distinct values, in the order given."""
    out: dict[str, list[str]] = {}
    for kind, value in pairs:
        clean = normalise(policy, kind, value)
        values = out.setdefault(kind.strip(), [])
        if clean not in values:
            values.append(clean)
    return out


def email_kinds(policy: Policy) -> list[str]:
    """The identity types holding e-mail addresses (what a mailed code proves)."""
    return [k for k, t in accepted_types(policy).items() if t.kind is IdentityKind.email]


def can_start_alone(policy: Policy, identities: Mapping[str, list[str]]) -> bool:
    """Whether one of these identities may start a request on its own (policy `alone`)."""
    types = accepted_types(policy)
    return any(values and types[k].alone for k, values in identities.items() if k in types)


def record(
    session: Session,
    sealer: Sealer,
    request_id: int,
    identities: Mapping[str, Iterable[str]],
    *,
    source: str,
    verified: bool,
) -> int:
    """Store identity values of a request (skipping those already stored; a value found again
    keeps its first source and becomes verified when `verified`). Returns how many are new."""
    existing = {
        (r.kind, r.value_mac): r
        for r in session.scalars(select(DsrIdentity).where(DsrIdentity.request_id == request_id))
    }
    added = 0
    for kind, values in identities.items():
        for value in values:
            mac = sealer.mac("identity", kind, str(value))
            row = existing.get((kind, mac))
            if row is not None:
                if verified and not row.verified:
                    row.verified = True
                continue
            row = DsrIdentity(
                request_id=request_id,
                kind=kind,
                value_mac=mac,
                value_enc=sealer.seal_text(str(value)) or "",
                source=source,
                verified=verified,
            )
            session.add(row)
            existing[(kind, mac)] = row
            added += 1
    session.flush()
    return added


def mark_verified(session: Session, request_id: int, kinds: Iterable[str] | None = None) -> None:
    """The requester is shown to own the given values (all of them, or those of `kinds`)."""
    stmt = update(DsrIdentity).where(
        DsrIdentity.request_id == request_id, DsrIdentity.source == GIVEN
    )
    if kinds is not None:
        stmt = stmt.where(DsrIdentity.kind.in_(list(kinds)))
    session.execute(stmt.values(verified=True))


def request_identities(
    session: Session,
    request_id: int,
    *,
    sealer: Sealer,
    verified_only: bool = True,
    source: str | None = None,
) -> dict[str, list[str]]:
    """The subject's identity values on a request: type -> values (sorted). By default only
    the verified ones (given and proven, or discovered); `source` narrows to `given` or
    `discovered`."""
    stmt = select(DsrIdentity).where(DsrIdentity.request_id == request_id)
    if verified_only:
        stmt = stmt.where(DsrIdentity.verified.is_(True))
    if source is not None:
        stmt = stmt.where(DsrIdentity.source == source)
    out: dict[str, list[str]] = {}
    for row in session.scalars(stmt.order_by(DsrIdentity.id)):
        out.setdefault(row.kind, []).append(sealer.open_text(row.value_enc) or "")
    return {k: sorted(v) for k, v in out.items()}


def remember_discovered(
    session: Session, sealer: Sealer, request_id: int, found: Mapping[str, Iterable[str]]
) -> int:
    """Record the identity values the search found through the verified ones: they are the
    subject's own (later steps, and the Art. 15(4) redaction of the copy, tell them from other
    people's). Returns how many were new."""
    return record(session, sealer, request_id, found, source=DISCOVERED, verified=True)
