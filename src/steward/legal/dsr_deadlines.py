"""Deadlines for data-subject requests: GDPR Art. 12(3)-(6), counted under Reg. 1182/71 Art. 3.

- Art. 12(3): answer within one month of receipt; extendable by two further months (three
  months counted from receipt) if the subject is told, with reasons, within the first month.
- Art. 12(4)/(5): a refusal (or a fee / refusal for manifestly unfounded or excessive requests)
  is due within the same one month.
- Art. 12(6): with reasonable doubts about identity the controller may ask for more
  information. The EU GDPR has no explicit pause, so outside the UK the statutory date stands
  (some authorities accept a pause during an identity check: a per-jurisdiction setting,
  off by default). UK GDPR Art. 12A (inserted by the Data (Use and Access) Act 2025): the
  period begins at the "relevant time", the later of receipt and receipt of the requested
  identification, and the days from asking for clarification up to and including the day it
  arrives do not count ("stop the clock"). Both dates are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from steward.errors import InvalidInput
from steward.legal.calendars import (
    WEEKDAY_NAMES,
    non_working_reason,
    normalise,
    working_day_on_or_after,
)
from steward.legal.periods import add_months, check_date, due_date

Pause = tuple[date, date | None]
Status = Literal["running", "awaiting_identification", "paused"]

# Only the UK has a statutory stop-the-clock (UK GDPR Art. 12A, DUAA 2025).
_STOP_THE_CLOCK_BY_DEFAULT = frozenset({"GB"})


def default_stop_the_clock(country: str) -> bool:
    """Whether the stop-the-clock rule applies by default: True only for GB (UK GDPR Art. 12A)."""
    code, _ = normalise(country)
    return code in _STOP_THE_CLOCK_BY_DEFAULT


@dataclass(frozen=True, slots=True)
class RequestClock:
    """All the dates of one request. `due`/`extended_due` are the statutory dates counted from
    receipt (GDPR Art. 12(3)); the `adjusted_*` dates apply the stop-the-clock rule and are None
    when it is off, or while identification or clarification is still awaited."""

    received: date
    country: str
    subdiv: str | None
    stop_the_clock: bool
    extended: bool
    due: date
    extended_due: date
    clock_start: date | None
    paused_days: int
    adjusted_due: date | None
    adjusted_extended_due: date | None
    status: Status
    information_requested: bool = False

    @property
    def one_month_due(self) -> date | None:
        """End of month one: the deadline for an answer, a refusal (Art. 12(4)/(5)) and an
        extension notice (Art. 12(3)); None while the stopped clock is not running."""
        return self.adjusted_due if self.stop_the_clock else self.due

    @property
    def effective_due(self) -> date | None:
        """The deadline that applies, given the extension and the stop-the-clock setting."""
        if self.stop_the_clock:
            return self.adjusted_extended_due if self.extended else self.adjusted_due
        return self.extended_due if self.extended else self.due

    def extension_allowed(self, notice_date: date) -> bool:
        """Art. 12(3): an extension notice sent after month one is invalid."""
        check_date(notice_date, "notice_date")
        limit = self.one_month_due
        return limit is not None and self.received <= notice_date <= limit


def _validate(
    received: date,
    identity_requested_on: date | None,
    identity_received_on: date | None,
    pauses: Sequence[Pause],
) -> list[Pause]:
    check_date(received, "received")
    if identity_requested_on is not None:
        check_date(identity_requested_on, "identity_requested_on")
        if identity_requested_on < received:
            raise InvalidInput("Identification cannot be requested before the request arrived.")
    if identity_received_on is not None:
        check_date(identity_received_on, "identity_received_on")
        if identity_requested_on is None:
            raise InvalidInput("identity_received_on is set but no identification was requested.")
        if identity_received_on < identity_requested_on:
            raise InvalidInput("Identification cannot arrive before it was requested.")
    if any(not isinstance(p, tuple) or len(p) != 2 for p in pauses):
        raise InvalidInput("Each pause must be a (start date, end date or None) pair.")
    for start, _ in pauses:
        check_date(start, "pause start")
    ordered = sorted(pauses, key=lambda p: p[0])
    for index, (start, end) in enumerate(ordered):
        if start < received:
            raise InvalidInput("A pause cannot start before the request arrived.")
        if end is not None:
            check_date(end, "pause end")
            if end < start:
                raise InvalidInput(
                    f"Pause {start.isoformat()}–{end.isoformat()} ends before it starts."
                )
        elif index != len(ordered) - 1:
            raise InvalidInput("Only the latest pause may still be open (clarification awaited).")
        previous_end = ordered[index - 1][1] if index else None  # only the latest may be open
        if previous_end is not None and start <= previous_end:
            raise InvalidInput(f"Pause starting {start.isoformat()} overlaps an earlier pause.")
    return ordered


def request_deadlines(
    received: date,
    country: str,
    *,
    subdiv: str | None = None,
    identity_requested_on: date | None = None,
    identity_received_on: date | None = None,
    pauses: Sequence[Pause] = (),
    extended: bool = False,
    stop_the_clock: bool | None = None,
) -> RequestClock:
    """Compute a request's deadlines.

    `pauses` are (asked for clarification on, clarification received on) pairs; the end is None
    while still awaited. `extended` means an Art. 12(3) extension notice was sent in time
    (check it with `extension_allowed` / `RequestClock.extension_allowed`).
    `stop_the_clock=None` uses the jurisdiction's default (`default_stop_the_clock`).
    Raises InvalidInput for impossible date orders.
    """
    code, sub = normalise(country, subdiv)
    ordered = _validate(received, identity_requested_on, identity_received_on, pauses)
    stop = default_stop_the_clock(code) if stop_the_clock is None else bool(stop_the_clock)
    # Art. 12(3): one month, or three when extended, both counted from receipt.
    due = due_date(received, 1, country=code, subdiv=sub)
    extended_due = due_date(received, 3, country=code, subdiv=sub)

    status: Status = "running"
    if identity_requested_on is not None and identity_received_on is None:
        status = "awaiting_identification"
    elif ordered and ordered[-1][1] is None:
        status = "paused"
    clock_start: date | None = received
    paused = 0
    if stop:
        # UK GDPR Art. 12A: the period begins at the later of receipt and the arrival of the
        # requested identification; while identification is awaited it has not begun.
        if identity_requested_on is not None:
            clock_start = identity_received_on
        if clock_start is not None:
            for start, end in ordered:
                # The days from asking up to and including the day of the answer do not count.
                first = max(start, clock_start)
                if end is not None and end >= first:
                    paused += (end - first).days + 1

    adjusted_due = adjusted_extended_due = None
    if stop and status == "running" and clock_start is not None:
        shift = timedelta(days=paused)
        adjusted_due = working_day_on_or_after(add_months(clock_start, 1) + shift, code, sub)
        adjusted_extended_due = working_day_on_or_after(
            add_months(clock_start, 3) + shift, code, sub
        )
    return RequestClock(
        received=received,
        country=code,
        subdiv=sub,
        stop_the_clock=stop,
        extended=bool(extended),
        due=due,
        extended_due=extended_due,
        clock_start=clock_start,
        paused_days=paused,
        adjusted_due=adjusted_due,
        adjusted_extended_due=adjusted_extended_due,
        status=status,
        information_requested=identity_requested_on is not None or bool(ordered),
    )


def extension_allowed(
    received: date, notice_date: date, country: str, subdiv: str | None = None
) -> bool:
    """GDPR Art. 12(3): an extension notice is valid only if sent within the first month, i.e.
    on or before the one-month due date (counted from receipt, rolled to a working day)."""
    check_date(notice_date, "notice_date")
    if notice_date < check_date(received, "received"):
        raise InvalidInput("The extension notice date is before the request was received.")
    return notice_date <= due_date(received, 1, country=country, subdiv=subdiv)


def refusal_deadline(received: date, country: str, subdiv: str | None = None) -> date:
    """GDPR Art. 12(4)/(5): a refusal, with reasons and the rights to complain and to a
    judicial remedy, is due within one month of receipt — the same date as the answer."""
    return due_date(received, 1, country=country, subdiv=subdiv)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_PLACES = {"DK": "Denmark", "NO": "Norway", "SE": "Sweden", "GB": "the United Kingdom"}


def format_date(d: date) -> str:
    """'Friday 28 February 2025', independent of the process locale."""
    return f"{WEEKDAY_NAMES[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def _roll_note(start: date, months: int, due: date, country: str, subdiv: str | None) -> str:
    raw = add_months(start, months)
    if raw == due:
        return ""
    reason = non_working_reason(raw, country, subdiv)
    place = _PLACES.get(country, country)
    return (
        f" The period would end on {format_date(raw)} ({reason}), which is not a working day "
        f"in {place}, so it ends on the next working day (Reg. (EEC, Euratom) 1182/71 "
        f"Art. 3(4))."
    )


def explain(clock: RequestClock) -> str:
    """Plain-language account of the deadlines, citing the articles (used in letters)."""
    c, sub = clock.country, clock.subdiv
    # The UK kept the GDPR as "UK GDPR"; its article numbers are the same.
    law = "UK GDPR" if c == "GB" else "GDPR"
    parts = [
        f"We received your request on {format_date(clock.received)}. Under {law} Art. 12(3) we "
        f"must answer within one month of receipt, counted under Regulation (EEC, Euratom) "
        f"1182/71 Art. 3: by {format_date(clock.due)}."
        + _roll_note(clock.received, 1, clock.due, c, sub)
    ]
    if clock.extended:
        parts.append(
            "Because of the complexity or number of requests we have extended this period by "
            f"two further months, as {law} Art. 12(3) allows; we told you so, with our reasons, "
            f"within the first month. The reply is due by {format_date(clock.extended_due)}."
            + _roll_note(clock.received, 3, clock.extended_due, c, sub)
        )
    if clock.stop_the_clock:
        parts.append(_explain_stopped(clock))
    elif clock.information_requested:
        parts.append(
            "We asked you for information to confirm your identity or clarify your request "
            "(GDPR Art. 12(6)). The GDPR does not pause the time limit while we wait, so the "
            "date above still applies."
        )
    parts.append(
        f"If we refuse to act on your request ({law} Art. 12(4) and (5)), we will tell you why "
        "within the same month, and you may complain to a supervisory authority and seek a "
        "judicial remedy."
    )
    return "\n\n".join(parts)


def _explain_stopped(clock: RequestClock) -> str:
    if clock.country == "GB":
        law, rule = "UK GDPR", "UK GDPR Art. 12A (Data (Use and Access) Act 2025)"
    else:
        law = "GDPR"
        rule = "the supervisory authority's accepted practice for identity checks (Art. 12(6))"
    if clock.status == "awaiting_identification":
        return (
            f"We asked you to confirm your identity ({law} Art. 12(6)). Under {rule} the time "
            "limit starts only once we receive that information."
        )
    if clock.status == "paused":
        return (
            f"We asked you to clarify your request. Under {rule} the time limit is paused until "
            "we receive your answer; we will then tell you the new date."
        )
    facts = []
    if clock.clock_start is not None and clock.clock_start != clock.received:
        facts.append(
            "the time limit started when we received the identification we asked for, on "
            f"{format_date(clock.clock_start)}"
        )
    if clock.paused_days:
        facts.append(
            f"it was paused for {clock.paused_days} day(s) while we awaited your clarification"
        )
    due = clock.effective_due
    if not facts or due is None:
        return f"Under {rule} no pause applies to your request; the date above stands."
    return f"Under {rule} {' and '.join(facts)}, so our reply is due by {format_date(due)}."
