"""The 72-hour breach clock: GDPR Art. 33(1).

The controller notifies the supervisory authority without undue delay and, where feasible,
within 72 hours of becoming aware of a breach; a later notification states the reasons for the
delay. A period in hours never moves for weekends or holidays (Reg. (EEC, Euratom) 1182/71
Art. 3(4) moves only periods "expressed otherwise than in hours"), so it is computed in UTC on
real elapsed time:
a daylight-saving change inside the 72 hours makes the local wall-clock span 71 or 73 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from steward.errors import InvalidInput

# Art. 33(1): "where feasible, not later than 72 hours after having become aware of it".
NOTIFICATION_HOURS = 72
# Reminder points: a day, two days, and six hours before the deadline.
REMINDER_HOURS = (24, 48, 66)


def _require_aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a date and time with a time zone, got {value!r}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name} has no time zone: give an offset or zone (e.g. 2025-03-29T10:00+01:00), "
            "because the 72-hour deadline of GDPR Art. 33(1) depends on the exact instant."
        )
    return value


def breach_deadline(aware_at: datetime, hours: int = NOTIFICATION_HOURS) -> datetime:
    """The Art. 33(1) deadline, in UTC: exactly `hours` real hours after becoming aware (72,
    or fewer where the company promised to notify sooner)."""
    start = _require_aware(aware_at, "aware_at").astimezone(UTC)
    if not 0 < hours <= NOTIFICATION_HOURS:
        raise InvalidInput(
            f"A breach notification period of {hours} hours is outside 1-72 (GDPR Art. 33(1))."
        )
    return start + timedelta(hours=hours)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder `hours_after` awareness, at `at` (UTC), with `hours_left` to the deadline."""

    hours_after: int
    at: datetime
    hours_left: int


def reminders(aware_at: datetime, hours: int = NOTIFICATION_HOURS) -> list[Reminder]:
    """Reminders at 24, 48 and 66 hours after awareness (GDPR Art. 33(1) 72-hour clock), or
    at the same fractions of a shorter promised period (`scaled_reminder_hours`)."""
    start = _require_aware(aware_at, "aware_at").astimezone(UTC)
    # For 72 hours the scaled points are the default ones.
    return [
        Reminder(h, start + timedelta(hours=h), hours - h) for h in scaled_reminder_hours(hours)
    ]


def hours_left(now: datetime, deadline: datetime) -> float:
    """Real hours from `now` to `deadline`; negative once the deadline has passed."""
    delta = _require_aware(deadline, "deadline") - _require_aware(now, "now")
    return delta.total_seconds() / 3600


def is_late(notified_at: datetime, aware_at: datetime, hours: int = NOTIFICATION_HOURS) -> bool:
    """True when a notification comes after `hours` (72 by default): it must then give the
    reasons for the delay (GDPR Art. 33(1), last sentence)."""
    return _require_aware(notified_at, "notified_at") > breach_deadline(aware_at, hours)


def scaled_reminder_hours(hours: int) -> tuple[int, ...]:
    """The default reminder points (24, 48, 66 of 72) scaled to a shorter promised period:
    a third, two thirds and 11/12 of it (16, 32, 44 for 48 hours), distinct and before the
    deadline."""
    points = sorted({max(1, h * hours // NOTIFICATION_HOURS) for h in REMINDER_HOURS})
    return tuple(p for p in points if p < hours)


def to_local(dt: datetime, tz_name: str) -> datetime:
    """`dt` shown in the IANA zone `tz_name` (e.g. "Europe/Copenhagen"); same instant."""
    _require_aware(dt, "dt")
    try:
        zone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise InvalidInput(
            f"Unknown time zone {tz_name!r}; use an IANA name such as Europe/Copenhagen."
        ) from exc
    return dt.astimezone(zone)
