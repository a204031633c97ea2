"""A request's deadlines (GDPR Art. 12(3)-(6)), computed by `steward.legal` with the holidays
of the answering establishment: the request's country when the policy names its authority,
else the controller's lead authority; an establishment that answers that jurisdiction brings
its own calendar (e.g. a Scottish office: GB with Scottish bank holidays).

The clock stops only where the jurisdiction's authority setting says so (UK GDPR Art. 12A), and
only for what was actually asked for and awaited (`DsrPause` rows: identification,
clarification, a fee).

The same functions serve the workflow, the console and `steward dsr due`. Policy and table
types are imported for type checking only, so `steward dsr due` never loads the ORM.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from steward.errors import InvalidInput
from steward.legal.dsr_deadlines import Pause, RequestClock, request_deadlines

if TYPE_CHECKING:
    from steward.policy.models import Policy
    from steward.requests.tables import DsrRequest

# UK GDPR Art. 12A / ICO: the month runs from the later of receipt and the arrival of the
# identification or the fee asked for; clarification only stops the clock while awaited.
STARTS_THE_CLOCK = frozenset({"identification", "fee"})


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


def today(policy: Policy | None, now: datetime | None = None) -> date:
    """Today for deadlines that are compared across requests (overdue, due this week,
    reminders): the latest calendar day among the time zones of the policy's authorities and UTC.
    A deadline runs to the end of its last day where the request is answered (Art. 12(3); Reg.
    1182/71 Art. 3(2)(b)), so just after midnight in Copenhagen a request due yesterday is
    overdue there even while it is still yesterday in UTC: the stricter day is taken."""
    at = now or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    zones = {"UTC"} | ({a.timezone for a in policy.authorities.values()} if policy else set())
    return max(at.astimezone(ZoneInfo(z)).date() for z in sorted(zones))


def answering_calendar(policy: Policy, country: str) -> tuple[str, str | None]:
    """(country, subdivision) of the holiday calendar used for a request of `country`
    (Reg. 1182/71 Art. 3(4)): the establishment that answers that jurisdiction (listed in its
    `answers`, or its own country), else the jurisdiction with its authority's subdivision."""
    auth = policy.authorities.get(country)
    fallback = auth.holiday_subdivision if auth is not None else None
    for est in policy.controller.establishments:
        if country in est.answers:
            return est.country, est.holiday_subdivision
    for est in policy.controller.establishments:
        if not est.answers and est.country == country and est.holiday_subdivision:
            return est.country, est.holiday_subdivision
    return country, fallback


def _code(country: str) -> str:
    code = country.strip().upper()
    if code == "UK":
        code = "GB"
    if len(code) != 2 or not code.isalpha():
        raise InvalidInput(f"country must be a two-letter code such as DK, got {country!r}")
    return code


def due_for(
    received: date,
    country: str,
    *,
    extended: bool = False,
    policy: Policy | None = None,
    subdiv: str | None = None,
) -> date:
    """The statutory due date (Reg. 1182/71 Art. 3, holidays of the answering establishment,
    or of `country` and `subdiv`); what `steward dsr due` prints."""
    code = _code(country)
    if policy is not None:
        code, subdiv = answering_calendar(policy, code)
    clock = request_deadlines(
        received, code, subdiv=subdiv, extended=extended, stop_the_clock=False
    )
    return clock.extended_due if extended else clock.due


def pauses_of(req: DsrRequest) -> tuple[tuple[date, date | None] | None, list[Pause]]:
    """The latest wait that restarts the clock (identification or fee asked for, and when it
    arrived) and the clarification pauses of a request, read from its session (none for a
    request not in one)."""
    from sqlalchemy import select
    from sqlalchemy.orm import object_session

    from steward.requests.tables import DsrPause

    session = object_session(req)
    if session is None or req.id is None:
        return None, []
    rows = session.scalars(
        select(DsrPause).where(DsrPause.request_id == req.id).order_by(DsrPause.id)
    ).all()
    starts = [(p.asked_on, p.answered_on) for p in rows if p.kind in STARTS_THE_CLOCK]
    others: list[Pause] = []
    for p in rows:
        if p.kind in STARTS_THE_CLOCK:
            continue
        start, end = p.asked_on, p.answered_on
        previous = others[-1][1] if others else None
        if previous is not None and start <= previous:
            # Asked again the day the last answer came: that day is already not counted.
            start = previous + timedelta(days=1)
            if end is not None and end < start:
                continue
        others.append((start, end))
    return (starts[-1] if starts else None), others


def clock_for(policy: Policy, req: DsrRequest) -> RequestClock:
    """All dates of a request. With the jurisdiction's stop-the-clock rule (UK GDPR Art. 12A)
    the clock starts when identification that was asked for arrives and stops while asked-for
    clarification (or a fee, Art. 12(5)(a)) is awaited; nothing stops it otherwise. Outside
    such jurisdictions the statutory dates stand (Art. 12(3))."""
    country, subdiv = answering_calendar(policy, req.jurisdiction)
    auth = policy.authorities.get(req.jurisdiction)
    stop = bool(auth is not None and auth.stop_the_clock)
    ident, pauses = pauses_of(req)
    return request_deadlines(
        req.received_on,
        country,
        subdiv=subdiv,
        extended=req.extended,
        stop_the_clock=stop,
        identity_requested_on=ident[0] if ident else None,
        identity_received_on=ident[1] if ident else None,
        pauses=pauses,
    )


def assisting(req: DsrRequest) -> bool:
    """Whether the request is a controller's, passed on to the company as its processor
    (GDPR Art. 28(3)(e)): its deadline is then the one to assist, not Art. 12(3)'s."""
    return bool(req.controller)


def effective_due(policy: Policy, req: DsrRequest) -> date:
    """The date the answer is due by; the statutory date whenever the adjusted one is unknown
    (the stricter reading). An assisted request is due on the deadline to assist fixed when it
    was passed on (`assisted.submit`: the DPA's, never later than the controller's own
    Art. 12(3) date): the controller's waits and extensions are the controller's to count."""
    if assisting(req):
        return req.due_on
    clock = clock_for(policy, req)
    statutory = clock.extended_due if clock.extended else clock.due
    return clock.effective_due or statutory


def answer_by(policy: Policy, req: DsrRequest) -> date:
    """The last day for an answer, a refusal or a fee request to be in time (Art. 12(3)-(5):
    the end of month one, the statutory date while a stopped clock is not running); for an
    assisted request the deadline to assist (Art. 28(3)(e))."""
    if assisting(req):
        return req.due_on
    clock = clock_for(policy, req)
    return clock.one_month_due or clock.due
