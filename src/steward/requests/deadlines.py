"""A request's deadlines (GDPR Art. 12(3)-(6)), computed by `steward.legal` with the holidays
of the answering jurisdiction: the request's country when the policy names its authority,
else the controller's lead authority.

The same function serves the workflow, the console and `steward dsr due`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from steward.errors import InvalidInput
from steward.legal.dsr_deadlines import RequestClock, request_deadlines
from steward.policy.models import Policy
from steward.requests.tables import DsrRequest


def jurisdiction(policy: Policy, country: str | None) -> str:
    """The country whose rules and holidays apply to an answer."""
    code = (country or "").strip().upper()
    if code == "UK":
        code = "GB"
    if code and code in policy.authorities:
        return code
    return policy.controller.lead_authority


def local_day(policy: Policy, country: str, at: datetime) -> date:
    """The calendar day `at` falls on in the jurisdiction's time zone (receipt day, Art. 12(3))."""
    tz = "UTC"
    if country in policy.authorities:
        tz = policy.authorities[country].timezone
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(tz)).date()


def _settings(policy: Policy, country: str) -> tuple[str | None, bool | None]:
    auth = policy.authorities.get(country)
    if auth is None:
        return None, None
    return auth.holiday_subdivision, auth.stop_the_clock


def due_for(
    received: date, country: str, *, extended: bool = False, policy: Policy | None = None
) -> date:
    """The statutory due date (Reg. 1182/71 Art. 3, holidays of `country`); what
    `steward dsr due` prints."""
    code = country.strip().upper()
    if code == "UK":
        code = "GB"
    if len(code) != 2 or not code.isalpha():
        raise InvalidInput(f"country must be a two-letter code such as DK, got {country!r}")
    subdiv = None
    if policy is not None and code in policy.authorities:
        subdiv = policy.authorities[code].holiday_subdivision
    clock = request_deadlines(
        received, code, subdiv=subdiv, extended=extended, stop_the_clock=False
    )
    return clock.extended_due if extended else clock.due


def clock_for(policy: Policy, req: DsrRequest) -> RequestClock:
    """All dates of a request. With the jurisdiction's stop-the-clock rule (UK GDPR Art. 12A),
    the e-mail verification counts as the identification asked for on receipt."""
    subdiv, stop = _settings(policy, req.jurisdiction)
    requested = received_id = None
    if stop:
        requested = req.received_on
        if req.verified_at is not None:
            received_id = max(local_day(policy, req.jurisdiction, req.verified_at), req.received_on)
    return request_deadlines(
        req.received_on,
        req.jurisdiction,
        subdiv=subdiv,
        extended=req.extended,
        stop_the_clock=stop,
        identity_requested_on=requested,
        identity_received_on=received_id,
    )


def effective_due(policy: Policy, req: DsrRequest) -> date:
    """The date the answer is due by; the statutory date whenever the adjusted one is unknown
    (the stricter reading)."""
    clock = clock_for(policy, req)
    statutory = clock.extended_due if clock.extended else clock.due
    return clock.effective_due or statutory
