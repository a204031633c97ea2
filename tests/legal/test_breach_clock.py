"""GDPR Art. 33(1): 72 real hours, in UTC, never moved for weekends, holidays or DST."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from steward.errors import InvalidInput
from steward.legal.breach_clock import (
    breach_deadline,
    hours_left,
    is_late,
    reminders,
    to_local,
)

CPH = ZoneInfo("Europe/Copenhagen")
LON = ZoneInfo("Europe/London")


def _wall_hours(start: datetime, end: datetime) -> float:
    """Hours between two local wall-clock readings, ignoring their offsets."""
    return (end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds() / 3600


@pytest.mark.parametrize(
    ("aware_local", "zone", "deadline_utc", "deadline_local", "wall_hours"),
    [
        # Spring forward (last Sunday of March): the local clock shows 73 hours.
        (datetime(2025, 3, 29, 10, 0, tzinfo=CPH), CPH, datetime(2025, 4, 1, 9, 0, tzinfo=UTC),
         datetime(2025, 4, 1, 11, 0), 73),
        (datetime(2026, 3, 28, 12, 0, tzinfo=CPH), CPH, datetime(2026, 3, 31, 11, 0, tzinfo=UTC),
         datetime(2026, 3, 31, 13, 0), 73),
        # Fall back (last Sunday of October): the local clock shows 71 hours.
        (datetime(2025, 10, 25, 10, 0, tzinfo=CPH), CPH, datetime(2025, 10, 28, 8, 0, tzinfo=UTC),
         datetime(2025, 10, 28, 9, 0), 71),
        (datetime(2026, 10, 24, 12, 0, tzinfo=CPH), CPH,
         datetime(2026, 10, 27, 10, 0, tzinfo=UTC), datetime(2026, 10, 27, 11, 0), 71),
        (datetime(2025, 3, 29, 10, 0, tzinfo=LON), LON, datetime(2025, 4, 1, 10, 0, tzinfo=UTC),
         datetime(2025, 4, 1, 11, 0), 73),
        (datetime(2025, 10, 25, 10, 0, tzinfo=LON), LON,
         datetime(2025, 10, 28, 9, 0, tzinfo=UTC), datetime(2025, 10, 28, 9, 0), 71),
        (datetime(2026, 3, 28, 9, 30, tzinfo=LON), LON,
         datetime(2026, 3, 31, 9, 30, tzinfo=UTC), datetime(2026, 3, 31, 10, 30), 73),
        (datetime(2026, 10, 24, 9, 30, tzinfo=LON), LON,
         datetime(2026, 10, 27, 8, 30, tzinfo=UTC), datetime(2026, 10, 27, 8, 30), 71),
        # No change inside the window: wall clock and real hours agree.
        (datetime(2025, 6, 10, 9, 30, tzinfo=CPH), CPH,
         datetime(2025, 6, 13, 7, 30, tzinfo=UTC), datetime(2025, 6, 13, 9, 30), 72),
    ],
)  # fmt: skip
def test_72_real_hours_across_daylight_saving(
    aware_local: datetime,
    zone: ZoneInfo,
    deadline_utc: datetime,
    deadline_local: datetime,
    wall_hours: int,
) -> None:
    deadline = breach_deadline(aware_local)
    assert deadline == deadline_utc
    assert deadline.utcoffset() == timedelta(0)
    assert (deadline - aware_local) == timedelta(hours=72)
    local = to_local(deadline, zone.key)
    assert local.replace(tzinfo=None) == deadline_local
    assert _wall_hours(aware_local, local) == wall_hours


def test_weekends_and_holidays_do_not_move_the_deadline() -> None:
    friday = datetime(2025, 12, 19, 17, 0, tzinfo=UTC)
    assert breach_deadline(friday) == datetime(2025, 12, 22, 17, 0, tzinfo=UTC)
    christmas = datetime(2025, 12, 23, 9, 0, tzinfo=UTC)
    assert breach_deadline(christmas) == datetime(2025, 12, 26, 9, 0, tzinfo=UTC)


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 3, 29, 10, 0)
    with pytest.raises(InvalidInput, match="no time zone"):
        breach_deadline(naive)
    with pytest.raises(InvalidInput, match="no time zone"):
        to_local(naive, "Europe/Copenhagen")
    with pytest.raises(InvalidInput, match="no time zone"):
        hours_left(naive, breach_deadline(datetime(2025, 3, 29, 10, 0, tzinfo=UTC)))
    with pytest.raises(InvalidInput):
        breach_deadline(date(2025, 3, 29))  # type: ignore[arg-type]


def test_unknown_time_zone_is_rejected() -> None:
    aware = datetime(2025, 3, 29, 10, 0, tzinfo=UTC)
    for name in ("Europe/Atlantis", "", "../etc/passwd", "Europe"):
        with pytest.raises(InvalidInput, match="Unknown time zone"):
            to_local(aware, name)


def test_reminders_at_24_48_and_66_hours() -> None:
    aware = datetime(2025, 3, 29, 10, 0, tzinfo=CPH)  # 09:00 UTC
    got = reminders(aware)
    assert [(r.hours_after, r.at, r.hours_left) for r in got] == [
        (24, datetime(2025, 3, 30, 9, 0, tzinfo=UTC), 48),
        (48, datetime(2025, 3, 31, 9, 0, tzinfo=UTC), 24),
        (66, datetime(2025, 4, 1, 3, 0, tzinfo=UTC), 6),
    ]


def test_hours_left_and_lateness() -> None:
    aware = datetime(2025, 10, 25, 10, 0, tzinfo=CPH)
    deadline = breach_deadline(aware)
    assert hours_left(aware, deadline) == 72.0
    assert hours_left(datetime(2025, 10, 28, 7, 30, tzinfo=UTC), deadline) == 0.5
    assert hours_left(datetime(2025, 10, 28, 10, 0, tzinfo=UTC), deadline) == -2.0
    assert is_late(datetime(2025, 10, 28, 9, 0, tzinfo=CPH), aware) is False  # 08:00 UTC
    assert is_late(datetime(2025, 10, 28, 9, 1, tzinfo=CPH), aware) is True


class _NoOffset(tzinfo):
    """A time zone object that does not know its offset: as good as none."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None


def test_a_time_zone_without_an_offset_counts_as_none() -> None:
    with pytest.raises(InvalidInput, match="no time zone"):
        breach_deadline(datetime(2025, 3, 29, 10, 0, tzinfo=_NoOffset()))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: breach_deadline(date(2025, 3, 29)),  # type: ignore[arg-type]
         "aware_at must be a date and time with a time zone, got datetime.date(2025, 3, 29)."),
        (lambda: breach_deadline(datetime(2025, 3, 29, 10, 0)),
         "aware_at has no time zone: give an offset or zone (e.g. 2025-03-29T10:00+01:00), "
         "because the 72-hour deadline of GDPR Art. 33(1) depends on the exact instant."),
        (lambda: reminders(datetime(2025, 3, 29, 10, 0)), "aware_at has no time zone"),
        (lambda: hours_left(datetime(2025, 3, 29, 10, 0), AWARE), "now has no time zone"),
        (lambda: hours_left(AWARE, datetime(2025, 3, 29, 10, 0)), "deadline has no time zone"),
        (lambda: is_late(datetime(2025, 3, 29, 10, 0), AWARE), "notified_at has no time zone"),
        (lambda: to_local(datetime(2025, 3, 29, 10, 0), "Europe/Oslo"), "dt has no time zone"),
        (lambda: breach_deadline(AWARE, 0),
         "A breach notification period of 0 hours is outside 1-72 (GDPR Art. 33(1))."),
        (lambda: breach_deadline(AWARE, 73),
         "A breach notification period of 73 hours is outside 1-72 (GDPR Art. 33(1))."),
        (lambda: to_local(AWARE, "Europe/Atlantis"),
         "Unknown time zone 'Europe/Atlantis'; use an IANA name such as Europe/Copenhagen."),
        (lambda: to_local(AWARE, None),  # type: ignore[arg-type]
         "Unknown time zone None; use an IANA name such as Europe/Copenhagen."),
    ],
)  # fmt: skip
def test_refusals_say_what_is_wrong(call: object, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        call()  # type: ignore[operator]
    assert err.value.detail.startswith(message)


AWARE = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def test_a_shorter_promise_of_1_to_72_hours_is_accepted() -> None:
    assert breach_deadline(AWARE, 1) == datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    assert breach_deadline(AWARE, 48) == datetime(2025, 6, 4, 8, 0, tzinfo=UTC)
    assert breach_deadline(AWARE, 72) == datetime(2025, 6, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "points"),
    [
        # A third, two thirds and eleven twelfths of the promise, in whole hours (24, 48, 66 of
        # 72), each at least an hour in and before the deadline.
        (72, [24, 48, 66]),
        (48, [16, 32, 44]),
        (24, [8, 16, 22]),
        (12, [4, 8, 11]),
        (3, [1, 2]),
        (2, [1]),
        (1, []),
    ],
)
def test_reminders_for_a_shorter_promise(hours: int, points: list[int]) -> None:
    got = reminders(AWARE, hours)
    assert [r.hours_after for r in got] == points
    assert [r.at for r in got] == [AWARE + timedelta(hours=h) for h in points]
    assert [r.hours_left for r in got] == [hours - h for h in points]
    assert all(r.at.utcoffset() == timedelta(0) for r in got)


def test_reminders_are_given_in_utc() -> None:
    got = reminders(datetime(2025, 6, 2, 10, 0, tzinfo=CPH))
    assert got[0].at == datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
    assert got[0].at.utcoffset() == timedelta(0)


def test_lateness_against_a_shorter_promise() -> None:
    # Promised 48 hours: deadline 4 June 08:00 UTC.
    assert is_late(datetime(2025, 6, 4, 8, 0, tzinfo=UTC), AWARE, 48) is False
    assert is_late(datetime(2025, 6, 4, 8, 1, tzinfo=UTC), AWARE, 48) is True
    assert is_late(datetime(2025, 6, 4, 8, 1, tzinfo=UTC), AWARE) is False


def test_the_clock_is_in_utc_whatever_the_servers_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Europe/Copenhagen")
    time.tzset()
    try:
        aware = datetime(2025, 6, 2, 10, 0, tzinfo=CPH)
        deadline = breach_deadline(aware)
        assert deadline.utcoffset() == timedelta(0)
        assert deadline.replace(tzinfo=None) == datetime(2025, 6, 5, 8, 0)
        assert [r.at.replace(tzinfo=None) for r in reminders(aware)] == [
            datetime(2025, 6, 3, 8, 0),
            datetime(2025, 6, 4, 8, 0),
            datetime(2025, 6, 5, 2, 0),
        ]
    finally:
        monkeypatch.undo()
        time.tzset()
